"""Voice-state updates from the gateway, turned into core commands, in order per stage channel.

Joining and leaving the stage channel are presence; Discord's own "request to speak" raises and lowers a hand;
a member unsuppressed or suppressed by someone else than the bot is a speaker approved or moved back. The core
judges each; when it refuses, the bot puts Discord back in line with it (re-suppresses, clears the request,
disconnects) and tells the member why; for a blocked member it also writes it in the stage's audit log.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import discord

from adapters.discord.context import Context, lane
from adapters.discord.invoke import attempt
from adapters.discord.members import PLATFORM, actor_of, bot_actor
from bot.domain import commands as c
from bot.domain import errors
from bot.domain.members import Actor
from bot.ports import StageRef

if TYPE_CHECKING:
    from adapters.discord.platform import DiscordPlatform

log = logging.getLogger(__name__)

#: Refusals of a member's presence: the member is taken out of the stage channel.
KEPT_OUT = (errors.Blocked, errors.InviteRequired, errors.MembersOnly, errors.StageFull)


@dataclass(frozen=True, slots=True)
class Seen:
    """A voice state as it was when the event arrived (discord.py updates its own object in place)."""

    channel_id: int | None
    suppress: bool
    requested_at: datetime | None

    @classmethod
    def of(cls, state: discord.VoiceState) -> Seen:
        return cls(state.channel.id if state.channel else None, state.suppress, state.requested_to_speak_at)


def ref_of(stage_id: str, channel: discord.StageChannel) -> StageRef:
    return StageRef(stage_id=stage_id, platform=PLATFORM, space_id=str(channel.guild.id),
                    channel_id=str(channel.id), title=channel.name)


class VoiceSync:
    def __init__(self, ctx: Context, platform: DiscordPlatform) -> None:
        self._ctx, self._platform = ctx, platform

    def update(self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState) -> None:
        """Called from the gateway event: queues the work without awaiting, so order is kept per channel."""
        if member.bot:
            return
        if self._platform.recorder is not None:
            self._platform.recorder.voice_state(member, before, after)
        was, now = Seen.of(before), Seen.of(after)
        channels = {state.channel for state in (before, after) if isinstance(state.channel, discord.StageChannel)}
        for channel in channels:
            self._ctx.lanes.submit(lane(member.guild.id, channel.id),
                                   functools.partial(self._apply, member, was, now, channel))

    async def _apply(self, member: discord.Member, before: Seen, after: Seen, channel: discord.StageChannel) -> None:
        ctx = self._ctx
        stage_id = await ctx.directory.stage_in(str(channel.guild.id), str(channel.id))
        if stage_id is None:
            return
        actor, ref = actor_of(member, channel, ctx.moderator_roles), ref_of(stage_id, channel)
        was_here, is_here = before.channel_id == channel.id, after.channel_id == channel.id
        if was_here and not is_here:
            await attempt(ctx, c.LeaveAudio(actor=actor, stage_id=stage_id))
        elif is_here and not was_here:
            refusal = await attempt(ctx, c.JoinAudio(actor=actor, stage_id=stage_id))
            if isinstance(refusal, KEPT_OUT):
                await self._platform.keep_out(ref, str(member.id), refusal)
        elif is_here:
            await self._change(member, before, after, actor, ref)

    async def _change(self, member: discord.Member, before: Seen, after: Seen, actor: Actor,
                      ref: StageRef) -> None:
        ctx, guild_id, user_id = self._ctx, member.guild.id, str(member.id)
        if before.suppress and not after.suppress:
            if ctx.expected.is_echo(guild_id, member.id, suppress=False):
                return
            # Someone gave the floor outside the bot: the core decides whether there is room for it.
            refusal = await attempt(ctx, c.ApproveSpeaker(actor=bot_actor(ctx.client), stage_id=ref.stage_id,
                                                          user_id=user_id), errors.AlreadySpeaker)
            if isinstance(refusal, errors.TargetBlocked):
                await self._undo(ref, user_id, "floor", refusal)
            elif refusal is not None:
                await self._platform.set_speaker(ref, user_id, speaking=False)
                self._platform.tell(ref, user_id, refusal)
        elif not before.suppress and after.suppress:
            if ctx.expected.is_echo(guild_id, member.id, suppress=True):
                return
            await attempt(ctx, c.MoveToAudience(actor=actor, stage_id=ref.stage_id, user_id=user_id),
                          errors.NotSpeaker)
        elif after.suppress and after.requested_at is not None and before.requested_at is None:
            self._hand(ref, user_id, functools.partial(self._raise, actor, ref, user_id))
        elif after.suppress and after.requested_at is None and before.requested_at is not None:
            if ctx.expected.is_echo(guild_id, member.id, suppress=True):
                return
            self._hand(ref, user_id, functools.partial(self._lower, actor, ref))

    def _hand(self, ref: StageRef, user_id: str, work: Callable[[], Awaitable[None]]) -> None:
        """A member's own request to speak, or its withdrawal, goes on a lane of that member's: the channel's
        lane moves on at once, so a crowd's requests wait at the core together and share its commits, while
        each member's own requests keep their order."""
        self._ctx.lanes.submit(f"{lane(ref.space_id, ref.channel_id)}:hand:{user_id}", work)

    async def _raise(self, actor: Actor, ref: StageRef, user_id: str) -> None:
        refusal = await attempt(self._ctx, c.RaiseHand(actor=actor, stage_id=ref.stage_id, native=True),
                                errors.AlreadyRaised, errors.AlreadySpeaker)
        if isinstance(refusal, errors.Blocked):
            await self._undo(ref, user_id, "hand", refusal)
        elif refusal is not None:
            await self._platform.clear_request(ref, user_id, refusal)

    async def _undo(self, ref: StageRef, user_id: str, change: str, refusal: errors.StageError) -> None:
        """A blocked member given the floor or a request to speak with Discord's own controls (a stage moderator,
        themselves included, may do both without the bot): the core puts them back and audits it, through the
        outbox. Discord does not say who did it, so it is the member's block that decides (see
        bot.domain.moderation.undo_platform_change)."""
        undone = await attempt(self._ctx, c.UndoPlatformChange(actor=bot_actor(self._ctx.client),
                                                               stage_id=ref.stage_id, user_id=user_id, change=change))
        if undone is not None:  # unblocked meanwhile, or the stage closed: put back all the same, unrecorded
            await self._platform.clear_request(ref, user_id, refusal)

    async def _lower(self, actor: Actor, ref: StageRef) -> None:
        await attempt(self._ctx, c.LowerHand(actor=actor, stage_id=ref.stage_id), errors.NoHandRaised)
