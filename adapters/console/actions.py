"""What each console command does: it builds one core command with plain ids, or reads a view."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from adapters.console.grammar import SPECS, Line
from adapters.console.render import board_text, recap_text, sayer
from bot.domain import commands as c
from bot.domain.members import Actor
from bot.domain.errors import MissingArgument, NotAdmin, StageNotFound
from bot.domain.rules import Rules, parse_duration, parse_int
from bot.i18n.markers import N_
from bot.i18n.message import Message

if TYPE_CHECKING:
    from adapters.console.session import ConsoleSession

Action = Callable[["ConsoleSession", Line], Awaitable[Message | None]]
ACTIONS: dict[str, Action] = {}


def action(name: str) -> Callable[[Action], Action]:
    def register(fn: Action) -> Action:
        ACTIONS[name] = fn
        return fn
    return register


def _actor(s: ConsoleSession) -> Actor:
    return s.space.actor(s.who)


async def _run(s: ConsoleSession, command: c.Command) -> Message:
    assert s.app is not None
    return await s.app.bus.handle(command)


async def _stage_command(s: ConsoleSession, kind: type[c.StageCommand], **values: object) -> Message:
    return await _run(s, kind(actor=_actor(s), stage_id=await s.stage_id(), **values))


def _target(s: ConsoleSession, line: Line, index: int = 0) -> str:
    return s.space.member(line.arg(index)).name


# ---- the session itself -----------------------------------------------------------------------


@action("/help")
async def show_help(s: ConsoleSession, line: Line) -> None:
    for spec in SPECS.values():
        s.write(f"  {spec.usage:<58} " + sayer(s.locale)(Message(spec.help)))


@action("/as")
async def become(s: ConsoleSession, line: Line) -> Message:
    s.who = _target(s, line)
    return Message.of(N_("You are now {member}."), member=s.who)


@action("/members")
async def members(s: ConsoleSession, line: Line) -> None:
    room = s.space.room(s.channel)
    for member in s.space.members.values():
        flags = sorted(member.roles) + (["admin"] if member.admin else []) + (["guest"] if member.guest else [])
        here = "🎧" if member.name in room else "  "
        s.write(f"  {here} {member.name:<8} {', '.join(flags)}")


@action("/channel")
async def channel(s: ConsoleSession, line: Line) -> Message:
    s.channel = line.arg(0).lstrip("#")
    return Message.of(N_("You are now in #{channel}."), channel=s.channel)


@action("/join")
async def join(s: ConsoleSession, line: Line) -> Message:
    try:
        stage_id = await s.stage_id()
    except StageNotFound:
        s.space.room(s.channel).add(s.who)
        return Message.of(N_("You joined the audio room of #{channel}."), channel=s.channel)
    reply = await _run(s, c.JoinAudio(actor=_actor(s), stage_id=stage_id))
    s.space.room(s.channel).add(s.who)
    return reply


@action("/leave")
async def leave(s: ConsoleSession, line: Line) -> Message:
    s.space.room(s.channel).discard(s.who)
    try:
        stage_id = await s.stage_id()
    except StageNotFound:
        return Message.of(N_("You left the audio room of #{channel}."), channel=s.channel)
    return await _run(s, c.LeaveAudio(actor=_actor(s), stage_id=stage_id))


@action("/clock")
async def clock(s: ConsoleSession, line: Line) -> Message:
    step = line.arg(0, optional=True)
    if step:
        if not step.startswith("+"):
            raise MissingArgument(usage=SPECS["/clock"].usage)
        s.clock.advance(timedelta(seconds=parse_duration("duration", step[1:])))
        assert s.app is not None
        await s.app.settle()
    return Message.of(N_("It is {time}."), time=s.clock.now())


@action("/locale")
async def locale(s: ConsoleSession, line: Line) -> Message:
    assert s.app is not None
    await s.app.locales.set_member("console", s.who, line.arg(0))
    return Message.of(N_("Language set to {language}."), language=line.arg(0))


@action("/space locale")
async def space_locale(s: ConsoleSession, line: Line) -> Message:
    assert s.app is not None
    if not s.space.member(s.who).admin:
        raise NotAdmin()
    await s.app.locales.set_space("console", s.space.id, line.arg(0))
    return Message.of(N_("The space's language is now {language}."), language=line.arg(0))


@action("/restart")
async def restart(s: ConsoleSession, line: Line) -> Message:
    await s.restart()
    return Message.of(N_("Podium restarted; everything was read back from the database."))


@action("/quit")
async def quit_(s: ConsoleSession, line: Line) -> None:
    return None


# ---- stages -----------------------------------------------------------------------------------


@action("/stage open")
async def open_stage(s: ConsoleSession, line: Line) -> Message:
    unknown = set(line.options) - {"topic", "visibility", "capacity"}
    if unknown or len(line.args) != 1:
        raise MissingArgument(usage=SPECS[line.name].usage)
    capacity = parse_int("capacity", line.options.get("capacity", "0"), low=0, high=10_000)
    return await _run(s, c.OpenStage(
        actor=_actor(s), platform="console", space_id=s.space.id, channel_id=s.channel, title=line.arg(0),
        topic=line.options.get("topic", ""), visibility=line.options.get("visibility", "public"),
        capacity=capacity, present=frozenset(s.space.room(s.channel))))


@action("/stage close")
async def close_stage(s: ConsoleSession, line: Line) -> Message:
    return await _stage_command(s, c.CloseStage)


@action("/stage topic")
async def topic(s: ConsoleSession, line: Line) -> Message:
    return await _stage_command(s, c.SetTopic, topic=" ".join(line.args))


@action("/stage rules")
async def rules(s: ConsoleSession, line: Line) -> Message | None:
    if line.args:
        raise MissingArgument(usage=SPECS[line.name].usage)
    if line.options:
        return await _stage_command(s, c.SetRules, changes=dict(line.options))
    assert s.app is not None
    board = await s.app.queries.board(await s.stage_id())
    for name in Rules.names():
        value = getattr(board.rules, name)
        s.write(f"  {name} = {','.join(value) if isinstance(value, tuple) else value}")
    return None


@action("/stage lock")
async def lock(s: ConsoleSession, line: Line) -> Message:
    return await _stage_command(s, c.LockHands, locked=True)


@action("/stage unlock")
async def unlock(s: ConsoleSession, line: Line) -> Message:
    return await _stage_command(s, c.LockHands, locked=False)


@action("/stage status")
async def status(s: ConsoleSession, line: Line) -> None:
    assert s.app is not None
    for text in board_text(await s.app.queries.board(await s.stage_id()), sayer(s.locale)):
        s.write(text)


@action("/stage log")
async def audit_log(s: ConsoleSession, line: Line) -> None:
    assert s.app is not None
    count = parse_int("count", line.arg(0, optional=True, default="20"), low=1, high=500)
    entries = await s.app.queries.log(await s.stage_id(), _actor(s), limit=count)
    for entry in entries:
        s.write(f"  {entry.at:%H:%M:%S}  " + sayer(s.locale)(entry.message))


@action("/stage recap")
async def recap(s: ConsoleSession, line: Line) -> None:
    assert s.app is not None
    found = await s.app.queries.last_recap("console", s.space.id, s.channel)
    if found is None:
        raise StageNotFound()
    title, last = found
    for text in recap_text(title, last, sayer(s.locale)):
        s.write(text)


@action("/stage invite")
async def invite(s: ConsoleSession, line: Line) -> Message:
    return await _stage_command(s, c.InviteMember, user_id=_target(s, line))


@action("/stage remove")
async def remove(s: ConsoleSession, line: Line) -> Message:
    return await _stage_command(s, c.RemoveMember, user_id=_target(s, line), reason=line.arg(1, optional=True))


@action("/stage block")
async def block(s: ConsoleSession, line: Line) -> Message:
    return await _stage_command(s, c.RemoveMember, user_id=_target(s, line), block=True,
                                reason=line.arg(1, optional=True))


@action("/stage unblock")
async def unblock(s: ConsoleSession, line: Line) -> Message:
    return await _stage_command(s, c.UnblockMember, user_id=_target(s, line))


# ---- hands and speakers -----------------------------------------------------------------------


@action("/hand raise")
async def raise_hand(s: ConsoleSession, line: Line) -> Message:
    return await _stage_command(s, c.RaiseHand, note=" ".join(line.args))


@action("/hand lower")
async def lower_hand(s: ConsoleSession, line: Line) -> Message:
    return await _stage_command(s, c.LowerHand)


@action("/queue")
async def queue(s: ConsoleSession, line: Line) -> Message:
    assert s.app is not None
    board = await s.app.queries.board(await s.stage_id(), lines=200)
    for entry in board.queue:
        note = f" “{entry.note}”" if entry.note else ""
        s.write(f"  #{entry.position} {entry.user_id}{note}")
    mine = next((q.position for q in board.queue if q.user_id == s.who), None)
    if mine is None:
        return Message.of(N_("Hands raised: {count}; yours is not among them."), count=board.queue_length)
    return Message.of(N_("Hands raised: {count}; you are #{position}."), count=board.queue_length, position=mine)


@action("/speaker approve")
async def approve(s: ConsoleSession, line: Line) -> Message:
    return await _stage_command(s, c.ApproveSpeaker, user_id=_target(s, line))


@action("/speaker next")
async def approve_next(s: ConsoleSession, line: Line) -> Message:
    return await _stage_command(s, c.ApproveNext)


@action("/speaker deny")
async def deny(s: ConsoleSession, line: Line) -> Message:
    return await _stage_command(s, c.DenyHand, user_id=_target(s, line), reason=line.arg(1, optional=True))


@action("/speaker audience")
async def audience(s: ConsoleSession, line: Line) -> Message:
    target = _target(s, line) if line.args else s.who
    return await _stage_command(s, c.MoveToAudience, user_id=target)


@action("/mod add")
async def mod_add(s: ConsoleSession, line: Line) -> Message:
    return await _stage_command(s, c.AddModerator, user_id=_target(s, line))


@action("/mod remove")
async def mod_remove(s: ConsoleSession, line: Line) -> Message:
    return await _stage_command(s, c.RemoveModerator, user_id=_target(s, line))
