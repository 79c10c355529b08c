"""What a console line does: the simulation's own rows act here; every other row goes through the gateway."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from adapters.console.errors import UnknownChannel
from adapters.console.grammar import GRAMMAR, ROWS
from adapters.console.render import shown
from adapters.console.seat import Seat
from bot.domain import commands as c
from bot.domain.errors import NotAdmin, StageNotFound
from bot.domain.members import Actor
from bot.i18n.markers import N_
from bot.i18n.message import Message
from bot.surface.gateway import Place, act
from bot.surface.grammar import Parsed
from bot.surface.show import help_lines

PLATFORM = "console"
Effect = Callable[[Seat, Parsed], Awaitable[Message | None]]
EFFECTS: dict[str, Effect] = {}


def effect(name: str) -> Callable[[Effect], Effect]:
    def register(fn: Effect) -> Effect:
        EFFECTS[name] = fn
        return fn
    return register


async def run(s: Seat, parsed: Parsed) -> Message | None:
    """One parsed line: an effect of the simulation, the help, or one core command (or read) via the gateway."""
    row = parsed.row
    if row.effect is not None:
        return await EFFECTS[row.effect](s, parsed)
    if row.read == "help":
        for usage, help in help_lines(GRAMMAR, ROWS, parsed.values.get("command", "")):
            s.write(f"  {s.say_text(usage):<58} {s.say_text(help)}")
        return None
    assert s.app is not None

    async def actor(stage_id: str | None, channel_id: str) -> Actor:
        return s.space.actor(s.who)

    async def member(typed: str) -> str:
        return s.space.member(typed).name

    place = Place(platform=PLATFORM, space_id=s.space.id, channel_id=s.channel,
                  present=frozenset(s.space.room(s.channel)))
    done = await act(s.app, row, parsed.values, place, actor=actor, member=member)
    if row.read == "recap" and done.view is None:
        raise StageNotFound()
    return shown(done, write=s.write, who=s.who, locale=s.locale)


# ---- the simulation ---------------------------------------------------------------------------


@effect("as")
async def become(s: Seat, parsed: Parsed) -> Message:
    s.who = s.space.member(parsed.values["member"]).name
    return Message.of(N_("You are now {member}."), member=s.who)


@effect("members")
async def members(s: Seat, parsed: Parsed) -> None:
    room = s.space.room(s.channel)
    for member in s.space.members.values():
        flags = sorted(member.roles) + (["admin"] if member.admin else []) + (["guest"] if member.guest else [])
        here = "🎧" if member.name in room else "  "
        s.write(f"  {here} {member.name:<8} {', '.join(flags)}")


@effect("channel")
async def channel(s: Seat, parsed: Parsed) -> Message:
    name = parsed.values["channel"].strip().lstrip("#").lower()
    if name not in s.space.channels:
        raise UnknownChannel(channel=name, channels=", ".join("#" + c for c in sorted(s.space.channels)))
    s.channel = name
    return Message.of(N_("You are now in #{channel}."), channel=s.channel)


@effect("join")
async def join(s: Seat, parsed: Parsed) -> Message:
    assert s.app is not None
    try:
        stage_id = await s.stage_id()
    except StageNotFound:
        s.space.room(s.channel).add(s.who)
        return Message.of(N_("You joined the audio room of #{channel}."), channel=s.channel)
    reply = await s.app.bus.handle(c.JoinAudio(actor=s.space.actor(s.who), stage_id=stage_id))
    s.space.room(s.channel).add(s.who)
    return reply


@effect("leave")
async def leave(s: Seat, parsed: Parsed) -> Message:
    assert s.app is not None
    s.space.room(s.channel).discard(s.who)
    try:
        stage_id = await s.stage_id()
    except StageNotFound:
        return Message.of(N_("You left the audio room of #{channel}."), channel=s.channel)
    return await s.app.bus.handle(c.LeaveAudio(actor=s.space.actor(s.who), stage_id=stage_id))


@effect("clock")
async def clock(s: Seat, parsed: Parsed) -> Message:
    step = parsed.values.get("step")
    if step:
        s.clock.advance(timedelta(seconds=step))
        assert s.app is not None
        await s.app.settle()
    return Message.of(N_("It is {time}."), time=s.clock.now())


@effect("locale")
async def locale(s: Seat, parsed: Parsed) -> Message:
    assert s.app is not None
    await s.app.locales.set_member(PLATFORM, s.who, parsed.values["locale"])
    s.locale = parsed.values["locale"]  # the answer already speaks the new language
    return Message.of(N_("Language set to {language}."), language=parsed.values["locale"])


@effect("space locale")
async def space_locale(s: Seat, parsed: Parsed) -> Message:
    assert s.app is not None
    if not s.space.member(s.who).admin:
        raise NotAdmin()
    await s.app.locales.set_space(PLATFORM, s.space.id, parsed.values["locale"])
    return Message.of(N_("The space's language is now {language}."), language=parsed.values["locale"])


@effect("restart")
async def restart(s: Seat, parsed: Parsed) -> Message:
    await s.restart()
    return Message.of(N_("Podium restarted; everything was read back from the database."))


@effect("quit")
async def quit_(s: Seat, parsed: Parsed) -> None:
    return None
