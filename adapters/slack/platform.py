"""Slack as a StagePlatform. Slack has no API to mute, unmute or move anyone in a huddle, so Podium
orchestrates around it: the board shows who has the floor, speakers are told by direct message and
announced in the channel, and invite-only stages keep their private channel's membership in step. A scheduled
series is announced in its channel with RSVP buttons.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from adapters.pacing import Pacer
from adapters.slack.announcements import Announcer
from adapters.slack.boards import BoardKeeper
from adapters.slack.directory import PLATFORM
from adapters.slack.posting import post_once
from adapters.slack.state import SlackState
from adapters.slack.text import say
from bot.domain.members import Recap
from bot.domain.validation import Visibility
from bot.i18n.markers import N_
from bot.i18n.message import Mention, Message
from bot.ports import Capability, StageRef
from bot.services.board import Board
from bot.services.locales import Locales
from bot.services.queries import Queries
from bot.services.schedule_view import ScheduleView

log = logging.getLogger(__name__)


class SlackPlatform:
    name = PLATFORM
    # No GIVE_FLOOR nor DISCONNECT: a huddle is out of an app's reach. Access is the private channel's.
    capabilities = frozenset({Capability.DIRECT_MESSAGE, Capability.ACCESS_CONTROL})

    def __init__(self, *, client: Any, keeper: BoardKeeper, announcer: Announcer, state: SlackState,
                 queries: Queries, locales: Locales, followers: Pacer | None = None) -> None:
        self._client, self._keeper, self._announcer, self._state = client, keeper, announcer, state
        self._queries, self._locales = queries, locales
        self._followers = followers or Pacer(rate=5.0, burst=5)

    async def stage_opened(self, board: Board) -> None:
        await self._keeper.post(board)

    async def stage_closed(self, board: Board, recap: Recap) -> None:
        try:
            await self._keeper.close(board, recap)
        finally:
            await self._state.forget_stage(board.ref.stage_id)

    async def show_board(self, board: Board) -> None:
        self._keeper.show(board)

    async def set_speaker(self, stage: StageRef, user_id: str, *, speaking: bool) -> None:
        # Nobody can be unmuted from here: the floor is given in words, where the huddle's people read.
        # (Leaving the floor is announced by the core itself.)
        if speaking:
            locale = await self._locales.for_space(PLATFORM, stage.space_id)
            await self._post_public(stage, say(Message.of(
                N_("🎙 {member} has the floor: unmute yourself in the huddle."), member=Mention(user_id)), locale))

    async def notify(self, stage: StageRef, user_id: str, message: Message, locale: str) -> None:
        # A user id as the channel posts in the app's direct messages with that member.
        await post_once(self._client, channel=user_id, text=say(message, locale))

    async def notify_follower(self, stage: StageRef, user_id: str, message: Message, locale: str) -> None:
        # Paced on their own: the stage's own DMs (the floor, a lowered hand) never wait behind 5,000 of these.
        # The channel's link is the way in: a click in the DM opens it, and the huddle in it.
        await self._followers.wait()
        await post_once(self._client, channel=user_id, text=f"{say(message, locale)}\n<#{stage.channel_id}>",
                        unfurl_links=False)

    async def announce(self, stage: StageRef, message: Message, locale: str) -> None:
        await self._post_public(stage, say(message, locale))

    async def disconnect(self, stage: StageRef, user_id: str) -> None:
        if await self._private(stage):
            await self._kick(stage, user_id)
        else:
            log.info("Slack cannot take %s out of the huddle of stage %s", user_id, stage.stage_id)

    async def withdraw_hand(self, stage: StageRef, user_id: str) -> None:
        pass  # Slack keeps no hands of its own: the board, updated after every change, shows the queue

    async def restore_access(self, stage: StageRef, user_id: str) -> None:
        pass  # a block kicked them from a private channel; being let back is not being invited back

    async def set_access(self, stage: StageRef, user_id: str, *, allowed: bool) -> None:
        if not await self._private(stage):
            return
        if not allowed:
            await self._kick(stage, user_id)
            return
        try:
            await self._client.conversations_invite(channel=stage.channel_id, users=user_id)
        except SlackApiError as error:
            if error.response.get("error") != "already_in_channel":
                raise

    async def schedule_changed(self, schedule: ScheduleView) -> None:
        # Its announcement in the channel follows it; App Home reads upcoming series afresh when opened.
        self._announcer.show(schedule)

    async def _private(self, stage: StageRef) -> bool:
        """Invite-only stages live in private channels, whose members are the stage's invited ones."""
        board = await self._queries.heading(stage.stage_id)
        return board.visibility == Visibility.INVITE_ONLY

    async def _kick(self, stage: StageRef, user_id: str) -> None:
        try:
            await self._client.conversations_kick(channel=stage.channel_id, user=user_id)
        except SlackApiError as error:
            if error.response.get("error") != "not_in_channel":
                raise

    async def _post_public(self, stage: StageRef, text: str) -> None:
        """In the huddle's thread while the stage follows a huddle, else in the channel."""
        extra = await self._state.stage(stage.stage_id)
        huddle = await self._state.huddle(extra.room_id) if extra.room_id else None
        thread = huddle.thread_ts if huddle is not None and not huddle.ended else None
        content: dict[str, Any] = {"text": text, **({"thread_ts": thread} if thread else {})}
        await post_once(self._client, channel=stage.channel_id, **content)
