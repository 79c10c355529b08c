"""Huddle awareness: which huddle a live stage follows, and who is in it.

- A `huddle_thread` message (a huddle started in a channel) binds the channel's live stage to that huddle:
  its board is posted in the huddle's thread and the huddle's people are present.
- Slack's edits of that message (people come and go, the huddle ends) and `user_huddle_changed` keep
  presence: in the huddle or not. The core keeps a leaver's place for the grace period.
- A huddle that ends closes its stage when the stage follows it (`/stage open … follow=on`).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from adapters.slack.state import Huddle
from adapters.slack.text import say
from bot.domain import commands as c
from bot.domain.errors import StageError, StageNotFound
from bot.domain.members import SYSTEM, Actor
from bot.i18n.message import Message

if TYPE_CHECKING:
    from adapters.slack.adapter import SlackAdapter

log = logging.getLogger(__name__)


class Presence:
    def __init__(self, adapter: SlackAdapter) -> None:
        self._adapter = adapter

    async def huddle_message(self, team_id: str, channel_id: str, message: dict[str, Any]) -> None:
        """A huddle_thread message, new or edited: the huddle's state as Slack shows it."""
        room = message["room"]
        huddle = Huddle(room_id=room["id"], team_id=team_id, channel_id=channel_id,
                        thread_ts=room.get("thread_root_ts") or message["ts"],
                        participants=() if room.get("has_ended") else tuple(room.get("participants", ())),
                        ended=bool(room.get("has_ended")))
        async with self._adapter.huddle_lock:
            before = await self._adapter.state.huddle(huddle.room_id)
            await self._adapter.state.save_huddle(huddle)
            if before is not None and before.ended:
                return  # a late edit of a huddle that is over
            stage_id = await self._bind(huddle)
            if stage_id is None:
                return
            if huddle.ended:
                await self._ended(stage_id, huddle)
            else:
                await self._sync(stage_id, huddle)

    async def user_changed(self, team_id: str, user: dict[str, Any]) -> None:
        """`user_huddle_changed`: the member is in the huddle `huddle_state_call_id`, or in none."""
        profile = user.get("profile") or {}
        room_id = profile.get("huddle_state_call_id") if profile.get("huddle_state") == "in_a_huddle" else None
        async with self._adapter.huddle_lock:
            await self._track(team_id, user["id"], room_id)
            for stage_id, bound_room in await self._adapter.state.bound_in_team(team_id):
                if bound_room == room_id:
                    await self._join(stage_id, user["id"])
                else:
                    await self._leave(stage_id, user["id"])

    async def _track(self, team_id: str, user_id: str, room_id: str | None) -> None:
        """Who is in each huddle, also before a stage opens there (it starts with them present)."""
        for huddle in await self._adapter.state.live_huddles(team_id):
            inside = user_id in huddle.participants
            if huddle.room_id == room_id and not inside:
                await self._adapter.state.save_huddle(replace(huddle, participants=(*huddle.participants, user_id)))
            elif huddle.room_id != room_id and inside:
                await self._adapter.state.save_huddle(replace(
                    huddle, participants=tuple(u for u in huddle.participants if u != user_id)))

    async def _bind(self, huddle: Huddle) -> str | None:
        """The live stage following this huddle, binding the channel's live stage to a new huddle."""
        bound = await self._adapter.state.bound_to(huddle.room_id)
        if bound:
            return bound[0]
        if huddle.ended:
            return None
        try:
            stage_id = await self._adapter.app.queries.live_stage("slack", huddle.team_id, huddle.channel_id)
        except StageNotFound:
            return None
        board = await self._adapter.app.queries.board(stage_id)
        await self._adapter.keeper.post_in_thread(board, huddle.room_id, huddle.thread_ts)
        return stage_id

    async def _sync(self, stage_id: str, huddle: Huddle) -> None:
        """The huddle as Slack shows it, in one core command: newcomers join (or hear why not), the others leave."""
        present = (await self._adapter.app.queries.roster(stage_id)).present
        room = [Actor(user_id) if user_id in present else await self._adapter.actor(user_id, stage_id=stage_id)
                for user_id in sorted(set(huddle.participants))]
        await self._run(c.SyncPresence(actor=SYSTEM, stage_id=stage_id, room=tuple(room)), stage_id)

    async def _ended(self, stage_id: str, huddle: Huddle) -> None:
        options = await self._adapter.state.stage(stage_id)
        if options.follow_huddle:
            await self._run(c.CloseStage(actor=SYSTEM, stage_id=stage_id), stage_id)
            return
        await self._adapter.state.update_stage(stage_id, room_id=None)
        # No huddle any more: nobody is in it, and who is in the next one is unknown until it is seen.
        await self._run(c.SyncPresence(actor=SYSTEM, stage_id=stage_id, known=False), stage_id)

    async def _join(self, stage_id: str, user_id: str) -> None:
        roster = await self._adapter.app.queries.roster(stage_id)
        if user_id in roster.present:
            return
        try:
            actor = await self._adapter.actor(user_id, stage_id=stage_id)
            await self._adapter.handle(c.JoinAudio(actor=actor, stage_id=stage_id))
        except StageError as refusal:
            # Slack cannot keep anyone out of a huddle; the member at least learns they are not on stage.
            await self._tell(user_id, Message(refusal.message, refusal.params), stage_id)

    async def _leave(self, stage_id: str, user_id: str) -> None:
        roster = await self._adapter.app.queries.roster(stage_id)
        if user_id in roster.present:
            actor = await self._adapter.actor(user_id)
            await self._run(c.LeaveAudio(actor=actor, stage_id=stage_id), stage_id)

    async def _run(self, command: c.Command, stage_id: str) -> None:
        try:
            await self._adapter.handle(command)
        except StageError as refusal:
            log.info("huddle change on stage %s refused: %s", stage_id, refusal)

    async def _tell(self, user_id: str, message: Message, stage_id: str) -> None:
        board = await self._adapter.app.queries.heading(stage_id)
        locale = await self._adapter.directory.locale(board.ref.space_id, user_id)
        await self._adapter.client.chat_postMessage(channel=user_id, text=say(message, locale))
