"""`/stage`: each subcommand goes through the core's grammar and gateway, answered ephemerally.

The command runs first and the ack goes back once it committed (an answer means it is stored, see
replies.py); the answer then goes to the response_url. What is Slack's own here: huddles (who is present,
`follow=on`), private channels for invite-only stages, member mentions and user groups, and the notes saying
what Slack cannot do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from adapters.slack import errors as slack_errors
from adapters.slack.directory import PLATFORM
from adapters.slack.grammar import GRAMMAR, ROWS, parse
from adapters.slack.replies import Outcome, Shaped, with_note
from adapters.slack.shown import shown
from adapters.slack.text import Say, plain_ids, user_id
from bot.domain.members import Actor
from bot.domain.validation import Visibility
from bot.i18n.markers import N_
from bot.i18n.message import Message
from bot.surface.gateway import Done, Place, act
from bot.surface.grammar import Parsed
from bot.surface.members import pick
from bot.surface.show import help_lines

if TYPE_CHECKING:
    from adapters.slack.adapter import SlackAdapter, Where

SLACK_LIMITS = N_("On Slack, Podium cannot mute, unmute or remove anyone from a huddle. It shows who has the "
                  "floor on the board, tells speakers by direct message and announces changes in the channel: "
                  "ask your audience to stay muted unless they have the floor.")
NO_AUDIO = N_("Recording is on, but Slack gives bots no huddle audio: nothing is recorded.")
CANNOT_UNMUTE = N_("Slack cannot unmute anyone: the new speaker was told by direct message and on the board.")


def register(bolt: Any, adapter: SlackAdapter) -> None:
    from adapters.slack.adapter import Where

    @bolt.command("/stage")
    async def stage(ack: Any, command: dict[str, Any], respond: Any) -> None:
        where = Where(team_id=command["team_id"], user_id=command["user_id"], channel_id=command["channel_id"])

        async def work() -> Outcome:
            return await run(adapter, where, parse(command.get("text", "")))

        await adapter.replies.run(work, send=adapter.replies.by_response_url(respond), team_id=where.team_id,
                                  user_id=where.user_id, what=f"/stage {command.get('text', '')!r}",
                                  ack=ack, request=command)


async def run(adapter: SlackAdapter, where: Where, parsed: Parsed) -> Outcome:
    row = parsed.row
    if row.read == "help":
        return _help(parsed)
    assert where.channel_id is not None

    async def actor(stage_id: str | None, channel_id: str) -> Actor:
        return await adapter.actor(where.user_id, stage_id=stage_id)

    async def member(typed: str) -> str:
        found = user_id(typed)
        if found is not None:
            await adapter.directory.member(found)  # refused (UnknownUser) unless Slack knows them
            return found
        # A name typed without @ (Slack sends it as it is): one of the members this stage knows.
        roster = await adapter.app.queries.roster(await adapter.live_stage(where))
        known = roster.present | set(roster.hands) | roster.speakers | roster.moderators | roster.invited
        return pick(typed, [(uid, (await adapter.directory.member(uid)).name) for uid in sorted(known)])

    values = dict(parsed.values)
    if "changes" in values:  # user groups are named in rules by id: `hand_roles=@speakers` is <!subteam^S…>
        values["changes"] = {name: plain_ids(value) for name, value in values["changes"].items()}
    place = Place(platform=PLATFORM, space_id=where.team_id, channel_id=where.channel_id,
                  timezone=await adapter.directory.timezone(where.user_id) if row.path[-1] in (
                      "schedule", "edit", "cancel") else None)
    if row.name == "stage open":
        return await _open(adapter, where, place, values, actor)
    done = await act(adapter.app, row, values, place, actor=actor, member=member)
    if row.name in ("speaker approve", "speaker next") and done.reply is not None:
        return with_note(done.reply, CANNOT_UNMUTE)
    if row.name == "stage record" and values["recording"] and done.reply is not None:
        return with_note(done.reply, NO_AUDIO)
    return await shown(adapter, where, done)


async def _open(adapter: SlackAdapter, where: Where, place: Place, values: dict[str, Any], actor: Any) -> Outcome:
    assert where.channel_id is not None
    if values["visibility"] == Visibility.INVITE_ONLY and not await _private_channel(adapter, where.channel_id):
        raise slack_errors.PrivateChannelRequired()
    # Huddle events are handled while this runs: the stage opens with the huddle as it stands once they are
    # done, and is bound to it at once, so the huddle's next change finds it.
    async with adapter.huddle_lock:
        huddle = await adapter.state.live_huddle_in(where.channel_id)
        place = Place(platform=place.platform, space_id=place.space_id, channel_id=place.channel_id,
                      present=frozenset(huddle.participants if huddle else ()), presence_known=huddle is not None)
        done: Done = await act(adapter.app, GRAMMAR.names[("open",)], values, place, actor=actor)
        binding = {**({"room_id": huddle.room_id} if huddle else {}),
                   **({"follow_huddle": True} if values.get("follow") else {})}
        if binding and done.stage is not None:
            await adapter.state.update_stage(done.stage.ref.stage_id, **binding)
    assert done.reply is not None
    return with_note(done.reply, *((NO_AUDIO,) if values.get("record") else ()), SLACK_LIMITS)


async def _private_channel(adapter: SlackAdapter, channel_id: str) -> bool:
    try:
        info = await adapter.client.conversations_info(channel=channel_id)
    except SlackApiError as error:
        if error.response.get("error") == "channel_not_found":  # private, and the app is not in it
            raise slack_errors.AppNotInChannel() from None
        raise
    return bool(info["channel"].get("is_private"))


def _help(parsed: Parsed) -> Shaped:
    entries = help_lines(GRAMMAR, ROWS, parsed.values.get("command", ""))

    def shape(say: Say) -> tuple[str, None]:
        lines = [f"`{say(usage)}`  {say(help)}" for usage, help in entries]
        return "\n".join([*lines, "", say(Message(SLACK_LIMITS))]), None
    return Shaped(shape)
