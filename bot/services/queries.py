"""Reads that change nothing: the live stage in a channel, its board, its audit log and recap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.domain.access import require_moderator
from bot.domain.errors import StageNotFound
from bot.domain.members import Actor
from bot.i18n.message import Message
from bot.persistence.database import Database
from bot.persistence.tables import AuditRow, RecapRow
from bot.ports import Clock, UnitOfWork
from bot.services.board import Board, board_of
from bot.services.describe import describe

audit_t = AuditRow.__table__
recap_t = RecapRow.__table__


@dataclass(frozen=True, slots=True)
class LogLine:
    at: datetime
    message: Message


class Queries:
    def __init__(self, *, uow: Callable[[], UnitOfWork], db: Database, clock: Clock) -> None:
        self._uow, self._db, self._clock = uow, db, clock

    async def live_stage(self, platform: str, space_id: str, channel_id: str) -> str:
        async with self._uow() as uow:
            stage_id = await uow.stages.live_in_channel(platform, space_id, channel_id)
        if stage_id is None:
            raise StageNotFound()
        return stage_id

    async def board(self, stage_id: str, *, lines: int = 10) -> Board:
        async with self._uow() as uow:
            stage = await uow.stages.get(stage_id)
            return board_of(stage, self._clock.now(), lines=lines)

    async def log(self, stage_id: str, actor: Actor, *, limit: int = 20) -> list[LogLine]:
        """The latest audit entries, oldest first; moderators only."""
        async with self._uow() as uow:
            require_moderator(await uow.stages.get(stage_id), actor)
        rows = await self._db.run(self._read_log, stage_id, limit)
        return [LogLine(r.at, describe(r.kind, r.actor_id, r.target_id, r.reason, r.data)) for r in reversed(rows)]

    async def recap(self, stage_id: str) -> dict | None:
        return await self._db.run(self._read_recap, stage_id)

    def _read_log(self, stage_id: str, limit: int) -> list:  # type: ignore[type-arg]
        query = select(audit_t).where(audit_t.c.stage_id == stage_id).order_by(audit_t.c.id.desc()).limit(limit)
        with self._db.engine.connect() as conn:
            return list(conn.execute(query))

    def _read_recap(self, stage_id: str) -> dict | None:  # type: ignore[type-arg]
        with self._db.engine.connect() as conn:
            row = conn.execute(select(recap_t).where(recap_t.c.stage_id == stage_id)).first()
        return None if row is None else dict(row._mapping)
