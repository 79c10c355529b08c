"""The Calendar port on APScheduler's triggers: occurrences of a series on its own wall clock.

CronTrigger does the hard part: a stage at 18:00 Europe/Paris stays at 18:00 across daylight-saving
changes, and a cron expression is read as cron reads it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.domain.errors import ImpossibleRecurrence
from bot.domain.recurrence import DAYS, Recurrence, RecurrenceKind

NextAfter = Callable[[datetime], datetime | None]


def series(recurrence: Recurrence, timezone: str, first_at: datetime) -> NextAfter:
    """The first occurrence strictly after a moment, for a series starting at ``first_at``."""
    if recurrence.kind is RecurrenceKind.ONCE:
        return lambda after: first_at if first_at > after else None
    trigger = _trigger(recurrence, ZoneInfo(timezone), first_at)

    def next_after(after: datetime) -> datetime | None:
        # Triggers answer "at or after"; a microsecond later makes it "strictly after" (they work in seconds).
        return trigger.get_next_fire_time(None, after + timedelta(microseconds=1))

    return next_after


def _trigger(recurrence: Recurrence, tz: ZoneInfo, first_at: datetime) -> CronTrigger:
    local = first_at.astimezone(tz)
    try:
        if recurrence.kind is RecurrenceKind.DAILY:
            return CronTrigger(hour=local.hour, minute=local.minute, second=local.second, timezone=tz,
                               start_date=first_at)
        if recurrence.kind is RecurrenceKind.WEEKLY:
            return CronTrigger(day_of_week=",".join(DAYS[d] for d in recurrence.days), hour=local.hour,
                               minute=local.minute, second=local.second, timezone=tz, start_date=first_at)
        return CronTrigger(**_cron_fields(recurrence.cron), timezone=tz, start_date=first_at)
    except ValueError:
        raise ImpossibleRecurrence(value=recurrence.describe()) from None


def _cron_fields(expression: str) -> dict[str, str]:
    minute, hour, day, month, day_of_week = expression.split()
    return {"minute": minute, "hour": hour, "day": day, "month": month,
            "day_of_week": _cron_weekdays(day_of_week)}


_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")  # cron counts from Sunday, 0 or 7


def _cron_weekdays(field: str) -> str:
    """Cron's weekday numbers as names: APScheduler 3 numbers weekdays from Monday, cron from Sunday."""
    if field == "*":
        return field
    names: list[str] = []
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() else 1
        if span == "*":
            low, high = 0, 6
        elif "-" in span and all(x.isdigit() for x in span.split("-")):
            low, high = (int(x) for x in span.split("-"))
        elif span.isdigit():
            low = high = int(span)
        else:
            names.append(part)  # already names ("mon-fri"), which mean the same in both
            continue
        if not 0 <= low <= high <= 7:
            raise ValueError(f"weekday out of range: {part}")
        names.extend(_CRON_DAYS[d] for d in range(low, high + 1, step))
    return ",".join(dict.fromkeys(names))
