"""Reads that change nothing: the live stage in a channel, its board, its audit log and recap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select

from bot.domain.access import require_moderator
from bot.domain.errors import NotModerator, StageNotFound
from bot.domain.members import Actor, Recap, SpeakerRecap
from bot.i18n.markers import N_
from bot.i18n.message import Mention, Message
from bot.persistence.blocks import space_blocks
from bot.persistence.database import Database
from bot.domain.links import Link
from bot.persistence.community_tables import LinkRow
from bot.persistence.tables import AuditRow, RecapRow, ScheduleRow, StageRow, table_of
from bot.ports import Clock, StageRef, UnitOfWork
from bot.services.board import Board, board_of
from bot.services.describe import describe
from bot.services.schedule_view import ScheduleView, schedule_view

PLACES_KEPT = 10_000  # stages whose place is remembered; beyond, the memory starts over

audit_t = table_of(AuditRow)
recap_t = table_of(RecapRow)
stage_t = table_of(StageRow)
schedule_t = table_of(ScheduleRow)
link_t = table_of(LinkRow)


@dataclass(frozen=True, slots=True)
class LogLine:
    at: datetime
    message: Message


@dataclass(frozen=True, slots=True)
class Roster:
    """Everyone a stage knows of right now, for adapters that reconcile it with the platform's view."""

    stage_id: str
    present: frozenset[str]
    hands: tuple[str, ...]  # in queue order
    native_hands: frozenset[str]  # raised with the platform's own control
    speakers: frozenset[str]
    moderators: frozenset[str]  # delegated
    invited: frozenset[str]
    blocked: frozenset[str]


class Queries:
    def __init__(self, *, uow: Callable[[], UnitOfWork], db: Database, clock: Clock) -> None:
        self._uow, self._db, self._clock = uow, db, clock
        self._places: dict[str, tuple[str, str, str]] = {}

    async def live_stage(self, platform: str, space_id: str, channel_id: str) -> str:
        async with self._uow() as uow:
            stage_id = await uow.stages.live_in_channel(platform, space_id, channel_id)
        if stage_id is None:
            raise StageNotFound()
        return stage_id

    async def place_of(self, stage_id: str) -> tuple[str, str, str]:
        """Where a stage lives (platform, space, channel), whatever its state; StageNotFound for an id no stage
        has. A stage never moves, so each is read once (every click and command on a stage asks)."""
        place = self._places.get(stage_id)
        if place is None:
            query = select(stage_t.c.platform, stage_t.c.space_id, stage_t.c.channel_id).where(
                stage_t.c.id == stage_id)
            rows = await self._db.run(self._rows, query)
            if not rows:
                raise StageNotFound()
            if len(self._places) >= PLACES_KEPT:
                self._places.clear()
            place = self._places[stage_id] = (rows[0].platform, rows[0].space_id, rows[0].channel_id)
        return place

    async def board(self, stage_id: str, *, lines: int = 10) -> Board:
        """The stage as its board shows it, links included."""
        board = await self.heading(stage_id, lines=lines)
        links = await self._db.run(self._read_links, stage_id)
        return replace(board, links=links) if links else board

    async def heading(self, stage_id: str, *, lines: int = 0) -> Board:
        """The stage without its links (a read of their own): its title, place, state, rules, host, topic and
        tags, and `lines` of its queue, for whoever reads of a stage without drawing its board."""
        async with self._uow() as uow:
            stage = await uow.stages.get(stage_id)
            return board_of(stage, self._clock.now(), lines=lines)

    def _read_links(self, stage_id: str) -> tuple[Link, ...]:
        with self._db.engine.connect() as conn:
            return tuple(Link(r.number, r.url, r.label) for r in conn.execute(
                select(link_t).where(link_t.c.stage_id == stage_id).order_by(link_t.c.number)))

    async def roster(self, stage_id: str) -> Roster:
        async with self._uow() as uow:
            stage = await uow.stages.get(stage_id)
            members = stage.participants.values()
            return Roster(stage_id=stage.id, present=frozenset(p.user_id for p in members if p.present),
                          hands=tuple(stage.queue), speakers=frozenset(stage.speaking),
                          native_hands=frozenset(p.user_id for p in members if p.hand and p.hand.native),
                          moderators=frozenset(stage.moderators),
                          invited=frozenset(p.user_id for p in members if p.invited),
                          blocked=frozenset(p.user_id for p in members if p.blocked))

    async def live_stages(self, platform: str, space_id: str | None = None) -> list[StageRef]:
        """Live stages on a platform (and space), oldest first: for autocomplete and reconciling."""
        query = select(stage_t).where(stage_t.c.platform == platform, stage_t.c.state == "live")
        if space_id is not None:
            query = query.where(stage_t.c.space_id == space_id)
        rows = await self._db.run(self._rows, query.order_by(stage_t.c.created_at))
        return [StageRef(stage_id=r.id, platform=r.platform, space_id=r.space_id, channel_id=r.channel_id,
                         title=r.title) for r in rows]

    def _rows(self, query: Any) -> list[Any]:
        with self._db.engine.connect() as conn:
            return list(conn.execute(query))

    async def active_schedule_ids(self) -> list[str]:
        query = select(schedule_t.c.id).where(schedule_t.c.state == "active").order_by(schedule_t.c.next_at)
        return [row.id for row in await self._db.run(self._rows, query)]

    async def schedules(self, platform: str, space_id: str) -> list[ScheduleView]:
        """Upcoming series of a space, soonest first."""
        query = (select(schedule_t.c.id).where(schedule_t.c.platform == platform, schedule_t.c.space_id == space_id,
                                               schedule_t.c.state == "active").order_by(schedule_t.c.next_at))
        ids = [row.id for row in await self._db.run(self._rows, query)]
        async with self._uow() as uow:
            return [schedule_view(await uow.schedules.get(schedule_id)) for schedule_id in ids]

    async def schedule(self, schedule_id: str) -> ScheduleView:
        async with self._uow() as uow:
            return schedule_view(await uow.schedules.get(schedule_id))

    async def schedule_by_platform_event(self, platform: str, event_id: str) -> str | None:
        async with self._uow() as uow:
            return await uow.schedules.by_platform_event(platform, event_id)

    async def require_moderator(self, stage_id: str, actor: Actor) -> None:
        """Refuses (NotModerator) unless the actor moderates the stage; adapters ask before offering a
        moderator-only choice, such as the list of hands to approve."""
        async with self._uow() as uow:
            require_moderator(await uow.stages.get(stage_id), actor)

    async def blocks(self, platform: str, space_id: str, channel_id: str, actor: Actor) -> Message:
        """Who a block holds in the space, for its moderators: the platform's, or those of the stage live
        in this channel."""
        try:
            stage_id = await self.live_stage(platform, space_id, channel_id)
        except StageNotFound:
            if not actor.platform_moderator:
                raise NotModerator() from None
        else:
            await self.require_moderator(stage_id, actor)  # a block on this stage holds here too
        held = await space_blocks(self._db, platform, space_id, self._clock.now())
        if not held:
            return Message.of(N_("Nobody is blocked in this space."))
        entries = [Message.of(N_("{member} until {until}"), member=Mention(b.user_id), until=b.until)
                   if b.until else Message.of(N_("{member} until unblocked"), member=Mention(b.user_id))
                   for b in held]
        listed = entries[0]
        for entry in entries[1:]:
            listed = Message.of(N_("{first}, {then}"), first=listed, then=entry)
        return Message.of(N_("Blocked in this space: {members}."), members=listed)

    async def log(self, stage_id: str, actor: Actor, *, limit: int = 20) -> list[LogLine]:
        """The latest audit entries, oldest first; moderators only."""
        async with self._uow() as uow:
            require_moderator(await uow.stages.get(stage_id), actor)
        rows = await self._db.run(self._read_log, stage_id, limit)
        return [LogLine(r.at, describe(r.kind, r.actor_id, r.target_id, r.reason, r.data)) for r in reversed(rows)]

    async def last_recap(self, platform: str, space_id: str, channel_id: str) -> tuple[str, Recap] | None:
        """The title and recap of the stage most recently closed in a channel."""
        return await self._db.run(self._read_recap, platform, space_id, channel_id)

    async def latest_activity(self) -> datetime | None:
        """When the last thing happened on any stage (a console clock must not run behind it)."""
        return await self._db.run(self._read_latest)

    def _read_latest(self) -> datetime | None:
        with self._db.engine.connect() as conn:
            return conn.execute(select(func.max(audit_t.c.at))).scalar()

    def _read_log(self, stage_id: str, limit: int) -> list[Row[Any]]:
        query = select(audit_t).where(audit_t.c.stage_id == stage_id).order_by(audit_t.c.id.desc()).limit(limit)
        with self._db.engine.connect() as conn:
            return list(conn.execute(query))

    def _read_recap(self, platform: str, space_id: str, channel_id: str) -> tuple[str, Recap] | None:
        query = (select(stage_t.c.title, recap_t).join(recap_t, recap_t.c.stage_id == stage_t.c.id)
                 .where(stage_t.c.platform == platform, stage_t.c.space_id == space_id,
                        stage_t.c.channel_id == channel_id)
                 .order_by(stage_t.c.closed_at.desc()).limit(1))
        with self._db.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        speakers = tuple(SpeakerRecap(s["user_id"], s["talk_seconds"], s["turns"]) for s in row.speakers)
        links = tuple((link.url, link.label) for link in self._read_links(row.stage_id))
        return row.title, Recap(links=links, duration_seconds=row.duration_seconds, peak_audience=row.peak_audience,
                                speakers=speakers, hands_raised=row.hands_raised, hands_served=row.hands_served,
                                still_waiting=tuple(row.still_waiting))
