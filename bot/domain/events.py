"""Everything that happens to a stage, in the past tense. Each event is one audit-log entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain.members import Recap
from bot.i18n.message import Message


@dataclass(frozen=True, slots=True, kw_only=True)
class Happening:
    """Who did what to whom, when and why: the part every audit-log entry shares."""

    at: datetime
    actor_id: str
    target_id: str | None = None
    reason: str = ""

    @property
    def kind(self) -> str:
        return type(self).__name__

    def data(self) -> dict[str, Any]:
        """Event-specific values for the audit log."""
        return {}


@dataclass(frozen=True, slots=True, kw_only=True)
class Event(Happening):
    stage_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StageOpened(Event):
    title: str
    topic: str = ""
    tags: tuple[str, ...] = ()

    def data(self) -> dict[str, Any]:
        return {"title": self.title, "topic": self.topic, **({"tags": list(self.tags)} if self.tags else {})}


@dataclass(frozen=True, slots=True, kw_only=True)
class StageClosed(Event):
    recap: Recap
    speakers: tuple[str, ...] = ()  # who still had the floor, to return to the audience

    def data(self) -> dict[str, Any]:
        return {"waiting": len(self.recap.still_waiting), "speakers": len(self.recap.speakers)}


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicChanged(Event):
    topic: str

    def data(self) -> dict[str, Any]:
        return {"topic": self.topic}


@dataclass(frozen=True, slots=True, kw_only=True)
class TagsChanged(Event):
    tags: tuple[str, ...] = ()

    def data(self) -> dict[str, Any]:
        return {"tags": " ".join(f"#{t}" for t in self.tags)}


@dataclass(frozen=True, slots=True, kw_only=True)
class RulesChanged(Event):
    changes: dict[str, Any] = field(default_factory=dict)

    def data(self) -> dict[str, Any]:
        return {"changes": ", ".join(f"{k}={v}" for k, v in self.changes.items())}


@dataclass(frozen=True, slots=True, kw_only=True)
class HandsLocked(Event):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class HandsUnlocked(Event):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class HandRaised(Event):
    note: str = ""
    position: int = 0

    def data(self) -> dict[str, Any]:
        return {"note": self.note, "position": self.position}


@dataclass(frozen=True, slots=True, kw_only=True)
class HandLowered(Event):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class HandDropped(Event):
    """The member left the audio room and did not come back within the grace period."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HandDenied(Event):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class NextInLine(Event):
    """A different member is now at the head of the queue."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SpeakerApproved(Event):
    auto: bool = False
    note: str = ""

    def data(self) -> dict[str, Any]:
        return {"auto": self.auto, "note": self.note}


@dataclass(frozen=True, slots=True, kw_only=True)
class SpeakerWarned(Event):
    seconds_left: int

    def data(self) -> dict[str, Any]:
        return {"seconds_left": self.seconds_left}


@dataclass(frozen=True, slots=True, kw_only=True)
class SpeakerMovedToAudience(Event):
    """reason: moderator, self, time_up, left, removed."""

    talk_seconds: float = 0.0

    def data(self) -> dict[str, Any]:
        return {"talk_seconds": round(self.talk_seconds, 1)}


@dataclass(frozen=True, slots=True, kw_only=True)
class ModeratorAdded(Event):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class ModeratorRemoved(Event):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberInvited(Event):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberRemoved(Event):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberBlocked(Event):
    until: datetime | None = None  # held in the space's next stages until then; None: until unblocked
    origin: str | None = None  # the stage it was decided on, when it reached this one from there

    def data(self) -> dict[str, Any]:
        return {"until": self.until.isoformat() if self.until is not None else None,
                **({"origin": self.origin} if self.origin else {})}


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberUnblocked(Event):
    origin: str | None = None  # as for MemberBlocked

    def data(self) -> dict[str, Any]:
        return {"origin": self.origin} if self.origin else {}


@dataclass(frozen=True, slots=True, kw_only=True)
class PlatformChangeUndone(Event):
    """A blocked member was given the floor or a request to speak with the platform's own controls: the platform
    puts them back in the audience. The reason says which ("floor" or "hand")."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberJoined(Event):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberLeft(Event):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomSeen(Event):
    """The platform sees who is in the audio room (a Slack huddle observed): must_be_present applies."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomLost(Event):
    """The platform no longer sees the audio room (the huddle ended): presence is unknown, not absence."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberKeptOut(Event):
    """The platform saw the member in the audio room, and the rules refuse them there (blocked, not invited,
    a guest on a members-only stage, a full room): the platform takes them out where it can, and tells them."""

    refusal: Message

    def data(self) -> dict[str, Any]:
        return {"refusal": self.refusal.msgid}
