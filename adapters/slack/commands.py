"""`/stage`: each subcommand becomes one core command with plain ids (or a read), answered ephemerally.

The command runs first and the ack goes back once it committed (an answer means it is stored, see
replies.py); the answer then goes to the response_url.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from adapters.slack import errors as slack_errors
from adapters.slack.blocks import board_blocks, board_summary, recap_lines
from adapters.slack.directory import PLATFORM
from adapters.slack.grammar import SPECS, Line, parse
from adapters.slack.replies import Outcome, Shaped, with_note
from adapters.slack.scheduling import HANDLERS as SCHEDULING
from adapters.slack.text import Say, date_token, mention, plain_ids, user_id
from bot.domain import commands as c
from bot.domain.errors import MissingArgument, StageNotFound, UnknownMember
from bot.domain.rules import Rules, parse_bool, parse_int
from bot.domain.validation import Visibility
from bot.i18n.markers import N_
from bot.i18n.message import Message

if TYPE_CHECKING:
    from adapters.slack.adapter import SlackAdapter, Where

Handler = Callable[["SlackAdapter", "Where", Line], Awaitable[Outcome]]
HANDLERS: dict[str, Handler] = {}

SLACK_LIMITS = N_("On Slack, Podium cannot mute, unmute or remove anyone from a huddle. It shows who has the "
                  "floor on the board, tells speakers by direct message and announces changes in the channel: "
                  "ask your audience to stay muted unless they have the floor.")


def handler(*names: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for name in names:
            HANDLERS[name] = fn
        return fn
    return register


def register(bolt: Any, adapter: SlackAdapter) -> None:
    from adapters.slack.adapter import Where

    @bolt.command("/stage")
    async def stage(ack: Any, command: dict[str, Any], respond: Any) -> None:
        where = Where(team_id=command["team_id"], user_id=command["user_id"], channel_id=command["channel_id"])

        async def work() -> Outcome:
            line = parse(command.get("text", ""))
            return await HANDLERS[line.name](adapter, where, line)

        await adapter.replies.run(work, send=adapter.replies.by_response_url(respond), team_id=where.team_id,
                                  user_id=where.user_id, what=f"/stage {command.get('text', '')!r}",
                                  ack=ack, request=command)


def _target(line: Line, index: int = 0) -> str:
    token = line.arg(index)
    found = user_id(token)
    if found is None:
        raise UnknownMember(name=token)
    return found


async def _stage_command(adapter: SlackAdapter, where: Where, kind: type[c.StageCommand], *,
                         roles: bool = False, **values: Any) -> Message:
    stage_id = await adapter.live_stage(where)
    actor = await adapter.actor(where.user_id, stage_id=stage_id if roles else None)
    return await adapter.handle(kind(actor=actor, stage_id=stage_id, **values))


# ---- the stage itself


@handler("open")
async def open_stage(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    unknown = set(line.options) - {"topic", "visibility", "capacity", "follow"}
    if unknown or len(line.args) != 1:
        raise MissingArgument(usage=line.usage)
    capacity = parse_int("capacity", line.options.get("capacity", "0"), low=0, high=10_000)
    follow = parse_bool("follow", line.options.get("follow", "off"))
    visibility = line.options.get("visibility", Visibility.PUBLIC)
    assert where.channel_id is not None
    if visibility == Visibility.INVITE_ONLY and not await _private_channel(adapter, where.channel_id):
        raise slack_errors.PrivateChannelRequired()
    actor = await adapter.actor(where.user_id)
    # Huddle events are handled while this runs: the stage opens with the huddle as it stands once they are
    # done, and is bound to it at once, so the huddle's next change finds it.
    async with adapter.huddle_lock:
        huddle = await adapter.state.live_huddle_in(where.channel_id)
        reply = await adapter.handle(c.OpenStage(
            actor=actor, platform=PLATFORM, space_id=where.team_id, channel_id=where.channel_id,
            title=line.arg(0), topic=line.options.get("topic", ""), visibility=visibility, capacity=capacity,
            present=frozenset(huddle.participants if huddle else ()), presence_known=huddle is not None))
        binding = {**({"room_id": huddle.room_id} if huddle else {}), **({"follow_huddle": True} if follow else {})}
        if binding:
            await adapter.state.update_stage(await adapter.live_stage(where), **binding)
    return with_note(reply, SLACK_LIMITS)


async def _private_channel(adapter: SlackAdapter, channel_id: str) -> bool:
    try:
        info = await adapter.client.conversations_info(channel=channel_id)
    except SlackApiError as error:
        if error.response.get("error") == "channel_not_found":  # private, and the app is not in it
            raise slack_errors.AppNotInChannel() from None
        raise
    return bool(info["channel"].get("is_private"))


@handler("close")
async def close_stage(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    return await _stage_command(adapter, where, c.CloseStage)


@handler("topic")
async def topic(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    return await _stage_command(adapter, where, c.SetTopic, topic=line.text_after(0))


@handler("rules")
async def rules(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    if line.args:
        raise MissingArgument(usage=line.usage)
    if line.options:
        # User groups are named in rules by id: `hand_roles=@speakers` arrives as <!subteam^S…|@speakers>.
        changes = {name: plain_ids(value) for name, value in line.options.items()}
        return await _stage_command(adapter, where, c.SetRules, changes=changes)
    board = await adapter.app.queries.board(await adapter.live_stage(where), lines=0)

    def shape(say: Say) -> tuple[str, None]:
        values = []
        for name in Rules.names():
            value = getattr(board.rules, name)
            values.append(f"`{name}` = {','.join(value) if isinstance(value, tuple) else value}")
        return "\n".join(values), None
    return Shaped(shape)


@handler("lock", "unlock")
async def lock(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    return await _stage_command(adapter, where, c.LockHands, locked=line.name == "lock")


@handler("status")
async def status(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    board = await adapter.app.queries.board(await adapter.live_stage(where))
    return Shaped(lambda say: (board_summary(board, say), board_blocks(board, say)))


@handler("log")
async def audit_log(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    count = parse_int("count", line.arg(0, optional=True, default="20"), low=1, high=200)
    stage_id = await adapter.live_stage(where)
    entries = await adapter.app.queries.log(stage_id, await adapter.actor(where.user_id), limit=count)
    return Shaped(lambda say: ("\n".join(f"{date_token(e.at)}  {say(e.message)}" for e in entries), None))


@handler("recap")
async def recap(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    assert where.channel_id is not None
    found = await adapter.app.queries.last_recap(PLATFORM, where.team_id, where.channel_id)
    if found is None:
        raise StageNotFound()
    title, last = found
    return Shaped(lambda say: ("\n".join(recap_lines(title, last, say)), None))


# ---- hands and speakers


@handler("raise")
async def raise_hand(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    return await _stage_command(adapter, where, c.RaiseHand, roles=True, note=line.text_after(0))


@handler("lower")
async def lower_hand(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    return await _stage_command(adapter, where, c.LowerHand)


@handler("queue")
async def queue(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    board = await adapter.app.queries.board(await adapter.live_stage(where), lines=200)
    mine = next((q.position for q in board.queue if q.user_id == where.user_id), None)

    def shape(say: Say) -> tuple[str, None]:
        lines = []
        for entry in board.queue:
            note = " " + say(Message.of(N_("“{note}”"), note=entry.note)) if entry.note else ""
            lines.append(f"#{entry.position} {mention(entry.user_id)}{note}")
        if mine is None:
            lines.append(say(Message.of(N_("Hands raised: {count}; yours is not among them."),
                                        count=board.queue_length)))
        else:
            lines.append(say(Message.of(N_("Hands raised: {count}; you are #{position}."),
                                        count=board.queue_length, position=mine)))
        return "\n".join(lines), None
    return Shaped(shape)


@handler("next")
async def approve_next(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    return with_note(await _stage_command(adapter, where, c.ApproveNext), CANNOT_UNMUTE)


@handler("approve")
async def approve(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    return with_note(await _stage_command(adapter, where, c.ApproveSpeaker, user_id=_target(line)),
                      CANNOT_UNMUTE)


CANNOT_UNMUTE = N_("Slack cannot unmute anyone: the new speaker was told by direct message and on the board.")


@handler("deny")
async def deny(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    return await _stage_command(adapter, where, c.DenyHand, user_id=_target(line), reason=line.text_after(1))


@handler("audience")
async def audience(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    target = _target(line) if line.args else where.user_id
    return await _stage_command(adapter, where, c.MoveToAudience, user_id=target)


@handler("mod add")
async def mod_add(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    return await _stage_command(adapter, where, c.AddModerator, user_id=_target(line))


@handler("mod remove")
async def mod_remove(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    return await _stage_command(adapter, where, c.RemoveModerator, user_id=_target(line))


@handler("invite")
async def invite(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    return await _stage_command(adapter, where, c.InviteMember, user_id=_target(line))


@handler("remove", "block")
async def remove(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    return await _stage_command(adapter, where, c.RemoveMember, user_id=_target(line),
                                block=line.name == "block", reason=line.text_after(1))


@handler("unblock")
async def unblock(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    return await _stage_command(adapter, where, c.UnblockMember, user_id=_target(line))


@handler("help")
async def show_help(adapter: SlackAdapter, where: Where, line: Line) -> Outcome:
    def shape(say: Say) -> tuple[str, None]:
        lines = [f"`{spec.usage}`  {say(Message(spec.help))}" for spec in SPECS.values()]
        return "\n".join([*lines, "", say(Message(SLACK_LIMITS))]), None
    return Shaped(shape)


HANDLERS.update(SCHEDULING)  # scheduled stages have a module of their own
