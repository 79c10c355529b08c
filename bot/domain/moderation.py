"""Delegating moderation, invitations, removals and blocks on a live stage."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.domain import errors
from bot.domain import events as ev
from bot.domain.access import require_moderator, require_target_not_host
from bot.domain.members import Actor
from bot.domain.stage import Stage, StageState
from bot.domain.validation import check_text
from bot.i18n.message import Mention, Message


def add_moderator(stage: Stage, actor: Actor, user_id: str, now: datetime) -> None:
    stage.require_live()
    require_moderator(stage, actor)
    member = stage.participants.get(user_id)
    if user_id == stage.host_id or (member and member.moderator):
        raise errors.AlreadyModerator(member=Mention(user_id))
    if member is not None and member.blocked:
        raise errors.TargetBlocked(member=Mention(user_id))
    member = stage.member(user_id)
    member.moderator = True
    stage.touch(member)
    stage.record(ev.ModeratorAdded, actor, now, target_id=user_id)


def remove_moderator(stage: Stage, actor: Actor, user_id: str, now: datetime) -> None:
    stage.require_live()
    require_moderator(stage, actor)
    require_target_not_host(stage, user_id)
    member = stage.participants.get(user_id)
    if member is None or not member.moderator:
        raise errors.NotAModerator(member=Mention(user_id))
    member.moderator = False
    stage.touch(member)
    stage.record(ev.ModeratorRemoved, actor, now, target_id=user_id)


def invite(stage: Stage, actor: Actor, user_id: str, now: datetime) -> None:
    stage.require_live()
    require_moderator(stage, actor)
    member = stage.participants.get(user_id)
    if member is not None and member.blocked:
        raise errors.TargetBlocked(member=Mention(user_id))
    if member is not None and member.invited:
        raise errors.AlreadyInvited(member=Mention(user_id))
    member = stage.member(user_id)
    member.invited = True
    stage.touch(member)
    stage.record(ev.MemberInvited, actor, now, target_id=user_id)


def remove(stage: Stage, actor: Actor, user_id: str, now: datetime, *, block: bool, reason: str = "",
           until: datetime | None = None) -> None:
    """Takes a member off the stage (hand, floor, room); blocking also keeps them out."""
    stage.require_live()
    require_moderator(stage, actor)
    require_target_not_host(stage, user_id)
    reason = check_text("reason", reason, low=0, high=200)
    member = stage.participants.get(user_id)
    if block and member is not None and member.blocked:
        raise errors.TargetBlocked(member=Mention(user_id))
    if not block and (member is None or not (member.present or member.hand or member.speaking)):
        raise errors.NotOnStage(member=Mention(user_id))
    member = stage.member(user_id)
    stage.evict(actor, member, now)
    if block:
        member.blocked, member.invited, member.moderator = True, False, False
    stage.touch(member)
    if block:
        stage.record(ev.MemberBlocked, actor, now, target_id=user_id, reason=reason, until=until)
    else:
        stage.record(ev.MemberRemoved, actor, now, target_id=user_id, reason=reason)


def keep_out(stage: Stage, user_ids: Iterable[str], actor: Actor, now: datetime, *,
             in_room: Iterable[str] = ()) -> None:
    """Members blocked in the space, held on a stage that just opened: blocked here too, from the start; those
    the platform saw in the room are kept out of it (the platform takes them out where it can)."""
    seen = set(in_room)
    for user_id in sorted(user_ids):
        if user_id == stage.host_id:
            continue  # a space's block never keeps a host from the stage they open
        member = stage.member(user_id)
        if member.present:
            member.present, member.left_at = False, now
            stage.present_count -= 1
        member.blocked, member.invited, member.moderator = True, False, False
        stage.touch(member)
        if user_id in seen:
            stage.record(ev.MemberKeptOut, actor, now, target_id=user_id,
                         refusal=Message(errors.Blocked.message))


def hold_space_block(stage: Stage, actor: Actor, user_id: str, now: datetime, *, origin: str, blocked: bool,
                     reason: str = "", until: datetime | None = None) -> None:
    """A block decided on another stage of the space (`origin`) reaching this live one: the member's hand is
    dropped, their floor and place in the room taken, as a block here would. Lifting it gives nothing back.
    Not judged again: whoever decided it could there, and the space's block binds every stage of it. Nothing
    happens where it holds already, nor to this stage's own host (as when a stage opens, see `keep_out`)."""
    if user_id == stage.host_id or stage.state != StageState.LIVE:
        return
    member = stage.participants.get(user_id)
    if not blocked:
        if member is not None and member.blocked:
            member.blocked = False
            stage.touch(member)
            stage.record(ev.MemberUnblocked, actor, now, target_id=user_id, origin=origin)
        return
    if member is not None and member.blocked:
        return
    member = stage.member(user_id)
    stage.evict(actor, member, now)
    member.blocked, member.invited, member.moderator = True, False, False
    stage.touch(member)
    stage.record(ev.MemberBlocked, actor, now, target_id=user_id, reason=reason, until=until, origin=origin)


UNDOABLE = ("floor", "hand")


def undo_platform_change(stage: Stage, actor: Actor, user_id: str, now: datetime, *, change: str) -> None:
    """A blocked member given the floor (`change` "floor") or a request to speak ("hand") with the platform's
    own controls, which the core refused: the platform puts them back, and the attempt is audited.

    The platform does not say who used its controls (Discord's voice states name only the member moved), so the
    rule is judged on the member moved, as a block holds against platform moderators too: whoever did it, a
    blocked member never keeps a floor or a hand the core did not give."""
    stage.require_live()
    require_moderator(stage, actor)
    if change not in UNDOABLE:
        raise errors.InvalidArgument(name="change", value=change, expected=", ".join(UNDOABLE))
    member = stage.participants.get(user_id)
    if member is None or not member.blocked:
        raise errors.NotBlocked(member=Mention(user_id))
    stage.record(ev.PlatformChangeUndone, actor, now, target_id=user_id, reason=change)


def unblock(stage: Stage, actor: Actor, user_id: str, now: datetime) -> None:
    stage.require_live()
    require_moderator(stage, actor)
    member = stage.participants.get(user_id)
    if member is None or not member.blocked:
        raise errors.NotBlocked(member=Mention(user_id))
    member.blocked = False
    stage.touch(member)
    stage.record(ev.MemberUnblocked, actor, now, target_id=user_id)
