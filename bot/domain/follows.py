"""Follows: a member asks to hear, by direct message, when a stage of a tag or of a host opens or is scheduled.

Plain data and the typed refusals; bot.services.follows keeps them and tells the followers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.commands import Command
from bot.domain.errors import StageError
from bot.i18n.markers import N_

MAX_FOLLOWS = 50  # tags and hosts together, per member and space: a follow is a choice, not a subscription to all


class Followed(StrEnum):
    TAG = "tag"
    HOST = "host"


@dataclass(frozen=True, slots=True, kw_only=True)
class Follow(Command):
    """Follow (or, with `on=False`, stop following) tags or a host in a space."""

    platform: str
    space_id: str
    kind: Followed
    targets: tuple[str, ...]  # tags as kept (bot.domain.tags), or one member's id
    on: bool = True


FOLLOW_COMMANDS = (Follow,)


class TooManyFollows(StageError):
    message = N_("You follow at most {max} tags and hosts in this space; stop following one first "
                 "(/follow off).")


class FollowingYourself(StageError):
    message = N_("Your own stages are yours to open: follow someone else.")


class NotFollowing(StageError):
    message = N_("You were not following {what}.")


class NothingToFollow(StageError):
    message = N_("Name at least one tag to follow, such as pricing.")
