"""What the Slack adapter remembers beside the core: huddles seen per channel; per live stage the huddle
it follows, its board in the huddle's thread, and whether the stage closes when the huddle ends; per
scheduled series, the message that announces it.

Rows in the core's database (declared in adapters/slack/tables.py, versioned with Alembic), so that
several bot processes on one PostgreSQL share them. The core knows nothing of huddles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, delete, insert, select, update

from adapters.slack.directory import PLATFORM
from bot.persistence.database import Database
from adapters.slack.tables import SlackHuddleRow, SlackStageRow
from bot.persistence.tables import ScheduleMessageRow, table_of

huddle_t = table_of(SlackHuddleRow)
stage_t = table_of(SlackStageRow)
announcement_t = table_of(ScheduleMessageRow)


@dataclass(frozen=True, slots=True)
class Huddle:
    room_id: str
    team_id: str
    channel_id: str
    thread_ts: str  # the huddle_thread message: the huddle's thread in the channel
    participants: tuple[str, ...] = ()
    ended: bool = False


@dataclass(frozen=True, slots=True)
class SlackStage:
    stage_id: str
    follow_huddle: bool = False
    room_id: str | None = None
    thread_board_ts: str | None = None


@dataclass(frozen=True, slots=True)
class Announcement:
    schedule_id: str
    channel_id: str
    ts: str


class SlackState:
    def __init__(self, db: Database) -> None:
        self._db = db

    # ---- huddles

    async def huddle(self, room_id: str) -> Huddle | None:
        return await self._db.run(self._one_huddle, huddle_t.c.room_id == room_id)

    async def live_huddle_in(self, channel_id: str) -> Huddle | None:
        return await self._db.run(self._one_huddle, (huddle_t.c.channel_id == channel_id) & ~huddle_t.c.ended)

    async def live_huddles(self, team_id: str) -> list[Huddle]:
        return await self._db.run(self._huddles, (huddle_t.c.team_id == team_id) & ~huddle_t.c.ended)

    async def save_huddle(self, huddle: Huddle) -> None:
        values = {"team_id": huddle.team_id, "channel_id": huddle.channel_id, "thread_ts": huddle.thread_ts,
                  "participants": list(huddle.participants), "ended": huddle.ended}
        await self._db.run(self._upsert, huddle_t, huddle_t.c.room_id, huddle.room_id, values)

    def _one_huddle(self, where: Any) -> Huddle | None:
        found = self._huddles(where, limit=1)
        return found[0] if found else None

    def _huddles(self, where: Any, limit: int | None = None) -> list[Huddle]:
        query = select(huddle_t).where(where).order_by(huddle_t.c.thread_ts.desc()).limit(limit)
        with self._db.engine.connect() as conn:
            rows = list(conn.execute(query))
        return [Huddle(r.room_id, r.team_id, r.channel_id, r.thread_ts, tuple(r.participants), r.ended)
                for r in rows]

    # ---- announcements of scheduled series

    async def announcement(self, schedule_id: str) -> Announcement | None:
        return await self._db.run(self._announcement, schedule_id)

    async def save_announcement(self, announcement: Announcement) -> None:
        values = {"platform": PLATFORM, "channel_id": announcement.channel_id, "message_id": announcement.ts}
        await self._db.run(self._upsert, announcement_t, announcement_t.c.schedule_id, announcement.schedule_id,
                           values)

    def _announcement(self, schedule_id: str) -> Announcement | None:
        query = select(announcement_t).where(announcement_t.c.schedule_id == schedule_id,
                                             announcement_t.c.platform == PLATFORM)
        with self._db.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else Announcement(row.schedule_id, row.channel_id, row.message_id)

    # ---- stages

    async def stage(self, stage_id: str) -> SlackStage:
        return await self._db.run(self._stage, stage_id)

    async def update_stage(self, stage_id: str, **values: Any) -> None:
        """Writes only the columns given: the command that opens a stage and the board that binds its
        huddle each set their own."""
        await self._db.run(self._upsert, stage_t, stage_t.c.stage_id, stage_id, values)

    async def bound_to(self, room_id: str) -> list[str]:
        return await self._db.run(self._ids, select(stage_t.c.stage_id).where(stage_t.c.room_id == room_id))

    async def bound_in_team(self, team_id: str) -> list[tuple[str, str]]:
        """(stage id, room id) of every stage following a huddle of this workspace."""
        query = (select(stage_t.c.stage_id, stage_t.c.room_id)
                 .join(huddle_t, huddle_t.c.room_id == stage_t.c.room_id).where(huddle_t.c.team_id == team_id))
        return await self._db.run(self._pairs, query)

    async def forget_stage(self, stage_id: str) -> None:
        await self._db.run(self._delete, stage_id)

    def _stage(self, stage_id: str) -> SlackStage:
        with self._db.engine.connect() as conn:
            row = conn.execute(select(stage_t).where(stage_t.c.stage_id == stage_id)).first()
        if row is None:
            return SlackStage(stage_id)
        return SlackStage(row.stage_id, bool(row.follow_huddle), row.room_id, row.thread_board_ts)

    def _ids(self, query: Any) -> list[str]:
        with self._db.engine.connect() as conn:
            return [row[0] for row in conn.execute(query)]

    def _pairs(self, query: Any) -> list[tuple[str, str]]:
        with self._db.engine.connect() as conn:
            return [(row[0], row[1]) for row in conn.execute(query)]

    def _delete(self, stage_id: str) -> None:
        with self._db.engine.begin() as conn:
            conn.execute(delete(stage_t).where(stage_t.c.stage_id == stage_id))

    def _upsert(self, table: Table, key: Any, key_value: str, values: dict[str, Any]) -> None:
        with self._db.engine.begin() as conn:
            if not conn.execute(update(table).where(key == key_value).values(**values)).rowcount:
                conn.execute(insert(table).values({key.name: key_value, **values}))
