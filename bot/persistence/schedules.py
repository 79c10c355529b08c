"""Scheduled stages in SQL. Series are small and read rarely, so each unit of work loads them fresh."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from bot.domain.errors import ScheduleNotFound
from bot.domain.schedule import ScheduledStage
from bot.persistence.database import Database
from bot.persistence.mapping import schedule_audit_values, schedule_from, schedule_values
from bot.persistence.tables import AuditRow, RsvpRow, ScheduleRow, table_of
from bot.ports import ConcurrencyConflict

schedule_t = table_of(ScheduleRow)
rsvp_t = table_of(RsvpRow)
audit_t = table_of(AuditRow)


class SqlScheduleRepository:
    def __init__(self, db: Database) -> None:
        self._db = db
        self.seen: dict[str, ScheduledStage] = {}
        self.new: set[str] = set()

    async def get(self, schedule_id: str) -> ScheduledStage:
        if schedule_id in self.seen:
            return self.seen[schedule_id]
        schedule = await self._db.run(self._load, schedule_id)
        if schedule is None:
            raise ScheduleNotFound(schedule_id=schedule_id)
        self.seen[schedule_id] = schedule
        return schedule

    def add(self, schedule: ScheduledStage) -> None:
        self.seen[schedule.id] = schedule
        self.new.add(schedule.id)

    async def count_active(self, platform: str, space_id: str) -> int:
        query = select(func.count()).select_from(schedule_t).where(
            schedule_t.c.platform == platform, schedule_t.c.space_id == space_id, schedule_t.c.state == "active")
        return await self._db.run(self._scalar, query)

    async def by_platform_event(self, platform: str, event_id: str) -> str | None:
        query = select(schedule_t.c.id).where(schedule_t.c.platform == platform,
                                              schedule_t.c.platform_event_id == event_id)
        return await self._db.run(self._scalar, query)

    def changed(self) -> list[ScheduledStage]:
        return [s for s in self.seen.values() if s.events or s.rsvp_changes or s.relinked or s.id in self.new]

    def write(self, conn: Connection, schedule: ScheduledStage) -> None:
        values = schedule_values(schedule)
        if schedule.id in self.new:
            conn.execute(insert(schedule_t).values(**values, version=schedule.version + 1))
        else:
            result = conn.execute(update(schedule_t).where(schedule_t.c.id == schedule.id,
                                                           schedule_t.c.version == schedule.version)
                                  .values(**values, version=schedule.version + 1))
            if result.rowcount != 1:
                raise ConcurrencyConflict(schedule.id)
        for occurrence, user_id, going in schedule.rsvp_changes:
            key = (rsvp_t.c.schedule_id == schedule.id, rsvp_t.c.occurrence == occurrence,
                   rsvp_t.c.user_id == user_id)
            conn.execute(delete(rsvp_t).where(*key))
            if going:
                conn.execute(insert(rsvp_t).values(schedule_id=schedule.id, occurrence=occurrence, user_id=user_id))
        if schedule.events:
            conn.execute(insert(audit_t), [schedule_audit_values(e) for e in schedule.events])

    def committed(self, schedule: ScheduledStage) -> None:
        schedule.version += 1
        schedule.rsvp_changes.clear()
        schedule.relinked = False
        self.new.discard(schedule.id)

    def _load(self, schedule_id: str) -> ScheduledStage | None:
        with self._db.engine.connect() as conn:
            row = conn.execute(select(schedule_t).where(schedule_t.c.id == schedule_id)).first()
            if row is None:
                return None
            rsvps = list(conn.execute(select(rsvp_t).where(rsvp_t.c.schedule_id == schedule_id)))
        return schedule_from(row, rsvps)

    def _scalar(self, query: Any) -> Any:
        with self._db.engine.connect() as conn:
            return conn.execute(query).scalar()
