"""What adapters show of a scheduled stage: the series and its next occurrence (the ScheduleView is declared
with the port it crosses, bot/ports.py; this module takes it from a series)."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.recurrence import Recurrence, RecurrenceKind
from bot.domain.schedule import ScheduledStage
from bot.i18n.markers import N_
from bot.i18n.message import Message, Weekdays
from bot.ports import ScheduleView, StageRef

__all__ = ["ScheduleView", "repeats", "schedule_view"]


def repeats(recurrence: Recurrence, *, code: Callable[[str], object] = str) -> Message:
    """How a series repeats, in words of the reader's language; `code` shapes a cron expression the platform's
    way (Slack: in backticks)."""
    if recurrence.kind is RecurrenceKind.DAILY:
        return Message.of(N_("Every day"))
    if recurrence.kind is RecurrenceKind.WEEKLY:
        return Message.of(N_("Every week on {days}"), days=Weekdays(recurrence.days))
    if recurrence.kind is RecurrenceKind.CRON:
        return Message.of(N_("Repeats as the cron expression {expression}"), expression=code(recurrence.cron))
    return Message.of(N_("Happens once"))


def schedule_view(schedule: ScheduledStage) -> ScheduleView:
    ref = StageRef(stage_id=schedule.id, platform=schedule.platform, space_id=schedule.space_id,
                   channel_id=schedule.channel_id, title=schedule.title)
    going = schedule.rsvps.get(schedule.next_at, set()) if schedule.next_at else set()
    return ScheduleView(ref=ref, topic=schedule.topic, host_id=schedule.host_id, timezone=schedule.timezone,
                        next_at=schedule.next_at, duration=schedule.duration,
                        recurrence=schedule.recurrence.describe(), state=schedule.state.value,
                        rsvps=tuple(sorted(going)), platform_event_id=schedule.platform_event_id,
                        tags=schedule.tags)
