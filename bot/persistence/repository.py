"""Stages in SQL, with a process-wide cache so a command on a 5,000-member stage does not reload it.

The cache is trusted only while the stored version matches; every write checks the version it read, so
several processes on one PostgreSQL database never overwrite each other's changes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from bot.domain.errors import StageNotFound
from bot.domain.stage import Stage
from bot.domain.timers import next_due
from bot.persistence.blocks import blocked_ids
from bot.persistence.database import Database
from bot.persistence.mapping import participant_from, stage_from, stage_values
from bot.persistence.tables import ParticipantRow, StageRow, table_of

stage_t = table_of(StageRow)
participant_t = table_of(ParticipantRow)
# How long a stage another process wrote under this one's feet has its commands take its lock, rather than
# trust this process's copy and find out at the commit (see SqlUnitOfWork.serialize).
CONTENDED_SECONDS = 60.0


class StageCache:
    """Aggregates loaded by this process, by id, each with its stage row as stored.

    Evicted whenever a change did not reach the database. The stored row lets a command write only the
    columns it changed (most change a counter or two, while the rules are a JSON document).
    """

    def __init__(self) -> None:
        self._stages: dict[str, Stage] = {}
        self._stored: dict[str, dict[str, Any]] = {}
        self._contended: dict[str, float] = {}  # stage id -> until when (monotonic seconds)

    def peek(self, stage_id: str) -> Stage | None:
        return self._stages.get(stage_id)

    def stored(self, stage_id: str) -> dict[str, Any] | None:
        return self._stored.get(stage_id)

    def keep(self, stage: Stage, stored: dict[str, Any]) -> None:
        self._stages[stage.id] = stage
        self._stored[stage.id] = stored

    def evict(self, stage_id: str) -> None:
        self._stages.pop(stage_id, None)
        self._stored.pop(stage_id, None)

    def contend(self, stage_id: str) -> None:
        """Another process wrote this stage since this one read it: it is evicted, and its next commands (for
        CONTENDED_SECONDS) lock it rather than trust a copy."""
        self.evict(stage_id)
        now = time.monotonic()
        if len(self._contended) > 1_000:  # those gone quiet are forgotten
            self._contended = {k: until for k, until in self._contended.items() if until > now}
        self._contended[stage_id] = now + CONTENDED_SECONDS

    def current(self, stage_id: str) -> Stage | None:
        """The cached stage, if no other process wrote it lately (what a command may trust without a lock)."""
        until = self._contended.get(stage_id)
        if until is not None:
            if time.monotonic() < until:
                return None
            del self._contended[stage_id]
        return self._stages.get(stage_id)

    def __len__(self) -> int:
        return len(self._stages)


class SqlStageRepository:
    def __init__(self, db: Database, cache: StageCache,
                 held: Callable[[], tuple[Connection | None, dict[str, int | None]]] = lambda: (None, {})) -> None:
        self._db, self._cache, self._held = db, cache, held
        self.seen: dict[str, Stage] = {}
        self.new: set[str] = set()
        self.due_before: dict[str, datetime | None] = {}

    async def get(self, stage_id: str) -> Stage:
        if stage_id in self.seen:
            return self.seen[stage_id]
        cached = self._cache.peek(stage_id)
        if cached is not None and not self._db.shared:
            # Alone on the database, the cache is the truth; the versioned write still guards it.
            stage: Stage | None = cached
        else:
            conn, locked = self._held()
            if conn is not None and stage_id in locked:  # its row is held: the version read with the lock
                version = locked[stage_id]
                stage = None if version is None else (
                    cached if cached is not None and cached.version == version
                    else await self._db.run(load_stage, conn, stage_id))
            elif conn is None and cached is not None and locked.get(stage_id, -1) == cached.version:
                stage = cached  # trusted unlocked: the commit checks its version (SqlUnitOfWork.serialize)
            else:
                stage = await self._db.run(self._fresh, stage_id, cached, conn)
        if stage is None:
            raise StageNotFound()
        if stage is not cached:
            self._cache.keep(stage, stage_values(stage))
        self.seen[stage_id] = stage
        if self._db.shared:  # alone on its database, the bus knows what it armed last; shared, it asks this
            self.due_before[stage_id] = next_due(stage)
        return stage

    def add(self, stage: Stage) -> None:
        self.seen[stage.id] = stage
        self.new.add(stage.id)

    async def live_in_channel(self, platform: str, space_id: str, channel_id: str) -> str | None:
        query = select(stage_t.c.id).where(
            stage_t.c.platform == platform, stage_t.c.space_id == space_id,
            stage_t.c.channel_id == channel_id, stage_t.c.state == "live")
        return await self._db.run(_scalar, self._db, query)

    async def blocked_in_space(self, platform: str, space_id: str, now: datetime) -> frozenset[str]:
        return await blocked_ids(self._db, platform, space_id, now)

    async def live_ids(self, platform: str | None = None) -> list[str]:
        query = select(stage_t.c.id).where(stage_t.c.state == "live").order_by(stage_t.c.created_at)
        if platform is not None:
            query = query.where(stage_t.c.platform == platform)
        return await self._db.run(_scalars, self._db, query)

    def _fresh(self, stage_id: str, cached: Stage | None, held: Connection | None) -> Stage | None:
        """The cached stage if the stored version is still its own, else the stage as stored. A command holding
        the stage's lock reads in that transaction: one round trip, and nobody can change it until its commit."""
        if held is not None:
            return _fresh(held, stage_id, cached)
        with self._db.engine.connect() as conn:
            return _fresh(conn, stage_id, cached)


def _fresh(conn: Connection, stage_id: str, cached: Stage | None) -> Stage | None:
    version = conn.execute(select(stage_t.c.version).where(stage_t.c.id == stage_id)).scalar()
    if version is None:
        return None
    if cached is not None and cached.version == version:
        return cached
    return load_stage(conn, stage_id)


def load_stage(conn: Connection, stage_id: str) -> Stage | None:
    row = conn.execute(select(stage_t).where(stage_t.c.id == stage_id)).first()
    if row is None:
        return None
    rows = conn.execute(select(participant_t).where(participant_t.c.stage_id == stage_id))
    return stage_from(row, [participant_from(r) for r in rows])


def _scalar(db: Database, query: Any) -> Any:
    with db.engine.connect() as conn:
        return conn.execute(query).scalar()


def _scalars(db: Database, query: Any) -> list[Any]:
    with db.engine.connect() as conn:
        return list(conn.execute(query).scalars())
