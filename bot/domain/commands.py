"""What members, moderators and timers ask of a stage, as plain data with platform ids."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.members import Actor
from bot.domain.validation import Visibility


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    actor: Actor


@dataclass(frozen=True, slots=True, kw_only=True)
class StageCommand(Command):
    stage_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenStage(Command):
    platform: str
    space_id: str
    channel_id: str
    title: str
    topic: str = ""
    visibility: str = Visibility.PUBLIC
    capacity: int = 0
    present: frozenset[str] = frozenset()  # who is in the audio room already
    # False when the platform cannot see the room yet (a Slack channel where no huddle runs): until it does,
    # must_be_present does not refuse anyone (see SyncPresence).
    presence_known: bool = True
    record: bool = False  # recorded from the start (record=on)
    tags: tuple[str, ...] = ()  # as parsed at the edge (bot.domain.tags), checked again by the stage


@dataclass(frozen=True, slots=True, kw_only=True)
class CloseStage(StageCommand):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTopic(StageCommand):
    topic: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTags(StageCommand):
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SetRules(StageCommand):
    changes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class LockHands(StageCommand):
    locked: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class JoinAudio(StageCommand):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class LeaveAudio(StageCommand):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncPresence(StageCommand):
    """Who is in the stage's audio room, as the platform sees the whole room (Discord after a reconnect, a
    Slack huddle's participants): one transaction. Members in ``room`` (with the facts the platform knows of
    them) who were not present join, unless the rules keep them out; present members missing from it leave.
    ``known=False``: the platform no longer sees the room (the huddle ended), so nobody is present and
    presence is unknown until the next sync."""

    room: tuple[Actor, ...] = ()
    known: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class RaiseHand(StageCommand):
    note: str = ""
    native: bool = False  # with the platform's own control, not the bot's command or button


@dataclass(frozen=True, slots=True, kw_only=True)
class LowerHand(StageCommand):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class ApproveSpeaker(StageCommand):
    user_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ApproveNext(StageCommand):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class DenyHand(StageCommand):
    user_id: str
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class MoveToAudience(StageCommand):
    user_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AddModerator(StageCommand):
    user_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoveModerator(StageCommand):
    user_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class InviteMember(StageCommand):
    user_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoveMember(StageCommand):
    user_id: str
    block: bool = False
    reason: str = ""
    lasting: int | None = None  # seconds a block holds in the space; None: until someone lifts it


@dataclass(frozen=True, slots=True, kw_only=True)
class UnblockMember(StageCommand):
    user_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HoldSpaceBlock(StageCommand):
    """Sent by the core, never typed: a block decided (or lifted) on stage `origin` reaching another stage of the
    space that is live already. The actor is whoever decided it there."""

    user_id: str
    origin: str
    blocked: bool = True
    reason: str = ""
    until: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UndoPlatformChange(StageCommand):
    """Sent by an adapter, never typed: a blocked member was given the floor ("floor") or a request to speak
    ("hand") with the platform's own controls, which the core refused; the platform is to be put back."""

    user_id: str
    change: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ExpireDue(StageCommand):
    """Sent by timers (and before any command) to apply limits and grace periods that ran out."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleCommand(Command):
    schedule_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleStage(Command):
    platform: str
    space_id: str
    channel_id: str
    title: str
    start: str  # "YYYY-MM-DD HH:MM" on the wall clock of timezone
    timezone: str | None = None  # None: the space's zone
    duration: int = 3600  # seconds
    recurrence: str = "once"  # once | daily | weekly:mon,thu | cron:M H D M W
    topic: str = ""
    record: bool = False  # each occurrence is recorded from its start
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class EditSchedule(ScheduleCommand):
    title: str | None = None
    topic: str | None = None
    start: str | None = None
    timezone: str | None = None
    duration: int | None = None
    recurrence: str | None = None
    tags: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelSchedule(ScheduleCommand):
    occurrence: datetime | None = None  # None: the whole series


@dataclass(frozen=True, slots=True, kw_only=True)
class Rsvp(ScheduleCommand):
    going: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkScheduleEvent(ScheduleCommand):
    """An adapter mirrored the series on its platform (a Discord scheduled event) under this id."""

    event_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SendReminder(ScheduleCommand):
    occurrence: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class StartScheduled(ScheduleCommand):
    occurrence: datetime
