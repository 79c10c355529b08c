"""What adapters show of a scheduled stage: the series and its next occurrence (the ScheduleView is declared
with the port it crosses, bot/ports.py; this module takes it from a series)."""

from __future__ import annotations

from bot.domain.schedule import ScheduledStage
from bot.ports import ScheduleView, StageRef

__all__ = ["ScheduleView", "schedule_view"]


def schedule_view(schedule: ScheduledStage) -> ScheduleView:
    ref = StageRef(stage_id=schedule.id, platform=schedule.platform, space_id=schedule.space_id,
                   channel_id=schedule.channel_id, title=schedule.title)
    going = schedule.rsvps.get(schedule.next_at, set()) if schedule.next_at else set()
    return ScheduleView(ref=ref, topic=schedule.topic, host_id=schedule.host_id, timezone=schedule.timezone,
                        next_at=schedule.next_at, duration=schedule.duration,
                        recurrence=schedule.recurrence.describe(), state=schedule.state.value,
                        rsvps=tuple(sorted(going)), platform_event_id=schedule.platform_event_id)
