"""`/stage schedule | schedules | edit | cancel | rsvp`: scheduled stages, each subcommand one core command.

Dates are typed as "YYYY-MM-DD HH:MM" on the wall clock of `tz=`, else of the member's Slack time zone (the
one Slack shows them every date in), else of the space's (DEFAULT_TIMEZONE). A new series lives in that zone;
an edited start without `tz=` keeps the series in its own. The core judges the date, the recurrence, the
duration and the limit of active series; a refusal stores nothing and posts nothing. Lists show Slack date
tokens, which every reader's client renders in their own time zone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.slack.announcements import WHEN, repeat_words
from adapters.slack.directory import PLATFORM
from adapters.slack.errors import NoScheduleHere
from adapters.slack.grammar import Line
from adapters.slack.replies import Outcome, Shaped
from adapters.slack.text import Say, date_token, escape
from bot.domain import commands as c
from bot.domain.errors import MissingArgument, ScheduleNotFound
from bot.domain.rules import parse_duration
from bot.domain.schedule import parse_local
from bot.i18n.markers import N_
from bot.i18n.message import Message
from bot.services.schedule_view import ScheduleView

if TYPE_CHECKING:
    from adapters.slack.adapter import SlackAdapter, Where

EDITABLE = frozenset({"title", "start", "tz", "duration", "repeat", "topic"})
DEFAULT_DURATION = 3600


def _duration(line: Line) -> int | None:
    raw = line.options.get("duration")
    # `duration=0` reaches the core as 0, which it refuses: zero must not fall back to the default.
    return None if raw is None else parse_duration("duration", raw)


async def _series(adapter: SlackAdapter, where: Where, line: Line) -> ScheduleView:
    """The series named by its id (one of this workspace's), else the soonest one in this channel."""
    if line.args:
        schedule_id = line.arg(0)
        view = await adapter.app.queries.schedule(schedule_id)
        if (view.ref.platform, view.ref.space_id) != (PLATFORM, where.team_id):
            raise ScheduleNotFound(schedule_id=schedule_id)
        return view
    here = [v for v in await adapter.app.queries.schedules(PLATFORM, where.team_id)
            if v.ref.channel_id == where.channel_id]
    if not here:
        raise NoScheduleHere()
    return here[0]


async def schedule(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    options = line.options
    if len(line.args) != 1 or "start" not in options or set(options) - (EDITABLE - {"title"}):
        raise MissingArgument(usage=line.usage)
    assert where.channel_id is not None
    duration = _duration(line)
    # None (no zone typed, none in the member's profile): the core takes the space's.
    timezone = options.get("tz") or await adapter.directory.timezone(where.user_id)
    return await adapter.handle(c.ScheduleStage(
        actor=await adapter.actor(where.user_id), platform=PLATFORM, space_id=where.team_id,
        channel_id=where.channel_id, title=line.arg(0), start=options["start"], timezone=timezone,
        duration=DEFAULT_DURATION if duration is None else duration, recurrence=options.get("repeat", "once"),
        topic=options.get("topic", "")))


async def schedules(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    if line.args or line.options:
        raise MissingArgument(usage=line.usage)
    views = await adapter.app.queries.schedules(PLATFORM, where.team_id)
    locale = await adapter.directory.locale(where.team_id, where.user_id)

    def shape(say: Say) -> tuple[str, None]:
        lines = [say(Message.of(N_("Scheduled stages: {count}."), count=len(views)))]
        for view in views:
            when = date_token(view.next_at, WHEN) if view.next_at else "—"
            going = say(Message.of(N_("Going: {count}"), count=len(view.rsvps)))
            lines.append(f"📅 *{escape(view.ref.title)}* · <#{view.ref.channel_id}> · {when} · "
                         f"{repeat_words(view.recurrence, say, locale)} · {going} · `{view.schedule_id}`")
        return "\n".join(lines), None
    return Shaped(shape)


async def edit(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    options = line.options
    if len(line.args) > 1 or not options or set(options) - EDITABLE:
        raise MissingArgument(usage=line.usage)
    view = await _series(adapter, where, line)
    start = options.get("start")
    if start is not None and "tz" not in options:
        # The member's wall clock, handed over as an instant: the series keeps its own zone.
        start = parse_local(start, await _zone(adapter, where, view.timezone)).isoformat(sep=" ")
    return await adapter.handle(c.EditSchedule(
        actor=await adapter.actor(where.user_id), schedule_id=view.schedule_id, title=options.get("title"),
        topic=options.get("topic"), start=start, timezone=options.get("tz"), duration=_duration(line),
        recurrence=options.get("repeat")))


async def cancel(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    if len(line.args) > 1 or set(line.options) - {"occurrence", "tz"}:
        raise MissingArgument(usage=line.usage)
    view = await _series(adapter, where, line)
    typed = line.options.get("occurrence")
    occurrence = None
    if typed is not None:
        occurrence = parse_local(typed, line.options.get("tz") or await _zone(adapter, where, view.timezone))
    return await adapter.handle(c.CancelSchedule(actor=await adapter.actor(where.user_id),
                                                 schedule_id=view.schedule_id, occurrence=occurrence))


async def _zone(adapter: SlackAdapter, where: Where, fallback: str) -> str:
    return await adapter.directory.timezone(where.user_id) or fallback


async def rsvp(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    words = list(line.args)
    going = not (words and words[-1].lower() in ("off", "no"))
    if not going:
        words.pop()
    if len(words) > 1 or line.options:
        raise MissingArgument(usage=line.usage)
    view = await _series(adapter, where, Line(line.name, words))
    return await adapter.handle(c.Rsvp(actor=await adapter.actor(where.user_id), schedule_id=view.schedule_id,
                                       going=going))


HANDLERS = {"schedule": schedule, "schedules": schedules, "edit": edit, "cancel": cancel, "rsvp": rsvp}
