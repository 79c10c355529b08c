"""At start-up and after every gateway reconnect: Discord's view of each live stage against the database.

Who is in the stage channel joins or leaves the stage; hands raised in Discord while the bot was away join the
queue in the order they were raised, and those withdrawn there leave it; speakers who left are removed (the
core does that when they leave); a speaker the core knows but Discord muted is given the floor again, and one Discord unmuted without the core is
approved or muted. Runs in the stage channel's lane, so no voice event is applied on a stale view.
Each upcoming series gets its Discord event back in line too (scheduled_events.py).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord

from adapters.discord.context import Context, lane
from adapters.discord.members import PLATFORM, actor_of, bot_actor
from adapters.discord.invoke import attempt
from adapters.discord.voice import ref_of
from bot.domain import commands as c
from bot.domain import errors
from bot.domain.members import Actor
from bot.i18n.catalog import supported_locale
from bot.ports import StageRef

if TYPE_CHECKING:
    from adapters.discord.platform import DiscordPlatform

log = logging.getLogger(__name__)


class Reconciler:
    def __init__(self, ctx: Context, platform: DiscordPlatform) -> None:
        self._ctx, self._platform = ctx, platform
        self._tasks: set[asyncio.Task[None]] = set()
        self.runs = 0  # stages reconciled since start (operators' logs and tests read it)

    def guild(self, guild: discord.Guild) -> None:
        task = asyncio.create_task(self._guild(guild), name=f"reconcile:{guild.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def learn_language(self, guild: discord.Guild) -> None:
        """The server's preferred locale (Server Settings → Community) is its language for the board,
        announcements and members whose own Discord language we do not speak."""
        locale = supported_locale(guild.preferred_locale)
        if locale is not None:
            await self._ctx.app.locales.learn_space(PLATFORM, str(guild.id), locale)

    def stage(self, ref: StageRef) -> None:
        self._ctx.lanes.submit(lane(ref.space_id, ref.channel_id), lambda: self._stage(ref))

    async def _guild(self, guild: discord.Guild) -> None:
        await self.learn_language(guild)
        try:
            for ref in await self._ctx.app.queries.live_stages(PLATFORM, str(guild.id)):
                self.stage(ref)
        except Exception:
            log.exception("could not list the live stages of guild %s", guild.id)
        try:  # series planned while Discord was out of reach, or whose event someone deleted, get theirs
            for view in await self._ctx.app.queries.schedules(PLATFORM, str(guild.id)):
                await self._platform.events.sync(view.schedule_id)
        except Exception:
            log.exception("could not mirror the scheduled stages of guild %s", guild.id)

    async def _stage(self, ref: StageRef) -> None:
        ctx = self._ctx
        guild = ctx.client.get_guild(int(ref.space_id))
        channel = guild.get_channel(int(ref.channel_id)) if guild is not None else None
        if guild is None or not isinstance(channel, discord.StageChannel):
            log.warning("stage %s: its channel %s is gone or out of reach", ref.stage_id, ref.channel_id)
            return
        ctx.directory.opened(ref.space_id, ref.channel_id, ref.stage_id)
        # The board first, as the database has it: what follows (the room's presence in one command, floors
        # given back at Discord's voice-state pace of a few a second) takes seconds on a busy stage, and a
        # board waiting behind it stayed stale that long after a restart. It is shown again at the end.
        ctx.boards.show(await ctx.app.queries.board(ref.stage_id))
        here = ref_of(ref.stage_id, channel)
        roster = await ctx.app.queries.roster(ref.stage_id)
        voice = {str(uid): state for uid, state in channel.voice_states.items()
                 if (m := guild.get_member(uid)) is not None and not m.bot}
        # Who is in the room, in one command: newcomers join (the rules may keep some out: the core has them
        # disconnected and told why), those gone leave.
        room = tuple(self._actor(member, channel) for user_id in sorted(voice)
                     if (member := guild.get_member(int(user_id))) is not None)
        await attempt(ctx, c.SyncPresence(actor=bot_actor(ctx.client), stage_id=ref.stage_id, room=room))
        roster = await ctx.app.queries.roster(ref.stage_id)
        for user_id in sorted(roster.speakers & voice.keys()):
            if voice[user_id].suppress:
                await self._platform.set_speaker(here, user_id, speaking=True)
        for user_id, state in sorted(voice.items()):
            if not state.suppress and user_id not in roster.speakers:
                refusal = await attempt(ctx, c.ApproveSpeaker(actor=bot_actor(ctx.client), stage_id=ref.stage_id,
                                                              user_id=user_id), errors.AlreadySpeaker)
                if refusal is not None:
                    await self._platform.set_speaker(here, user_id, speaking=False)
        raised = sorted((state.requested_to_speak_at, user_id) for user_id, state in voice.items()
                        if state.suppress and state.requested_to_speak_at is not None
                        and user_id not in roster.hands and user_id not in roster.speakers)
        for _, user_id in raised:
            member = guild.get_member(int(user_id))
            assert member is not None
            refusal = await attempt(ctx, c.RaiseHand(actor=self._actor(member, channel), stage_id=ref.stage_id,
                                                     native=True),
                                    errors.AlreadyRaised, errors.AlreadySpeaker)
            if refusal is not None:
                await self._platform.clear_request(here, user_id, refusal)
        # A request to speak withdrawn in Discord while the bot was away; hands raised with the bot's own
        # command or button never had a request, so they stay.
        for user_id in sorted(roster.native_hands & voice.keys()):
            if voice[user_id].suppress and voice[user_id].requested_to_speak_at is None:
                await attempt(ctx, c.LowerHand(actor=Actor(user_id), stage_id=ref.stage_id), errors.NoHandRaised)
        board = await ctx.app.queries.board(ref.stage_id)
        if channel.instance is None:
            await self._platform.ensure_instance(channel, board)
        ctx.boards.show(board)
        self.runs += 1
        log.info("stage %s reconciled: %d in the room, %d hands", ref.stage_id, len(voice), board.queue_length)

    def _actor(self, member: discord.Member, channel: discord.StageChannel) -> Actor:
        return actor_of(member, channel, self._ctx.moderator_roles)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
