"""A scheduled stage: a series of occurrences with RSVPs, a reminder before each, and an opening.

Occurrence arithmetic (recurrences, daylight-saving changes) comes from the Calendar port, handed in as
``next_after``: the first occurrence strictly after a moment, or None.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain import errors
from bot.domain import schedule_events as sev
from bot.domain.members import Actor
from bot.domain.recurrence import Recurrence
from bot.domain.tags import parse_tags
from bot.domain.validation import check_text
from bot.i18n.markers import N_
from bot.i18n.message import Message

NextAfter = Callable[[datetime], datetime | None]
# The Calendar port: a series' occurrences from its recurrence, time zone and first start.
Calendar = Callable[[Recurrence, str, datetime], NextAfter]
MAX_ACTIVE_PER_SPACE = 100  # Discord's limit of scheduled events per guild
LATE_NOTICE = timedelta(minutes=1)


class ScheduleState(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"
    FINISHED = "finished"


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise errors.UnknownTimezone(timezone=name) from None


FIRST_YEAR, LAST_YEAR = 1970, 2199  # what a schedule's dates may be written as


def parse_local(value: str, timezone: str) -> datetime:
    """'YYYY-MM-DD HH:MM' on the wall clock of ``timezone``, as an aware datetime."""
    tz = zone(timezone)
    try:
        local = datetime.fromisoformat(value.strip().replace("T", " "))
    except ValueError:
        raise errors.InvalidDate(value=value) from None
    if not FIRST_YEAR <= local.year <= LAST_YEAR:
        # Beyond these, a zone's offset may carry the instant out of what datetime (and the calendar
        # arithmetic after it) can hold: 9999-12-31 23:59 at UTC-12 is already year 10000 in UTC.
        raise errors.InvalidDate(value=value)
    return local if local.tzinfo is not None else local.replace(tzinfo=tz)


class ScheduledStage:
    def __init__(
        self, *, id: str, platform: str, space_id: str, channel_id: str, title: str, host_id: str,
        timezone: str, first_at: datetime, duration: int, recurrence: Recurrence, reminder_lead: int,
        created_at: datetime, topic: str = "", state: ScheduleState = ScheduleState.ACTIVE,
        next_at: datetime | None = None, skipped: frozenset[datetime] = frozenset(),
        reminded: datetime | None = None, last_opened: datetime | None = None,
        platform_event_id: str | None = None, rsvps: dict[datetime, set[str]] | None = None, version: int = 0,
        record: bool = False, tags: tuple[str, ...] = (),
    ) -> None:
        self.record = record  # each occurrence opens recorded
        self.tags = tags  # each occurrence opens with them (bot.domain.tags)
        self.id, self.platform, self.space_id, self.channel_id = id, platform, space_id, channel_id
        self.title, self.topic, self.host_id, self.timezone = title, topic, host_id, timezone
        self.first_at, self.duration, self.recurrence = first_at, duration, recurrence
        self.reminder_lead, self.created_at, self.state = reminder_lead, created_at, state
        self.next_at, self.skipped, self.reminded = next_at, set(skipped), reminded
        self.last_opened, self.platform_event_id, self.version = last_opened, platform_event_id, version
        self.rsvps: dict[datetime, set[str]] = rsvps or {}
        self.events: list[sev.ScheduleEvent] = []
        self.rsvp_changes: list[tuple[datetime, str, bool]] = []  # what the repository writes
        self.relinked = False  # the platform event changed: written although no event is recorded

    # ---- creating and changing -------------------------------------------------------------------

    @classmethod
    def create(
        cls, *, id: str, platform: str, space_id: str, channel_id: str, title: str, topic: str, host: Actor,
        timezone: str, start: str, duration: int, recurrence: Recurrence, reminder_lead: int,
        now: datetime, active_in_space: int, calendar: Calendar, record: bool = False, tags: Sequence[str] = (),
    ) -> ScheduledStage:
        title = check_text("title", title, low=1, high=100)
        topic = check_text("topic", topic, low=0, high=120)
        kept = parse_tags(tags)
        _check_duration(duration)
        first_at = parse_local(start, timezone)
        if first_at <= now:
            raise errors.DateInPast(when=first_at)
        recurrence = recurrence.starting(first_at.astimezone(zone(timezone)))
        if active_in_space >= MAX_ACTIVE_PER_SPACE:
            raise errors.TooManySchedules(limit=MAX_ACTIVE_PER_SPACE)
        first = _first_occurrence(first_at, recurrence, calendar(recurrence, timezone, first_at))
        schedule = cls(id=id, platform=platform, space_id=space_id, channel_id=channel_id, title=title, topic=topic,
                       host_id=host.user_id, timezone=timezone, first_at=first, duration=duration,
                       recurrence=recurrence, reminder_lead=reminder_lead, created_at=now, next_at=first,
                       record=record, tags=kept)
        schedule._record(sev.StageScheduled, host, now, title=title, starts_at=first)
        return schedule

    def edit(self, actor: Actor, now: datetime, *, calendar: Calendar, title: str | None = None,
             topic: str | None = None, start: str | None = None, timezone: str | None = None,
             duration: int | None = None, recurrence: Recurrence | None = None,
             tags: Sequence[str] | None = None) -> None:
        self._require_active()
        self._require_owner(actor)
        changes = []
        if tags is not None:
            tags = parse_tags(tags)
            changes.append("tags")
        if title is not None:
            title = check_text("title", title, low=1, high=100)
            changes.append("title")
        if topic is not None:
            topic = check_text("topic", topic, low=0, high=120)
            changes.append("topic")
        if duration is not None:
            _check_duration(duration)
            changes.append("duration")
        first_at, next_at = self.first_at, self.next_at
        if start is not None or timezone is not None or recurrence is not None:
            tz = timezone or self.timezone
            zone(tz)
            first_at = parse_local(start, tz) if start is not None else self.first_at
            if start is not None and first_at <= now:
                raise errors.DateInPast(when=first_at)
            series = (recurrence or self.recurrence).starting(first_at.astimezone(zone(tz)))
            recurrence = series if recurrence is not None else None
            next_at = _first_occurrence(first_at, series, calendar(series, tz, first_at), after=now)
            changes.append("time")
        # Everything is checked: now change.
        self.title = title if title is not None else self.title
        self.topic = topic if topic is not None else self.topic
        self.tags = tuple(tags) if tags is not None else self.tags
        self.duration = duration if duration is not None else self.duration
        if "time" in changes:
            self.timezone = timezone or self.timezone
            self.recurrence = recurrence or self.recurrence
            self.first_at, self.next_at, self.skipped = first_at, next_at, set()
        self._record(sev.ScheduleEdited, actor, now, changes=tuple(changes))

    def cancel(self, actor: Actor, now: datetime, *, occurrence: datetime | None, calendar: Calendar) -> None:
        """Cancels one upcoming occurrence (the series goes on), or the whole series."""
        self._require_active()
        self._require_owner(actor)
        next_after = self.series(calendar)
        if occurrence is None:
            self.state, self.next_at = ScheduleState.CANCELLED, None
        else:
            if occurrence != self.next_at and not self._is_upcoming(occurrence, next_after):
                raise errors.OccurrenceNotFound(title=self.title, when=occurrence)
            self.skipped.add(occurrence)
            if occurrence == self.next_at:
                self._advance(occurrence, next_after)
        self._record(sev.ScheduleCancelled, actor, now, occurrence=occurrence)

    def rsvp(self, actor: Actor, now: datetime, *, going: bool) -> datetime:
        """Answers for the next occurrence; returns it."""
        self._require_active()
        occurrence = self.next_at
        assert occurrence is not None  # an active series always has a next occurrence
        attending = self.rsvps.setdefault(occurrence, set())
        if (actor.user_id in attending) == going:
            return occurrence
        (attending.add if going else attending.discard)(actor.user_id)
        self.rsvp_changes.append((occurrence, actor.user_id, going))
        self._record(sev.RsvpChanged, actor, now, target_id=actor.user_id, occurrence=occurrence, going=going)
        return occurrence

    def link_platform_event(self, event_id: str | None) -> None:
        if event_id != self.platform_event_id:
            self.platform_event_id, self.relinked = event_id, True

    # ---- what time does --------------------------------------------------------------------------

    def remind(self, actor: Actor, now: datetime, *, occurrence: datetime, grace: timedelta) -> tuple[str, ...]:
        """The members to remind of ``occurrence``; empty when already done, late or moot."""
        if self.state is not ScheduleState.ACTIVE or occurrence != self.next_at or self.reminded == occurrence:
            return ()
        self.reminded = occurrence
        due = occurrence - timedelta(seconds=self.reminder_lead)
        if now - due > grace or now >= occurrence:
            self._record(sev.ReminderSkipped, actor, now, occurrence=occurrence)
            return ()
        recipients = tuple(sorted(self.rsvps.get(occurrence, ())))
        self._record(sev.ReminderSent, actor, now, occurrence=occurrence, recipients=recipients)
        return recipients

    def start(self, actor: Actor, now: datetime, *, occurrence: datetime, stage_id: str | None,
              calendar: Calendar) -> bool:
        """Marks ``occurrence`` opened (or missed when ``stage_id`` is None) and moves to the next one.

        Returns False when there is nothing to do: cancelled, already opened, or not the next occurrence.
        """
        if self.state is not ScheduleState.ACTIVE or occurrence != self.next_at or self.last_opened == occurrence:
            return False
        self.last_opened = occurrence
        if stage_id is None:
            self._record(sev.ScheduledStageMissed, actor, now, occurrence=occurrence)
        else:
            late = max(0, int((now - occurrence).total_seconds()))
            self._record(sev.ScheduledStageStarted, actor, now, occurrence=occurrence, stage_id=stage_id,
                         late_seconds=late, rsvps=tuple(sorted(self.rsvps.get(occurrence, ()))))
        self._advance(occurrence, self.series(calendar))
        return True

    def jobs(self) -> dict[str, datetime]:
        """When this series next needs the scheduler: the reminder and the opening."""
        if self.state is not ScheduleState.ACTIVE or self.next_at is None:
            return {}
        jobs = {"start": self.next_at}
        if self.reminder_lead and self.reminded != self.next_at:
            jobs["remind"] = self.next_at - timedelta(seconds=self.reminder_lead)
        return jobs

    def pull_events(self) -> list[sev.ScheduleEvent]:
        pulled, self.events = self.events, []
        return pulled

    # ---- internals -------------------------------------------------------------------------------

    def series(self, calendar: Calendar) -> NextAfter:
        return calendar(self.recurrence, self.timezone, self.first_at)

    def _advance(self, after: datetime, next_after: NextAfter) -> None:
        following = next_after(after)
        while following is not None and following in self.skipped:
            following = next_after(following)
        self.next_at = following
        if following is None:
            self.state = ScheduleState.FINISHED

    def _is_upcoming(self, occurrence: datetime, next_after: NextAfter) -> bool:
        probe = self.next_at
        for _ in range(366):
            if probe is None or probe > occurrence:
                return False
            if probe == occurrence:
                return True
            probe = next_after(probe)
        return False

    def _require_active(self) -> None:
        if self.state is not ScheduleState.ACTIVE:
            raise errors.ScheduleNotActive(title=self.title)

    def _require_owner(self, actor: Actor) -> None:
        if actor.user_id != self.host_id and not actor.platform_moderator:
            raise errors.NotModerator()

    def _record(self, kind: type[sev.ScheduleEvent], actor: Actor, now: datetime, **values: Any) -> None:
        self.events.append(kind(schedule_id=self.id, at=now, actor_id=actor.user_id, **values))


def _check_duration(duration: int) -> None:
    if not 60 <= duration <= 24 * 3600:
        raise errors.InvalidArgument(name="duration", value=str(duration), expected=Message.of(
            N_("a duration from 1m to 24h")))


def _first_occurrence(first_at: datetime, recurrence: Recurrence, next_after: NextAfter,
                      after: datetime | None = None) -> datetime:
    """The first occurrence at or after the start (and after ``after``); refuses a series that never happens."""
    probe = first_at - timedelta(seconds=1)
    if after is not None and after > probe:
        probe = after
    first = next_after(probe)
    if first is None:
        raise errors.ImpossibleRecurrence(value=recurrence.describe())
    return first
