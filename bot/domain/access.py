"""Who may do what on a stage: pure checks that raise a typed refusal and change nothing."""

from __future__ import annotations

from datetime import datetime
from math import ceil
from typing import Protocol

from bot.domain import errors
from bot.domain.members import Actor, Participant
from bot.domain.rules import HandMode, Rules
from bot.domain.validation import Visibility
from bot.i18n.message import Duration, Mention


class Stage(Protocol):
    """What these checks read of a stage (the Stage aggregate in stage.py, which calls them)."""

    host_id: str
    participants: dict[str, Participant]
    visibility: str
    rules: Rules
    hands_locked: bool
    presence_known: bool

    def position(self, user_id: str) -> int | None: ...


def is_moderator(stage: Stage, actor: Actor) -> bool:
    """The host always; anyone else only while not blocked from the stage: a block holds against the
    platform's own moderators too (a workspace admin, a Discord stage moderator, a configured role), so
    the one who blocked them, the host or another moderator, is the one who lifts it."""
    if actor.user_id == stage.host_id:
        return True
    member = stage.participants.get(actor.user_id)
    if member is not None and member.blocked:
        return False
    return actor.platform_moderator or (member is not None and member.moderator)


def require_moderator(stage: Stage, actor: Actor) -> None:
    if not is_moderator(stage, actor):
        raise errors.NotModerator()


def require_entry(stage: Stage, actor: Actor, member: Participant | None) -> None:
    """May this member be on the stage at all (join the room, raise a hand)?"""
    if member is not None and member.blocked:
        raise errors.Blocked()
    if is_moderator(stage, actor):
        return
    if stage.visibility == Visibility.INVITE_ONLY and not (member and member.invited):
        raise errors.InviteRequired()
    if stage.visibility == Visibility.MEMBERS and actor.guest:
        raise errors.MembersOnly()


def require_hand_allowed(stage: Stage, actor: Actor, member: Participant | None, now: datetime) -> None:
    rules = stage.rules
    if rules.hand_mode is HandMode.OFF:
        raise errors.HandsOff()
    if stage.hands_locked:
        raise errors.HandsLocked()
    require_entry(stage, actor, member)
    moderator = is_moderator(stage, actor)
    if rules.hand_mode is HandMode.ROLE and not moderator and not actor.roles & set(rules.hand_roles):
        raise errors.RoleRequired(roles=", ".join(rules.hand_roles))
    if rules.hand_mode is HandMode.INVITED and not moderator and not (member and member.invited):
        raise errors.InviteRequired()
    if member is not None:
        if member.speaking:
            raise errors.AlreadySpeaker(member=Mention(actor.user_id))
        if member.hand is not None:
            raise errors.AlreadyRaised(position=stage.position(actor.user_id))
        if member.cooldown_until is not None and member.cooldown_until > now:
            seconds = ceil((member.cooldown_until - now).total_seconds())
            raise errors.CoolingDown(wait=Duration(seconds))
    if not counts_as_here(stage, member):
        raise errors.NotPresent()


def counts_as_here(stage: Stage, member: Participant | None) -> bool:
    """Whether must_be_present lets this member take part: in the audio room, or the rule is off, or the
    platform cannot see the room yet (unknown presence is not absence)."""
    return not stage.rules.must_be_present or not stage.presence_known or (member is not None and member.present)


def require_target_not_host(stage: Stage, user_id: str) -> None:
    if user_id == stage.host_id:
        raise errors.CannotTargetHost()
