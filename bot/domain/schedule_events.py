"""What happens to a scheduled stage, in the past tense; each is an audit-log entry of its series."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.events import Happening


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleEvent(Happening):
    schedule_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StageScheduled(ScheduleEvent):
    title: str
    starts_at: datetime

    def data(self) -> dict[str, Any]:
        return {"title": self.title, "starts_at": self.starts_at.isoformat()}


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleEdited(ScheduleEvent):
    changes: tuple[str, ...] = ()

    def data(self) -> dict[str, Any]:
        return {"changes": ", ".join(self.changes)}


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleCancelled(ScheduleEvent):
    occurrence: datetime | None = None  # None: the whole series

    def data(self) -> dict[str, Any]:
        return {"occurrence": self.occurrence.isoformat() if self.occurrence else ""}


@dataclass(frozen=True, slots=True, kw_only=True)
class RsvpChanged(ScheduleEvent):
    occurrence: datetime
    going: bool

    def data(self) -> dict[str, Any]:
        return {"occurrence": self.occurrence.isoformat(), "going": self.going}


@dataclass(frozen=True, slots=True, kw_only=True)
class ReminderSent(ScheduleEvent):
    occurrence: datetime
    recipients: tuple[str, ...] = ()

    def data(self) -> dict[str, Any]:
        return {"occurrence": self.occurrence.isoformat(), "count": len(self.recipients)}


@dataclass(frozen=True, slots=True, kw_only=True)
class ReminderSkipped(ScheduleEvent):
    """The reminder's moment passed too long ago (the bot was down): better silent than late."""

    occurrence: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduledStageStarted(ScheduleEvent):
    occurrence: datetime
    stage_id: str
    late_seconds: int = 0
    rsvps: tuple[str, ...] = ()

    def data(self) -> dict[str, Any]:
        return {"occurrence": self.occurrence.isoformat(), "stage_id": self.stage_id,
                "late_seconds": self.late_seconds}


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduledStageMissed(ScheduleEvent):
    """The occurrence could not open: a stage was already live in its channel."""

    occurrence: datetime
