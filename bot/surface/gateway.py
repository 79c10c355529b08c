"""The one way in from an adapter: a row and its values become one core command (or a read), and the adapter
gets back everything it shows: the reply, the stage the command touched as committed, or what was read.

Members, stages and scheduled stages named by the member are resolved here, the same way on every platform.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from bot.domain.errors import ScheduleNotFound, StageNotFound
from bot.domain.members import Actor
from bot.domain.recording import ReplayNotFound
from bot.domain.schedule import parse_local
from bot.i18n.message import Message
from bot.services.board import Board
from bot.services.schedule_view import ScheduleView
from bot.surface.errors import AmbiguousId, NoScheduleHere
from bot.surface.rows import Kind, Row, Scope, Values, Where

# Who acts, with the roles the platform gives them there: the stage (its rules may name roles) and the channel
# (Discord judges moderation per channel; a series is judged in its own stage channel).
ActorOf = Callable[[str | None, str], Awaitable[Actor]]
# A member as typed (mention, id, display-name prefix) to their user id, or a typed refusal.
MemberOf = Callable[[str], Awaitable[str]]


class Core(Protocol):
    @property
    def bus(self) -> Any: ...

    @property
    def queries(self) -> Any: ...

    @property
    def recordings(self) -> Any: ...


@dataclass(frozen=True)
class Done:
    row: Row
    reply: Message | None = None
    stage: Board | None = None  # the stage the command touched, as committed
    view: Any = None  # what a read found: a Board, log lines, (title, recap), scheduled stages


@dataclass(frozen=True)
class Place:
    platform: str
    space_id: str
    channel_id: str
    present: frozenset[str] = frozenset()
    presence_known: bool = True  # False: the platform cannot see the room yet (Slack before a huddle)
    stage_id: str = ""  # named by the member (Discord's `stage` option); else the one live in the channel
    timezone: str | None = None  # the member's own zone, when the platform knows it


async def act(core: Core, row: Row, values: Values, place: Place, *, actor: ActorOf,
              member: MemberOf | None = None) -> Done:
    values = dict(values)
    for option in row.options:
        if option.kind is Kind.MEMBER and values.get(option.name):
            if member is None:
                raise LookupError(f"{row.name}: this platform names no members")
            values[option.name] = await member(values[option.name])
    stage_id = place.stage_id
    for option in row.options:
        if option.suggest == "replays" and values.get(option.name):
            replay = await _replay(core, str(values[option.name]), place)
            values[option.name] = replay.id
            stage_id = stage_id or replay.stage_id  # its stage, live or closed
    if row.scope is Scope.STAGE and not stage_id:
        stage_id = await core.queries.live_stage(place.platform, place.space_id, place.channel_id)
    series = await _series(core, values, place) if row.scope is Scope.SERIES else None
    if row.scope is Scope.STAGE:
        who = await judged(core, stage_id, place, actor)
    else:
        who = await actor(None, series.ref.channel_id if series is not None else place.channel_id)
    where = Where(actor=who, platform=place.platform, space_id=place.space_id,
                  channel_id=place.channel_id, present=place.present, presence_known=place.presence_known,
                  stage_id=stage_id,
                  schedule_id=series.schedule_id if series else "", timezone=place.timezone)
    if series is not None:
        values.update(_instants(values, series, place))
    command = row.build(values, where) if row.build is not None else None
    if row.read == "blocks":
        return Done(row, reply=await core.queries.blocks(where.platform, where.space_id, where.channel_id,
                                                        where.actor))
    if command is None:
        return Done(row, view=await _read(core, row, values, where))
    reply, board = await core.bus.handle_touching(command)
    return Done(row, reply, board, board if row.read == "board" else None)


async def judged(core: Core, stage_id: str, place: Place, actor: ActorOf) -> Actor:
    """The actor with the roles the platform gives them in the stage's own channel, whatever channel the
    request came from (a button's custom id or a command's option may name any stage). A stage of another
    platform or space is not found from here."""
    platform, space_id, channel_id = await core.queries.place_of(stage_id)
    if (platform, space_id) != (place.platform, place.space_id):
        raise StageNotFound()
    return await actor(stage_id, channel_id)


async def _read(core: Core, row: Row, values: Values, where: Where) -> Any:
    match row.read:
        case "board" | "rules":
            return await core.queries.board(where.stage_id)
        case "queue":
            return await core.queries.board(where.stage_id, lines=200)
        case "log":
            return await core.queries.log(where.stage_id, where.actor, limit=values["count"])
        case "recap":
            return await core.queries.last_recap(where.platform, where.space_id, where.channel_id)
        case "schedules":
            return await core.queries.schedules(where.platform, where.space_id)
        case "replays":
            return await core.recordings.replays(where.platform, where.space_id)
        case "help":
            return values.get("command", "")
    reads = getattr(core, "reads", {})  # the community's (bot/surface/community.py), by name
    if row.read in reads:
        return await reads[row.read](values, where)
    return None


async def _series(core: Core, values: Values, place: Place) -> ScheduleView:
    """The series named by its id, an unambiguous start of it or its title; else the next one in this channel,
    else the space's only one."""
    views: list[ScheduleView] = await core.queries.schedules(place.platform, place.space_id)
    typed = str(values.get("series") or "").strip().casefold()
    if not typed:
        here = [v for v in views if v.ref.channel_id == place.channel_id]
        if here:
            return here[0]  # soonest first
        if len(views) == 1:
            return views[0]
        raise NoScheduleHere()
    found = [v for v in views if v.schedule_id.casefold() == typed] or \
        [v for v in views if v.schedule_id.casefold().startswith(typed)] or \
        [v for v in views if v.ref.title.casefold() == typed]
    if len(found) > 1:
        raise AmbiguousId(value=values["series"], candidates=", ".join(v.schedule_id for v in found[:5]))
    if not found:
        raise ScheduleNotFound(schedule_id=values["series"])
    return found[0]


async def _replay(core: Core, typed: str, place: Place) -> Any:
    """A replay of this space named by its id or an unambiguous start of it."""
    key = typed.strip().casefold()
    kept = await core.recordings.replays(place.platform, place.space_id)
    found = [r for r in kept if r.id.casefold() == key] or [r for r in kept if r.id.casefold().startswith(key)]
    if len(found) > 1:
        raise AmbiguousId(value=typed, candidates=", ".join(r.id for r in found[:5]))
    if not found:
        raise ReplayNotFound(replay_id=typed)
    return found[0]


def _instants(values: Values, series: ScheduleView, place: Place) -> dict[str, Any]:
    """Dates typed for an existing series are on the member's clock (tz=, their own zone, else the series')."""
    zone = values.get("timezone") or place.timezone or series.timezone
    found: dict[str, Any] = {}
    if values.get("occurrence"):
        found["occurrence"] = parse_local(values["occurrence"], zone)
    if values.get("start") and not values.get("timezone") and place.timezone:
        # The member's wall clock, handed over as an instant: the series keeps its own zone.
        found["start"] = parse_local(values["start"], place.timezone).isoformat(sep=" ")
    return found


def with_stage(place: Place, stage_id: str) -> Place:
    return replace(place, stage_id=stage_id)
