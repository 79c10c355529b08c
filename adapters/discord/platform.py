"""Discord as a StagePlatform: what the core asks after each commit, done with Discord's own features.

The floor is the stage channel's suppress flag; the board is a message in the channel's chat; direct messages
tell members; overwrites and the user limit carry visibility and capacity. Every Discord refusal is reported to
the moderators (failures.py) and the stage goes on.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

import discord

from adapters.discord import access
from adapters.discord.board_view import recap_embed
from adapters.discord.context import Context
from adapters.discord.cues.sound import Cue
from adapters.discord.members import PLATFORM, say
from adapters.discord.replies import refusal_message
from adapters.discord.scheduled_events import ScheduledEvents
from bot.domain.errors import StageError, StageNotFound
from bot.domain.members import Recap
from bot.domain.validation import Visibility
from bot.i18n.markers import N_
from bot.i18n.message import Mention, Message
from bot.ports import Capability, StageRef
from bot.services.effects import current
from bot.services.board import Board
from bot.services.schedule_view import ScheduleView

if TYPE_CHECKING:
    from adapters.discord.cues.player import CuePlayer
    from adapters.discord.recording.recorder import Recorder

log = logging.getLogger(__name__)

TOPIC_CHARACTERS = 120  # a Discord stage instance's topic


def _nonce() -> str:
    """The outbox effect being delivered names the post: Discord answers a repeated one with the first.
    (Outside a delivery, a nonce of its own: nothing to repeat.)"""
    delivery = current()
    return delivery.nonce if delivery is not None else uuid.uuid4().hex[:25]


def _channel_tag(channel_id: str) -> str:
    return f"<#{channel_id}>"


class DiscordPlatform:
    name = PLATFORM
    capabilities = frozenset({Capability.GIVE_FLOOR, Capability.DIRECT_MESSAGE, Capability.DISCONNECT,
                              Capability.ACCESS_CONTROL, Capability.CAPACITY, Capability.SCHEDULED_EVENTS})

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        # Under SHARD_IDS, effects of guilds of other processes' shards are handed to them (RoutedPlatform).
        self.routes = ctx.settings.routes
        self.events = ScheduledEvents(ctx)
        # Stage instances the bot itself ends: their deletion, echoed by the gateway, must not close the stage
        # that may already be live in the same channel (a series opening right after a stage closed).
        self._ending: set[int] = set()
        self._rooms: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._topics: dict[str, str] = {}
        # Set by the client: opening a stage reconciles it (reconcile.py's Reconciler.stage).
        self.reconcile: Callable[[StageRef], None] | None = None
        self.cues: CuePlayer | None = None  # set by the adapter: voice cues (cues/player.py)
        self.recorder: Recorder | None = None  # set by the adapter: stages recorded (recording/recorder.py)

    def route(self, space_id: str) -> str:
        return self._ctx.settings.route(space_id)

    # ---- lifecycle ------------------------------------------------------------------------------

    async def stage_opened(self, board: Board) -> None:
        ref, ctx = board.ref, self._ctx
        if self.recorder is not None:
            self.recorder.follow(board)
        ctx.directory.opened(ref.space_id, ref.channel_id, ref.stage_id)
        channel = self.channel(ref)
        if channel is None:
            return
        async with self._room(ref.channel_id):
            event_id = await self.events.opening(board)  # a stage opened from a series starts its Discord event
            await self.ensure_instance(channel, board, event_id=event_id)
            if event_id is not None:
                await self.events.started(board, event_id)
        await ctx.reporter.guard(ref, Message.of(N_("let the right members into {channel}"),
                                                 channel=_channel_tag(ref.channel_id)),
                                 access.open_room(channel, board, ctx.moderator_roles))
        await ctx.boards.post(board)
        if self.reconcile is not None:
            self.reconcile(ref)  # hands raised in Discord before the opening join the queue

    async def ensure_instance(self, channel: discord.StageChannel, board: Board, *,
                              event_id: str | None = None) -> None:
        topic = (board.topic or board.ref.title)[:TOPIC_CHARACTERS]
        action = Message.of(N_("start the Discord stage in {channel}"), channel=_channel_tag(board.ref.channel_id))
        instance = channel.instance
        if instance is None or instance.id in self._ending:  # the cache may still hold one the bot just ended
            linked = discord.Object(id=int(event_id)) if event_id is not None else discord.utils.MISSING
            work = channel.create_instance(topic=topic, privacy_level=discord.PrivacyLevel.guild_only,
                                           scheduled_event=linked)
        elif instance.topic != topic:
            work = instance.edit(topic=topic)
        else:
            self._topics[board.ref.stage_id] = topic
            return
        if await self._ctx.reporter.guard(board.ref, action, work):
            self._topics[board.ref.stage_id] = topic

    async def stage_closed(self, board: Board, recap: Recap) -> None:
        ref, ctx = board.ref, self._ctx
        ctx.directory.closed(ref.space_id, ref.channel_id)
        self._topics.pop(ref.stage_id, None)
        if self.recorder is not None:
            self.recorder.closed(board)  # before the bot leaves: what was heard up to the close is kept
        if self.cues is not None:
            self.cues.leave(ref)
        await ctx.boards.final(board)
        channel = self.channel(ref)
        if channel is None:
            return
        async with self._room(ref.channel_id):
            instance = channel.instance
            if instance is not None and instance.id not in self._ending and not await self._taken_over(ref):
                await ctx.reporter.guard(ref, Message.of(N_("end the Discord stage in {channel}"),
                                                         channel=_channel_tag(ref.channel_id)), self._end(instance))
        locale = await ctx.app.locales.for_space(PLATFORM, ref.space_id)
        await ctx.pacing.posts.wait(ref.channel_id)
        await ctx.reporter.guard(ref, Message.of(N_("post the recap in {channel}"), channel=_channel_tag(
            ref.channel_id)), channel.send(embed=recap_embed(ref.title, recap, locale), nonce=_nonce()))
        roster = await ctx.app.queries.roster(ref.stage_id)
        await ctx.reporter.guard(ref, Message.of(N_("give {channel} back its usual access"),
                                                 channel=_channel_tag(ref.channel_id)),
                                 access.close_room(channel, board, roster, ctx.moderator_roles))
        if board.schedule_id is not None:
            await self.events.closed(board)

    async def recording_on(self, board: Board) -> None:
        """A stage is recorded from now (RecordingPlatform): its chat is told, once the change is committed."""
        if self.recorder is not None:
            await self.recorder.announce(board.ref)

    async def recording_notice(self, stage: StageRef, user_id: str, *, speaking: bool) -> None:
        """A member joined a recorded stage or was given the floor there (RecordingPlatform): told privately."""
        if self.recorder is not None:
            await self.recorder.notice(stage, user_id, speaking=speaking)

    async def recording_changed(self, space_id: str, stage_id: str) -> None:
        """Who may be heard changed (RecordingPlatform): the recorder follows it before this returns."""
        if self.recorder is not None:
            await self.recorder.changed(space_id, stage_id)

    async def show_board(self, board: Board) -> None:
        self._ctx.boards.show(board)
        if self.recorder is not None:
            self.recorder.follow(board)
        topic = (board.topic or board.ref.title)[:TOPIC_CHARACTERS]
        if self._topics.get(board.ref.stage_id, topic) != topic:
            channel = self.channel(board.ref)
            if channel is not None:
                await self.ensure_instance(channel, board)

    async def cue(self, stage: StageRef, cue: str) -> None:
        """The core asks for a sound on a stage with cues on; the player does it in the background."""
        if self.cues is not None:
            self.cues.play(stage, Cue(cue))

    # ---- members --------------------------------------------------------------------------------

    async def set_speaker(self, stage: StageRef, user_id: str, *, speaking: bool) -> None:
        ctx, guild_id, member_id = self._ctx, int(stage.space_id), int(user_id)
        if self._already(stage, member_id, speaking=speaking):
            return
        await ctx.pacing.voice.wait(stage.space_id)
        ctx.expected.expect(guild_id, member_id, suppress=not speaking)
        try:
            await ctx.client.http.edit_voice_state(guild_id, member_id, {"channel_id": stage.channel_id,
                                                                         "suppress": not speaking})
        except (discord.HTTPException, OSError) as error:
            ctx.expected.forget(guild_id, member_id)
            if not speaking and isinstance(error, discord.NotFound):
                return  # gone from the channel: nobody left to mute
            action = (N_("give the floor to {member}") if speaking else N_("move {member} back to the audience"))
            await ctx.reporter.report(stage, Message.of(action, member=Mention(user_id)), error)

    def _already(self, stage: StageRef, member_id: int, *, speaking: bool) -> bool:
        """Discord already shows it (a speaker brought up with Discord's own controls): no call to make."""
        guild = self._ctx.client.get_guild(int(stage.space_id))
        member = guild.get_member(member_id) if guild is not None else None
        voice = member.voice if member is not None else None
        if voice is None or voice.channel is None or str(voice.channel.id) != stage.channel_id:
            return False
        return voice.suppress is not speaking and (speaking or voice.requested_to_speak_at is None)

    async def notify(self, stage: StageRef, user_id: str, message: Message, locale: str) -> None:
        self._ctx.direct.send(user_id, say(message, locale))

    async def notify_follower(self, stage: StageRef, user_id: str, message: Message, locale: str) -> None:
        # The stage channel's mention is the way in: a click in the DM opens it.
        self._ctx.direct.send(user_id, f"{say(message, locale)}\n<#{stage.channel_id}>", bulk=True)

    def tell(self, stage: StageRef, user_id: str, refusal: StageError) -> None:
        """A member whose act in Discord the core refused hears why (in their own language, later)."""
        async def send() -> None:
            locale = await self._ctx.app.locales.for_member(PLATFORM, stage.space_id, user_id)
            self._ctx.direct.send(user_id, say(refusal_message(refusal), locale))

        self._ctx.lanes.submit(f"tell:{user_id}", send)

    async def announce(self, stage: StageRef, message: Message, locale: str) -> None:
        channel = self._ctx.client.get_channel(int(stage.channel_id))
        if not isinstance(channel, discord.abc.Messageable):
            return
        await self._ctx.pacing.posts.wait(stage.channel_id)
        await self._ctx.reporter.guard(stage, Message.of(N_("post in {channel}"), channel=_channel_tag(
            stage.channel_id)), channel.send(say(message, locale), allowed_mentions=discord.AllowedMentions.none(),
                                             nonce=_nonce()))

    async def grant_badge(self, stage: StageRef, user_id: str, badge: str) -> None:
        """The role BADGE_ROLES maps the badge to, by id or name; Discord's refusal (a role above the bot's,
        no Manage Roles) is said in the stage's channel, not retried."""
        wanted = self._ctx.settings.badge_roles.get(badge)
        guild = self._ctx.client.get_guild(int(stage.space_id))
        if wanted is None or guild is None:
            return
        role = guild.get_role(int(wanted)) if wanted.isdigit() else discord.utils.get(guild.roles, name=wanted)
        if role is None:
            log.warning("BADGE_ROLES: no role %r in guild %s for the %s badge", wanted, stage.space_id, badge)
            return
        await self._ctx.pacing.members.wait(stage.space_id)
        await self._ctx.reporter.guard(stage, Message.of(N_("give {member} the role {role} (it must be below my own role, and I need Manage Roles)"), member=Mention(user_id),
                                                         role=role.name),
                                       self._ctx.client.http.add_role(guild.id, int(user_id), role.id,
                                                                      reason="Podium badge"))

    async def disconnect(self, stage: StageRef, user_id: str) -> None:
        ctx = self._ctx
        guild = ctx.client.get_guild(int(stage.space_id))
        member = guild.get_member(int(user_id)) if guild is not None else None
        if member is None or member.voice is None or member.voice.channel is None or \
                str(member.voice.channel.id) != stage.channel_id:
            return  # not in this stage channel: nothing to take them out of
        await ctx.pacing.members.wait(stage.space_id)
        await ctx.reporter.guard(stage, Message.of(N_("disconnect {member}"), member=Mention(user_id)),
                                 ctx.client.http.edit_member(int(stage.space_id), int(user_id), channel_id=None))

    async def set_access(self, stage: StageRef, user_id: str, *, allowed: bool) -> None:
        channel = self.channel(stage)
        if channel is None:
            return
        await self._ctx.reporter.guard(stage, Message.of(N_("change who may join {channel}"), channel=_channel_tag(
            stage.channel_id)), access.member_access(channel, user_id, allowed=allowed))

    async def schedule_changed(self, schedule: ScheduleView) -> None:
        """A series is mirrored as a Guild Scheduled Event of its stage channel (scheduled_events.py)."""
        await self.events.sync(schedule.schedule_id)

    # ---- when the core refuses what a member did in Discord ---------------------------------------

    async def keep_out(self, stage: StageRef, user_id: str, refusal: StageError) -> None:
        await self.disconnect(stage, user_id)
        self.tell(stage, user_id, refusal)

    async def clear_request(self, stage: StageRef, user_id: str, refusal: StageError) -> None:
        """A refused "request to speak" is withdrawn in Discord too, so moderators see the same queue."""
        await self.set_speaker(stage, user_id, speaking=False)
        self.tell(stage, user_id, refusal)

    async def withdraw_hand(self, stage: StageRef, user_id: str) -> None:
        """Clears a member's Discord request to speak once the core has lowered their hand."""
        channel = self.channel(stage)
        member = channel.guild.get_member(int(user_id)) if channel is not None else None
        voice = member.voice if member is not None else None
        if voice is None or voice.channel != channel or not voice.suppress or voice.requested_to_speak_at is None:
            return
        await self.set_speaker(stage, user_id, speaking=False)

    async def restore_access(self, stage: StageRef, user_id: str) -> None:
        """After an unblock: the member connects as anyone else would (or as invited, on an invite-only stage)."""
        channel = self.channel(stage)
        if channel is None:
            return
        roster = await self._ctx.app.queries.roster(stage.stage_id)
        board = await self._ctx.app.queries.heading(stage.stage_id)
        allowed = True if board.visibility == Visibility.INVITE_ONLY and user_id in roster.invited else None
        await self._ctx.reporter.guard(stage, Message.of(N_("change who may join {channel}"), channel=_channel_tag(
            stage.channel_id)), access.set_connect(channel, access.member_target(channel, user_id), allowed))

    def _room(self, channel_id: str) -> asyncio.Lock:
        """Opening and closing stages in one channel take turns: the Discord stage instance is shared."""
        lock = self._rooms.get(channel_id)
        if lock is None:
            lock = self._rooms[channel_id] = asyncio.Lock()
        return lock

    async def _taken_over(self, ref: StageRef) -> bool:
        """Another stage is already live in this channel (a series opened as this one closed): it keeps the
        Discord stage, so the audience stays where it is."""
        try:
            return await self._ctx.app.queries.live_stage(PLATFORM, ref.space_id, ref.channel_id) != ref.stage_id
        except StageNotFound:
            return False

    async def _end(self, instance: discord.StageInstance) -> None:
        self._ending.add(instance.id)
        try:
            await instance.delete()
        except discord.NotFound:
            pass  # already ended in Discord
        except BaseException:
            self._ending.discard(instance.id)
            raise

    def ended_by_bot(self, instance_id: int) -> bool:
        """True (once) when the bot itself ended this stage instance."""
        if instance_id not in self._ending:
            return False
        self._ending.discard(instance_id)
        return True

    def channel(self, ref: StageRef) -> discord.StageChannel | None:
        channel = self._ctx.client.get_channel(int(ref.channel_id))
        if not isinstance(channel, discord.StageChannel):
            log.warning("stage %s: channel %s is not a stage channel the bot sees", ref.stage_id, ref.channel_id)
            return None
        return channel
