"""What adapters show of a scheduled stage: the series and its next occurrence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.schedule import ScheduledStage
from bot.ports import StageRef


@dataclass(frozen=True, slots=True)
class ScheduleView:
    ref: StageRef  # stage_id holds the series id; notifications about the series use it
    topic: str
    host_id: str
    timezone: str
    next_at: datetime | None
    duration: int
    recurrence: str
    state: str
    rsvps: tuple[str, ...]
    platform_event_id: str | None

    @property
    def schedule_id(self) -> str:
        return self.ref.stage_id


def schedule_view(schedule: ScheduledStage) -> ScheduleView:
    ref = StageRef(stage_id=schedule.id, platform=schedule.platform, space_id=schedule.space_id,
                   channel_id=schedule.channel_id, title=schedule.title)
    going = schedule.rsvps.get(schedule.next_at, set()) if schedule.next_at else set()
    return ScheduleView(ref=ref, topic=schedule.topic, host_id=schedule.host_id, timezone=schedule.timezone,
                        next_at=schedule.next_at, duration=schedule.duration,
                        recurrence=schedule.recurrence.describe(), state=schedule.state.value,
                        rsvps=tuple(sorted(going)), platform_event_id=schedule.platform_event_id)
