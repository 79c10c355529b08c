"""Console commands for scheduled stages: plan, list, change, cancel, RSVP."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.console.actions import _actor, _run, action
from adapters.console.grammar import SPECS, Line
from adapters.console.render import sayer, schedule_text
from bot.domain import commands as c
from bot.domain.errors import MissingArgument, ScheduleNotFound
from bot.domain.rules import parse_duration
from bot.domain.schedule import parse_local
from bot.i18n.markers import N_
from bot.i18n.message import Message

if TYPE_CHECKING:
    from adapters.console.session import ConsoleSession

_EDITABLE = {"title", "start", "tz", "duration", "repeat", "topic"}


async def _series(s: ConsoleSession, line: Line) -> str:
    """The series named by its id, or else the soonest one in this channel."""
    if line.args:
        return line.arg(0)
    assert s.app is not None
    here = [v for v in await s.app.queries.schedules("console", s.space.id) if v.ref.channel_id == s.channel]
    if not here:
        raise ScheduleNotFound(schedule_id="#" + s.channel)
    return here[0].schedule_id


def _duration(line: Line) -> int | None:
    raw = line.options.get("duration")
    return None if raw is None else parse_duration("duration", raw)


@action("/stage schedule")
async def schedule(s: ConsoleSession, line: Line) -> Message:
    if len(line.args) != 1 or "start" not in line.options or set(line.options) - (_EDITABLE - {"title"}):
        raise MissingArgument(usage=SPECS[line.name].usage)
    return await _run(s, c.ScheduleStage(
        actor=_actor(s), platform="console", space_id=s.space.id, channel_id=s.channel, title=line.arg(0),
        start=line.options["start"], timezone=line.options.get("tz"),
        duration=_duration(line) or 3600,
        recurrence=line.options.get("repeat", "once"), topic=line.options.get("topic", "")))


@action("/stage schedules")
async def schedules(s: ConsoleSession, line: Line) -> Message:
    assert s.app is not None
    views = await s.app.queries.schedules("console", s.space.id)
    for view in views:
        s.write("  " + schedule_text(view, sayer(s.locale)))
    return Message.of(N_("Scheduled stages: {count}."), count=len(views))


@action("/stage edit")
async def edit(s: ConsoleSession, line: Line) -> Message:
    if len(line.args) > 1 or not line.options or set(line.options) - _EDITABLE:
        raise MissingArgument(usage=SPECS[line.name].usage)
    o = line.options
    return await _run(s, c.EditSchedule(
        actor=_actor(s), schedule_id=await _series(s, line), title=o.get("title"), topic=o.get("topic"), start=o.get("start"),
        timezone=o.get("tz"), duration=_duration(line), recurrence=o.get("repeat")))


@action("/stage cancel")
async def cancel(s: ConsoleSession, line: Line) -> Message:
    if len(line.args) > 1 or set(line.options) - {"occurrence"}:
        raise MissingArgument(usage=SPECS[line.name].usage)
    schedule_id = await _series(s, line)
    occurrence = None
    if "occurrence" in line.options:
        assert s.app is not None
        view = await s.app.queries.schedule(schedule_id)
        occurrence = parse_local(line.options["occurrence"], view.timezone)
    return await _run(s, c.CancelSchedule(actor=_actor(s), schedule_id=schedule_id, occurrence=occurrence))


@action("/rsvp")
async def rsvp(s: ConsoleSession, line: Line) -> Message:
    words = [w.lower() for w in line.args]
    answer = words.pop() if words and words[-1] in ("off", "no") else ""
    if len(words) > 1:
        raise MissingArgument(usage=SPECS[line.name].usage)
    target = Line(line.name, words, line.options)
    return await _run(s, c.Rsvp(actor=_actor(s), schedule_id=await _series(s, target), going=not answer))
