"""Command handlers: load the stage, let the domain decide, stage the changes; the bus commits.

Each returns the sentence acknowledging the command to whoever sent it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from bot.domain import commands as c
from bot.domain import errors, moderation, timers
from bot.domain.rules import Rules
from bot.domain.schedule import Calendar
from bot.domain.stage import Stage
from bot.domain.tags import shown
from bot.i18n.markers import N_
from bot.i18n.message import Mention, Message
from bot.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class Context:
    now: datetime
    defaults: Rules
    new_id: Callable[[], str]
    calendar: Calendar
    space_timezone: Callable[[str, str], Awaitable[str]]
    reminder_lead: int
    reminder_grace: timedelta


Handler = Callable[[Any, UnitOfWork, Context], Awaitable[Message]]


async def open_stage(cmd: c.OpenStage, uow: UnitOfWork, ctx: Context) -> Message:
    existing = await uow.stages.live_in_channel(cmd.platform, cmd.space_id, cmd.channel_id)
    if existing is not None:
        raise errors.StageAlreadyLive(title=(await uow.stages.get(existing)).title)
    blocked = await uow.stages.blocked_in_space(cmd.platform, cmd.space_id, ctx.now)
    stage = Stage.open(
        id=ctx.new_id(), platform=cmd.platform, space_id=cmd.space_id, channel_id=cmd.channel_id,
        title=cmd.title, topic=cmd.topic, visibility=cmd.visibility, capacity=cmd.capacity,
        host=cmd.actor, now=ctx.now, rules=replace(ctx.defaults, record=True) if cmd.record else ctx.defaults,
        present=cmd.present - blocked, presence_known=cmd.presence_known, tags=cmd.tags)
    moderation.keep_out(stage, blocked, cmd.actor, ctx.now, in_room=cmd.present)
    uow.stages.add(stage)
    return Message.of(N_("Stage “{title}” is live."), title=stage.title)


async def close_stage(cmd: c.CloseStage, uow: UnitOfWork, ctx: Context) -> Message:
    stage = await uow.stages.get(cmd.stage_id)
    stage.close(cmd.actor, ctx.now)
    return Message.of(N_("Stage “{title}” has ended."), title=stage.title)


async def set_topic(cmd: c.SetTopic, uow: UnitOfWork, ctx: Context) -> Message:
    stage = await uow.stages.get(cmd.stage_id)
    stage.set_topic(cmd.actor, cmd.topic, ctx.now)
    return Message.of(N_("Topic set: {topic}"), topic=cmd.topic)


async def set_tags(cmd: c.SetTags, uow: UnitOfWork, ctx: Context) -> Message:
    stage = await uow.stages.get(cmd.stage_id)
    stage.set_tags(cmd.actor, cmd.tags, ctx.now)
    if not stage.tags:
        return Message.of(N_("Tags cleared."))
    return Message.of(N_("Tags set: {tags}"), tags=shown(stage.tags))


async def set_rules(cmd: c.SetRules, uow: UnitOfWork, ctx: Context) -> Message:
    stage = await uow.stages.get(cmd.stage_id)
    if not cmd.changes:
        raise errors.InvalidArgument(name="rules", value="", expected=Message.of(
            N_("one or more name=value pairs")))
    stage.set_rules(cmd.actor, cmd.changes, ctx.now)
    return Message.of(N_("Rules updated: {changes}."),
                      changes=", ".join(f"{k}={v}" for k, v in cmd.changes.items()))


async def lock_hands(cmd: c.LockHands, uow: UnitOfWork, ctx: Context) -> Message:
    stage = await uow.stages.get(cmd.stage_id)
    stage.lock_hands(cmd.actor, ctx.now, locked=cmd.locked)
    return Message.of(N_("Hands are locked.") if cmd.locked else N_("Hands are unlocked."))


async def join_audio(cmd: c.JoinAudio, uow: UnitOfWork, ctx: Context) -> Message:
    stage = await uow.stages.get(cmd.stage_id)
    stage.join(cmd.actor, ctx.now)
    return Message.of(N_("You joined “{title}”."), title=stage.title)


async def leave_audio(cmd: c.LeaveAudio, uow: UnitOfWork, ctx: Context) -> Message:
    stage = await uow.stages.get(cmd.stage_id)
    stage.leave(cmd.actor, ctx.now)
    return Message.of(N_("You left “{title}”."), title=stage.title)


async def sync_presence(cmd: c.SyncPresence, uow: UnitOfWork, ctx: Context) -> Message:
    stage = await uow.stages.get(cmd.stage_id)
    stage.sync_presence(cmd.actor, cmd.room, ctx.now, known=cmd.known)
    return Message.of(N_("{count} in the audio room of “{title}”."), count=stage.present_count, title=stage.title)


async def raise_hand(cmd: c.RaiseHand, uow: UnitOfWork, ctx: Context) -> Message:
    stage = await uow.stages.get(cmd.stage_id)
    position = stage.raise_hand(cmd.actor, cmd.note, ctx.now, native=cmd.native)
    if position is None:
        return Message.of(N_("You were approved at once: you have the floor."))
    member = stage.participants[cmd.actor.user_id]
    if stage.rules.must_be_present and not stage.presence_known and not member.present:
        # Unknown presence is not absence: the hand waits, and its owner learns where to be when called.
        return Message.of(N_("Hand raised, you are #{position}. Join the audio room to be given the floor."),
                          position=position)
    return Message.of(N_("Hand raised, you are #{position}."), position=position)


async def lower_hand(cmd: c.LowerHand, uow: UnitOfWork, ctx: Context) -> Message:
    stage = await uow.stages.get(cmd.stage_id)
    stage.lower_hand(cmd.actor, ctx.now)
    return Message.of(N_("Hand lowered."))


async def approve_speaker(cmd: c.ApproveSpeaker, uow: UnitOfWork, ctx: Context) -> Message:
    stage = await uow.stages.get(cmd.stage_id)
    stage.approve(cmd.actor, cmd.user_id, ctx.now)
    return Message.of(N_("{member} is now a speaker."), member=Mention(cmd.user_id))


async def approve_next(cmd: c.ApproveNext, uow: UnitOfWork, ctx: Context) -> Message:
    stage = await uow.stages.get(cmd.stage_id)
    chosen = stage.approve_next(cmd.actor, ctx.now)
    return Message.of(N_("{member} is now a speaker."), member=Mention(chosen))


async def deny_hand(cmd: c.DenyHand, uow: UnitOfWork, ctx: Context) -> Message:
    stage = await uow.stages.get(cmd.stage_id)
    stage.deny(cmd.actor, cmd.user_id, cmd.reason, ctx.now)
    return Message.of(N_("{member}'s hand was denied."), member=Mention(cmd.user_id))


async def move_to_audience(cmd: c.MoveToAudience, uow: UnitOfWork, ctx: Context) -> Message:
    stage = await uow.stages.get(cmd.stage_id)
    stage.move_to_audience(cmd.actor, cmd.user_id, ctx.now)
    return Message.of(N_("{member} is back in the audience."), member=Mention(cmd.user_id))


async def add_moderator(cmd: c.AddModerator, uow: UnitOfWork, ctx: Context) -> Message:
    stage = await uow.stages.get(cmd.stage_id)
    moderation.add_moderator(stage, cmd.actor, cmd.user_id, ctx.now)
    return Message.of(N_("{member} is now a moderator."), member=Mention(cmd.user_id))


async def remove_moderator(cmd: c.RemoveModerator, uow: UnitOfWork, ctx: Context) -> Message:
    stage = await uow.stages.get(cmd.stage_id)
    moderation.remove_moderator(stage, cmd.actor, cmd.user_id, ctx.now)
    return Message.of(N_("{member} is no longer a moderator."), member=Mention(cmd.user_id))


async def invite_member(cmd: c.InviteMember, uow: UnitOfWork, ctx: Context) -> Message:
    stage = await uow.stages.get(cmd.stage_id)
    moderation.invite(stage, cmd.actor, cmd.user_id, ctx.now)
    return Message.of(N_("{member} is invited."), member=Mention(cmd.user_id))


async def remove_member(cmd: c.RemoveMember, uow: UnitOfWork, ctx: Context) -> Message:
    stage = await uow.stages.get(cmd.stage_id)
    until = ctx.now + timedelta(seconds=cmd.lasting) if cmd.lasting else None
    moderation.remove(stage, cmd.actor, cmd.user_id, ctx.now, block=cmd.block, reason=cmd.reason, until=until)
    if cmd.block and until is not None:
        return Message.of(N_("{member} is blocked from this stage and the space's next ones until {until}."),
                          member=Mention(cmd.user_id), until=until)
    if cmd.block:
        return Message.of(N_("{member} is blocked from this stage and the space's next ones."),
                          member=Mention(cmd.user_id))
    return Message.of(N_("{member} was removed from this stage."), member=Mention(cmd.user_id))


async def unblock_member(cmd: c.UnblockMember, uow: UnitOfWork, ctx: Context) -> Message:
    stage = await uow.stages.get(cmd.stage_id)
    moderation.unblock(stage, cmd.actor, cmd.user_id, ctx.now)
    return Message.of(N_("{member} is no longer blocked."), member=Mention(cmd.user_id))


async def hold_space_block(cmd: c.HoldSpaceBlock, uow: UnitOfWork, ctx: Context) -> Message:
    stage = await uow.stages.get(cmd.stage_id)
    # The space's blocks as they stand now decide: a block lifted (or run out) since it was decided, or one
    # decided again since it was lifted, is not spread late in its old form.
    held = cmd.user_id in await uow.stages.blocked_in_space(stage.platform, stage.space_id, ctx.now)
    if held == cmd.blocked:
        moderation.hold_space_block(stage, cmd.actor, cmd.user_id, ctx.now, origin=cmd.origin,
                                    blocked=cmd.blocked, reason=cmd.reason, until=cmd.until)
    return Message.of(N_("Blocks applied."))


async def undo_platform_change(cmd: c.UndoPlatformChange, uow: UnitOfWork, ctx: Context) -> Message:
    stage = await uow.stages.get(cmd.stage_id)
    moderation.undo_platform_change(stage, cmd.actor, cmd.user_id, ctx.now, change=cmd.change)
    return Message.of(N_("{member} is blocked: put back in the audience."), member=Mention(cmd.user_id))


async def expire_due(cmd: c.ExpireDue, uow: UnitOfWork, ctx: Context) -> Message:
    stage = await uow.stages.get(cmd.stage_id)
    timers.expire_due(stage, cmd.actor, ctx.now)
    return Message.of(N_("Timers applied."))


HANDLERS: dict[type[c.Command], Handler] = {
    c.OpenStage: open_stage, c.CloseStage: close_stage, c.SetTopic: set_topic, c.SetTags: set_tags, c.SetRules: set_rules,
    c.LockHands: lock_hands, c.JoinAudio: join_audio, c.LeaveAudio: leave_audio, c.SyncPresence: sync_presence,
    c.RaiseHand: raise_hand, c.LowerHand: lower_hand, c.ApproveSpeaker: approve_speaker,
    c.ApproveNext: approve_next, c.DenyHand: deny_hand, c.MoveToAudience: move_to_audience,
    c.AddModerator: add_moderator, c.RemoveModerator: remove_moderator,
    c.InviteMember: invite_member, c.RemoveMember: remove_member, c.UnblockMember: unblock_member,
    c.HoldSpaceBlock: hold_space_block, c.UndoPlatformChange: undo_platform_change,
    c.ExpireDue: expire_due,
}
