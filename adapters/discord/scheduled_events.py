"""Scheduled stages as Discord Guild Scheduled Events: one event per series, for its next or live occurrence.

The event is created for the next occurrence and linked to the series (LinkScheduleEvent); it moves when the
series is edited or an occurrence is skipped or missed, and is cancelled with the series. When an occurrence
opens, its stage instance is created linked to the event and the event started; at close it is completed and a
new event is made for the next occurrence. Keeping one uncompleted event per series keeps the core's limit of
100 active series per server within Discord's 100 uncompleted events. "Interested" in Discord is an RSVP.
"""

from __future__ import annotations

import logging
import weakref
from asyncio import Lock
from datetime import UTC, datetime, timedelta
from typing import Any

import discord

from adapters.discord.context import Context
from adapters.discord.members import PLATFORM
from adapters.discord.invoke import attempt
from bot.domain import commands as c
from bot.domain.errors import ScheduleNotActive, ScheduleNotFound, StageNotFound
from bot.domain.members import SYSTEM, Actor
from bot.domain.tags import shown
from bot.i18n.markers import N_
from bot.i18n.message import Message
from bot.services.board import Board
from bot.services.schedule_view import ScheduleView

log = logging.getLogger(__name__)

SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4
STAGE_INSTANCE, GUILD_ONLY = 1, 2
REASON = "Podium scheduled stage"
#: Discord refuses a start in the past; an occurrence this close is about to open instead.
TOO_SOON = timedelta(seconds=30)

Shape = dict[str, Any]


def shape(view: ScheduleView) -> Shape | None:
    """What the series' event should say, or None when the series has no occurrence to come."""
    if view.state != "active" or view.next_at is None:
        return None
    start = view.next_at.astimezone(UTC)
    end = start + timedelta(seconds=view.duration)
    # The tags in the description: Discord's events have no field of their own for them, and members
    # browsing the server's events find the stage by them there.
    about = "\n".join(part for part in (view.topic, shown(view.tags)) if part)
    return {"name": view.ref.title[:100], "description": about[:1000] or None,
            "scheduled_start_time": start.isoformat(), "scheduled_end_time": end.isoformat()}


def differences(event: dict[str, Any], wanted: Shape) -> Shape:
    """The fields of ``wanted`` the event does not show yet (times compared as instants)."""
    changes = {}
    for key, value in wanted.items():
        have = event.get(key)
        if key.endswith("_time"):
            same = have is not None and datetime.fromisoformat(have) == datetime.fromisoformat(value)
        else:
            same = (have or None) == value
        if not same:
            changes[key] = value
    return changes


class ScheduledEvents:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._locks: weakref.WeakValueDictionary[str, Lock] = weakref.WeakValueDictionary()
        # What each series' event was last made to show: an RSVP changes nothing there, so it costs no call.
        self._shown: dict[str, tuple[str, Shape]] = {}

    def _lock(self, schedule_id: str) -> Lock:
        lock = self._locks.get(schedule_id)
        if lock is None:
            lock = self._locks[schedule_id] = Lock()
        return lock

    # ---- the series changed ----------------------------------------------------------------------

    async def sync(self, schedule_id: str) -> None:
        """Makes the series' event show its next occurrence (or cancels it), from the series as stored now:
        a view handed over with an older commit may predate the link to the event."""
        async with self._lock(schedule_id):
            try:
                view = await self._ctx.app.queries.schedule(schedule_id)
                await self._sync(view)
            except ScheduleNotFound:
                return
            except (discord.HTTPException, OSError) as error:  # the next change or start tries again
                log.warning("series %s: could not read its Discord event: %r", schedule_id, error)

    async def _sync(self, view: ScheduleView) -> None:
        wanted, event_id = shape(view), view.platform_event_id
        if wanted is not None and event_id is not None and self._shown.get(view.schedule_id) == (event_id, wanted):
            return
        if await self._live(view):
            return  # the live occurrence keeps its event until its stage closes
        event = await self._fetch(view) if event_id is not None else None
        status = event["status"] if event is not None else None
        if wanted is None:
            self._shown.pop(view.schedule_id, None)
            if status == SCHEDULED:  # cancelled, or its last occurrence was missed
                await self._edit(view, {"status": CANCELED}, N_("cancel the Discord event of “{title}”"))
            return
        if status == SCHEDULED:
            assert event is not None and event_id is not None
            changes = differences(event, wanted)
            if not changes or await self._edit(view, changes, N_("update the Discord event of “{title}”")):
                self._shown[view.schedule_id] = (event_id, wanted)
            return
        if status == ACTIVE:
            return  # started in Discord by someone else: it is theirs to end
        assert view.next_at is not None
        if view.next_at - self._ctx.app.clock.now() < TOO_SOON:
            return
        await self._create(view, wanted)

    async def _live(self, view: ScheduleView) -> bool:
        """Whether a stage opened from this series is live now (read from the database, not the directory's
        cache: the stage may have opened in the very commit that sent this change)."""
        queries = self._ctx.app.queries
        try:
            stage_id = await queries.live_stage(PLATFORM, view.ref.space_id, view.ref.channel_id)
            return (await queries.heading(stage_id)).schedule_id == view.schedule_id
        except StageNotFound:
            return False

    async def _create(self, view: ScheduleView, wanted: Shape) -> None:
        payload = {key: value for key, value in wanted.items() if value is not None}
        payload.update(entity_type=STAGE_INSTANCE, channel_id=view.ref.channel_id, privacy_level=GUILD_ONLY)
        made: list[Any] = []  # the event as Discord returned it

        async def create() -> None:
            made.append(await self._ctx.client.http.create_guild_scheduled_event(
                int(view.ref.space_id), reason=REASON, **payload))

        action = Message.of(N_("create the Discord event of “{title}”"), title=view.ref.title)
        if not await self._ctx.reporter.guard(view.ref, action, create()):
            return
        event_id = str(made[0]["id"])
        await attempt(self._ctx, c.LinkScheduleEvent(actor=SYSTEM, schedule_id=view.schedule_id, event_id=event_id))
        self._shown[view.schedule_id] = (event_id, wanted)

    async def _fetch(self, view: ScheduleView) -> dict[str, Any] | None:
        """The series' event as Discord has it, or None when it was deleted there. Any other failure is
        raised: taking it for a deleted event would make a second one."""
        assert view.platform_event_id is not None
        try:
            return await self._ctx.client.http.get_scheduled_event(
                int(view.ref.space_id), int(view.platform_event_id), False)  # type: ignore[return-value]
        except discord.NotFound:
            return None

    async def _edit(self, view: ScheduleView, changes: Shape, action: str) -> bool:
        assert view.platform_event_id is not None
        work = self._ctx.client.http.edit_scheduled_event(int(view.ref.space_id), int(view.platform_event_id),
                                                          reason=REASON, **changes)
        return await self._ctx.reporter.guard(view.ref, Message.of(action, title=view.ref.title), work)

    # ---- an occurrence opens and closes ------------------------------------------------------------

    async def opening(self, board: Board) -> str | None:
        """The event of the occurrence opening now, for its stage instance to be linked to."""
        if board.schedule_id is None:
            return None
        async with self._lock(board.schedule_id):
            view = await self._ctx.app.queries.schedule(board.schedule_id)
            if view.platform_event_id is None:
                return None
            try:
                event = await self._fetch(view)
            except (discord.HTTPException, OSError) as error:  # the stage opens all the same
                log.warning("series %s: could not read its Discord event: %r", view.schedule_id, error)
                return None
            return view.platform_event_id if event is not None and event["status"] in (SCHEDULED, ACTIVE) else None

    async def started(self, board: Board, event_id: str) -> None:
        """Starts the event once its stage instance exists (Discord starts only a stage that is there)."""
        assert board.schedule_id is not None
        async with self._lock(board.schedule_id):
            view = await self._ctx.app.queries.schedule(board.schedule_id)
            if view.platform_event_id != event_id:
                return
            try:
                event = await self._fetch(view)
            except (discord.HTTPException, OSError):
                event = {"status": SCHEDULED}  # as it was a moment ago; starting it says whether it still is
            if event is not None and event["status"] == SCHEDULED:
                await self._edit(view, {"status": ACTIVE}, N_("start the Discord event of “{title}”"))

    async def closed(self, board: Board) -> None:
        """Completes the occurrence's event (Discord may have done it with the stage instance), then makes the
        event of the next occurrence."""
        assert board.schedule_id is not None
        async with self._lock(board.schedule_id):
            view = await self._ctx.app.queries.schedule(board.schedule_id)
            try:
                if view.platform_event_id is not None:
                    event = await self._fetch(view)
                    if event is not None and event["status"] == ACTIVE:
                        await self._edit(view, {"status": COMPLETED}, N_("end the Discord event of “{title}”"))
                await self._sync(view)
            except (discord.HTTPException, OSError) as error:  # the next start of the bot tries again
                log.warning("series %s: could not read its Discord event: %r", view.schedule_id, error)

    # ---- members press "Interested" ----------------------------------------------------------------

    def interest(self, data: dict[str, Any], *, going: bool) -> None:
        """From the gateway, raw (discord.py drops these for members and events not in its cache)."""
        event_id, user_id = str(data["guild_scheduled_event_id"]), str(data["user_id"])
        bot = self._ctx.client.user
        if bot is not None and user_id == str(bot.id):
            return
        self._ctx.lanes.submit(f"interest:{event_id}", lambda: self._answer(event_id, user_id, going))

    async def _answer(self, event_id: str, user_id: str, going: bool) -> None:
        schedule_id = await self._ctx.app.queries.schedule_by_platform_event(PLATFORM, event_id)
        if schedule_id is None:
            return  # an event Podium did not make
        refusal = await attempt(self._ctx, c.Rsvp(actor=Actor(user_id), schedule_id=schedule_id, going=going),
                                ScheduleNotActive)
        if refusal is not None:
            log.info("RSVP of %s to series %s refused: %s", user_id, schedule_id, refusal)
