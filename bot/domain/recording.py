"""Recording a stage: who may be heard in its replay, and who may strike or delete what.

A stage records when its ``record`` rule is on (a moderator's choice, or ``record=on`` at open). A member's voice
is written only while all three hold: the stage records, the member accepted recording in this space (an answer
kept until they change it), and nobody struck them from this stage's replay. Everything else is never written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain import errors
from bot.domain.access import is_moderator
from bot.domain.commands import Command
from bot.domain.members import Actor, Turn
from bot.domain.stage import Stage
from bot.i18n.markers import N_


class ReplayNotFound(errors.StageError):
    message = N_("There is no replay {replay_id}.")


class NotYourSegment(errors.StageError):
    message = N_("Only moderators can strike someone else's voice from a replay.")


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordConsent(Command):
    """A member's answer to being recorded on the stages of a space, kept until they change it."""

    platform: str
    space_id: str
    accepted: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class StrikeVoice(Command):
    """Leave a member's voice out of a stage's replay: a moderator's strike, or a member removing their own.
    (Not a StageCommand: it applies to a closed stage's replay too.)"""

    stage_id: str
    user_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteReplay(Command):
    replay_id: str


RECORDING_COMMANDS = (RecordConsent, StrikeVoice, DeleteReplay)
__all__ = ["Turn"]


def heard(*, recording: bool, consented: Iterable[str], struck: Iterable[str]) -> frozenset[str]:
    """The members whose voice may be written now."""
    if not recording:
        return frozenset()
    return frozenset(consented) - frozenset(struck)


def require_may_strike(stage: Stage, actor: Actor, user_id: str) -> None:
    """Moderators strike anyone; a member can only take their own voice out."""
    if actor.user_id != user_id and not is_moderator(stage, actor):
        raise NotYourSegment()


def require_may_delete(stage: Stage, actor: Actor) -> None:
    if not is_moderator(stage, actor):
        raise errors.NotModerator()
