"""One command, one transaction: the stage row, the members it touched, its audit entries and recap."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, bindparam, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError

from bot.domain.events import Event, StageClosed
from bot.domain.schedule import ScheduledStage
from bot.domain.schedule_events import ScheduleEvent
from bot.domain.stage import Stage
from bot.persistence.database import Database
from bot.persistence.fastsql import Batch, Compiled, bulk_insert
from bot.persistence.outbox import SqlOutbox
from bot.persistence.mapping import audit_values, participant_values, recap_values, stage_values
from bot.persistence.repository import SqlStageRepository, StageCache, participant_t, stage_t
from bot.persistence.schedules import SqlScheduleRepository
from bot.persistence.versions import all_updated_at, as_columns, held_at, still_at, updated_at, versioned_update
from bot.persistence.tables import AuditRow, RecapRow, table_of
from bot.ports import ConcurrencyConflict, JobWrite, OutboxEntry

audit_t = table_of(AuditRow)
recap_t = table_of(RecapRow)
# A stage row's versioned update (its values, "_id" and "_seen"), by the columns it sets.
_Updates = dict[frozenset[str], list[dict[str, Any]]]


class SqlUnitOfWork:
    def __init__(self, db: Database, cache: StageCache, *, read_only: bool = False,
                 outbox: SqlOutbox | None = None) -> None:
        self._db, self._cache, self._outbox = db, cache, outbox
        self._effects: list[OutboxEntry] = []
        self._effects_at: datetime | None = None
        self._jobs: list[JobWrite] = []
        # A read (the queries) shares cached stages with a command that may be mid-commit on them: it must
        # not take that command's pending changes and events for its own leftovers.
        self._read_only = read_only
        self._events: list[Event | ScheduleEvent] = []
        self._stored: dict[str, dict[str, Any]] = {}
        self._held: Connection | None = None  # a transaction holding a stage's lock (shared databases)
        # Stages whose row it holds, with the version read then; or, with no transaction held, the stages it
        # trusts this process's copy of, with their version (checked when it commits).
        self._locked: dict[str, int | None] = {}
        self._trusted = False

    async def serialize(self, *keys: str, stages: Collection[str] = ()) -> None:
        """On a database several processes share, holds each key's lock until this unit of work ends, so what
        its commands read is still true when it commits; alone on SQLite the bus's own locks suffice. Keys in
        `stages` are stage ids whose rows are locked, which also reads their versions.

        Where every key is a stage this process holds a copy of that no other process wrote lately (a Discord
        shard's guilds, a replica's busy stages), nothing is locked: the copy is trusted, and the commit checks
        that each stage's version is still the one it was read at, the ones it writes by their versioned update
        and the others by reading it, holding its row, in the same transaction (a refusal, by `confirm`). A stage
        found moved is judged again on what is stored, under its lock from then on (StageCache.contend): a lock
        round trip saved on every transaction, one judged twice when two processes meet on a stage."""
        if not self._db.shared or self._held is not None:
            return
        copies = [self._cache.current(k) if k in stages else None for k in keys]
        if keys and all(copies):
            self._locked = {k: copy.version for k, copy in zip(keys, copies) if copy is not None}
            self._trusted = True
            return
        await self._db.holders.acquire()
        try:
            self._held, self._locked = await self._db.run(
                self._db.lock_all, sorted(k for k in keys if k in stages), [k for k in keys if k not in stages])
        except BaseException:
            self._db.holders.release()
            raise

    def record(self, effects: list[OutboxEntry], now: datetime) -> None:
        """Platform effects to write in this unit of work's transaction (the outbox)."""
        self._effects, self._effects_at = effects, now

    def record_jobs(self, writes: list[JobWrite]) -> None:
        """Timer jobs to write in this unit of work's transaction."""
        self._jobs = writes

    async def __aenter__(self) -> SqlUnitOfWork:
        self._effects, self._jobs = [], []
        self.stages = SqlStageRepository(self._db, self._cache, lambda: (self._held, self._locked))
        self.schedules = SqlScheduleRepository(self._db)
        self._events = []
        self._stored = {}
        self._locked, self._trusted = {}, False
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._held is not None:  # nothing committed (a refusal, a failure): roll back, let the next one in
            held, self._held = self._held, None
            try:
                await self._db.run(held.close)
            finally:
                self._db.holders.release()
        # Whatever was changed in memory but not committed must not outlive this unit of work.
        if self._read_only:
            return
        for stage in self.stages.seen.values():
            if stage.dirty or stage.events or stage.id in self.stages.new:
                self._cache.evict(stage.id)
                stage.dirty.clear()
                stage.events.clear()

    async def commit(self) -> None:
        changed = [s for s in self.stages.seen.values()
                   if s.dirty or s.events or s.id in self.stages.new]
        series = self.schedules.changed()
        unchanged = self._unchanged(changed)
        if not changed and not series and not self._jobs:
            await self._confirm(unchanged)
            return
        held, self._held = self._held, None
        try:
            await self._db.run(self._write, changed, series, held, unchanged)
        except ConcurrencyConflict as conflict:
            self._contended(conflict)
            raise
        except IntegrityError:
            # Trusted unlocked, a stale copy may collide before its versioned update is checked (its effects
            # take the positions of the version another process wrote): a conflict if a stage moved.
            await self._confirm({s.id: s.version for s in changed if self._trusted and s.id in self._locked})
            raise
        finally:
            if held is not None:
                self._db.holders.release()
        for schedule in series:
            self.schedules.committed(schedule)
            self._events.extend(schedule.pull_events())
        for stage in changed:
            stage.version += 1
            stage.dirty.clear()
            self._events.extend(stage.pull_events())
            self._cache.keep(stage, self._stored.pop(stage.id))
        self.stages.new.clear()

    def collect_events(self) -> Sequence[Event | ScheduleEvent]:
        return self._events

    async def confirm(self) -> None:
        """Before a refusal is given: raises ConcurrencyConflict if a stage it was judged on unlocked has been
        written by another process since (the command is then judged again)."""
        await self._confirm(self._unchanged([]))

    def _unchanged(self, changed: list[Stage]) -> dict[str, int]:
        """The stages trusted unlocked that no versioned update will check: read, not written."""
        if not self._trusted:
            return {}
        written = {s.id for s in changed}
        return {i: s.version for i, s in self.stages.seen.items() if i in self._locked and i not in written}

    async def _confirm(self, stages: dict[str, int]) -> None:
        """Raises ConcurrencyConflict if one of `stages` is no longer at the version given."""
        if stages:
            try:
                await self._db.run(still_at, self._db.engine, stages)
            except ConcurrencyConflict as conflict:
                self._contended(conflict)
                raise

    def _contended(self, conflict: ConcurrencyConflict) -> None:
        """A stage trusted unlocked was written by another process meanwhile: its next commands lock it."""
        for stage_id in conflict.args if self._trusted else ():
            if stage_id in self._locked:
                self._cache.contend(stage_id)

    def _write(self, changed: list[Stage], series: list[ScheduledStage], held: Connection | None,
               unchanged: dict[str, int]) -> None:
        conn = held or self._db.writer()
        try:
            # One round trip for the rest on PostgreSQL, unless a new stage's insert must be judged alone; with
            # no series to write before, the transaction's BEGIN and COMMIT go in it too.
            batch = Batch(conn, enabled=not any(s.id in self.stages.new for s in changed), commits=not series)
            with conn.begin() if held is None and not batch.commits else nullcontext():
                # Series first: a stage opened from a series refers to it.
                for schedule in series:
                    self.schedules.write(conn, schedule)
                with batch:
                    # The rows of every stage together, one statement each (group commit writes many stages).
                    members: list[dict[str, Any]] = []
                    audit: list[dict[str, Any]] = []
                    updates: _Updates = {}
                    for stage in changed:
                        self._write_stage(conn, stage, updates)
                        members.extend(participant_values(stage.id, stage.participants[u])
                                       for u in sorted(stage.dirty))
                        audit.extend(audit_values(e) for e in stage.events)
                    self._update_stages(batch, updates)
                    if unchanged:
                        # Holding their rows: what this transaction writes on their account (a timer's job) must
                        # wait for another process writing them, and find them moved.
                        batch.execute(held_at(conn.dialect), as_columns(unchanged))
                    statements = _statements(self._db.engine.dialect)
                    if members:
                        batch.execute_many(statements.upsert_participant, members,
                                           bulk=statements.bulk_participant)
                    if audit:
                        batch.execute_many(statements.insert_audit, audit, bulk=statements.bulk_audit)
                    for stage in changed:
                        for event in stage.events:
                            if isinstance(event, StageClosed):
                                batch.execute(statements.insert_recap, recap_values(event))
                    if self._effects:
                        if self._outbox is None:
                            raise RuntimeError("platform effects to store, but this unit of work has no outbox")
                        assert self._effects_at is not None
                        self._outbox.write(conn, self._effects, self._effects_at, batch=batch)
                    for job in self._jobs:
                        batch.execute(_job_statement(job.statement, self._db.engine.dialect), job.values)
            if held is not None:
                held.commit()
        finally:
            if self._db.dialect != "sqlite":
                conn.close()  # a held transaction not committed is rolled back here
        self._db.committed()

    def _write_stage(self, conn: Connection, stage: Stage, updates: _Updates) -> None:
        """Inserts a new stage at once; a known one's versioned update joins those setting the same columns."""
        values = stage_values(stage)
        if stage.id in self.stages.new:
            try:
                insert_stage = _statements(self._db.engine.dialect).insert_stage
                insert_stage.execute(conn, {**values, "version": stage.version + 1})
            except IntegrityError:
                # Another process opened a live stage in this channel after we looked: judge again.
                raise ConcurrencyConflict(stage.id) from None
        else:
            stored = self._cache.stored(stage.id)
            changed = frozenset(name for name, value in values.items()
                                if stored is None or stored.get(name, _ABSENT) != value)
            updates.setdefault(changed, []).append(
                {**values, "version": stage.version + 1, "_id": stage.id, "_seen": stage.version})
        self._stored[stage.id] = values

    def _update_stages(self, batch: Batch, updates: _Updates) -> None:
        """Each stage's row updated if its version is still the one read; else another process wrote it since
        (a conflict: the command is judged again). On PostgreSQL the server checks it (bot/persistence/
        versions.py) and, pipelined, the stages setting the same columns go as one statement."""
        dialect = self._db.engine.dialect
        for columns, group in updates.items():
            group.sort(key=itemgetter("_id"))  # rows locked in the order of their ids, as every process does
            if dialect.name == "postgresql":
                if batch.pipelined and len(group) > 1:
                    batch.execute_bulk(all_updated_at(dialect, _set(columns)), group)
                else:
                    for values in group:
                        batch.execute(updated_at(dialect, _set(columns)), values)
                continue
            for values in group:
                def versioned(touched: int, stage_id: str = values["_id"]) -> None:
                    if touched != 1:
                        raise ConcurrencyConflict(stage_id)

                batch.execute(_update_stage(dialect, columns), values, check=versioned)


@dataclass(frozen=True)
class _Statements:
    insert_stage: Compiled
    upsert_participant: Compiled
    insert_audit: Compiled
    insert_recap: Compiled
    # The same for many rows as one statement (PostgreSQL; None on SQLite, where a row costs no round trip).
    bulk_participant: Compiled | None
    bulk_audit: Compiled | None


@cache
def _statements(dialect: Dialect) -> _Statements:
    """Compiled once per dialect: building statements costs more than running them on SQLite."""
    flavour = postgresql if dialect.name == "postgresql" else sqlite
    upsert = flavour.insert(participant_t)
    keys = {"stage_id", "user_id"}
    upsert = upsert.on_conflict_do_update(
        index_elements=["stage_id", "user_id"],
        set_={c.name: upsert.excluded[c.name] for c in participant_t.columns if c.name not in keys})
    def every_column(table: Any) -> Any:
        return insert(table).values({c.name: bindparam(c.name, type_=c.type)
                                     for c in table.columns if not (c.primary_key and c.autoincrement is True)
                                     and not (table is audit_t and c.name == "id")})

    upsert = upsert.values({c.name: bindparam(c.name, type_=c.type) for c in participant_t.columns})
    bulk_participant = bulk_audit = None
    if dialect.name == "postgresql":
        bulk = bulk_insert(participant_t, [c.name for c in participant_t.columns])
        bulk_participant = Compiled(bulk.on_conflict_do_update(
            index_elements=["stage_id", "user_id"],
            set_={c.name: bulk.excluded[c.name] for c in participant_t.columns if c.name not in keys}), dialect)
        bulk_audit = Compiled(bulk_insert(audit_t, [c.name for c in audit_t.columns if c.name != "id"]), dialect)
    return _Statements(
        insert_stage=Compiled(every_column(stage_t), dialect),
        upsert_participant=Compiled(upsert, dialect), insert_audit=Compiled(every_column(audit_t), dialect),
        insert_recap=Compiled(every_column(recap_t), dialect),
        bulk_participant=bulk_participant, bulk_audit=bulk_audit)


_ABSENT = object()


@lru_cache(maxsize=16)
def _job_statement(statement: Any, dialect: Dialect) -> Compiled:
    """A scheduler's statement storing or removing a job (bot.ports.JobWrite), compiled once."""
    return Compiled(statement, dialect)


@lru_cache(maxsize=512)
def _update_stage(dialect: Dialect, columns: frozenset[str]) -> Compiled:
    """The versioned update setting only the columns a command changed (and the version), its row count checked
    here (SQLite; PostgreSQL checks it in the server: `updated_at`). Commands change few and recurring sets of
    columns, so a few statements serve them all."""
    return Compiled(versioned_update(_set(columns)), dialect)


def _set(columns: frozenset[str]) -> tuple[str, ...]:
    """The columns a versioned update sets: those changed, and the version."""
    return tuple(sorted((columns | {"version"}) - {"id"}))
