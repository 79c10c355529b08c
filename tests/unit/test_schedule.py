"""The ScheduledStage aggregate and the Calendar on APScheduler's triggers."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import errors
from bot.domain import schedule_events as sev
from bot.domain.members import SYSTEM, Actor
from bot.domain.recurrence import Recurrence, RecurrenceKind
from bot.domain.schedule import ScheduledStage, ScheduleState
from scheduler.calendar import series

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
HOST, ANN = Actor("host"), Actor("ann")
DAY = timedelta(days=1)


def daily_fake(recurrence: Recurrence, timezone: str, first_at: datetime):  # type: ignore[no-untyped-def]
    """A Calendar port fake: once, or every 24 hours from the first start."""
    if recurrence.kind is RecurrenceKind.ONCE:
        return lambda after: first_at if first_at > after else None

    def next_after(after: datetime) -> datetime:
        if after < first_at:
            return first_at
        return first_at + DAY * ((after - first_at) // DAY + 1)
    return next_after


def make(recurrence: str = "daily", start: str = "2026-06-02 18:00", **values: object) -> ScheduledStage:
    fields: dict[str, object] = dict(
        id="s1", platform="console", space_id="space", channel_id="chan", title="AMA", topic="", host=HOST,
        timezone="UTC", start=start, duration=3600, recurrence=Recurrence.parse(recurrence), reminder_lead=900,
        now=NOW, active_in_space=0, calendar=daily_fake)
    fields.update(values)
    schedule = ScheduledStage.create(**fields)  # type: ignore[arg-type]
    schedule.pull_events()
    return schedule


FIRST = datetime(2026, 6, 2, 18, 0, tzinfo=UTC)


def state(schedule: ScheduledStage) -> dict[str, object]:
    return copy.deepcopy({k: v for k, v in vars(schedule).items()})


class TestRecurrence:
    @pytest.mark.parametrize(("text", "expected"), [
        ("once", Recurrence()), ("", Recurrence()), ("daily", Recurrence(RecurrenceKind.DAILY)),
        ("weekly:thu,MON", Recurrence(RecurrenceKind.WEEKLY, days=(0, 3))),
        ("cron: 0 18  * * 1-5", Recurrence(RecurrenceKind.CRON, cron="0 18 * * 1-5")),
    ])
    def test_parses(self, text: str, expected: Recurrence) -> None:
        assert Recurrence.parse(text) == expected
        assert Recurrence.from_dict(expected.as_dict()) == expected

    @pytest.mark.parametrize("text", ["weekly:funday", "hourly", "cron:0 18 * *", "daily:mon"])
    def test_refuses(self, text: str) -> None:
        with pytest.raises(errors.ImpossibleRecurrence):
            Recurrence.parse(text)

    @pytest.mark.parametrize("text", ["weekly", "weekly:", "Weekly "])
    def test_weekly_alone_repeats_on_the_starts_weekday(self, text: str) -> None:
        thursday = datetime(2027, 1, 7, 18, 0)
        assert Recurrence.parse(text).starting(thursday) == Recurrence(RecurrenceKind.WEEKLY, days=(3,))


class TestCreate:
    def test_first_occurrence_and_jobs(self) -> None:
        schedule = make()
        assert schedule.next_at == FIRST
        assert schedule.jobs() == {"start": FIRST, "remind": FIRST - timedelta(minutes=15)}

    def test_wall_clock_of_the_zone(self) -> None:
        schedule = make(timezone="Europe/Paris")
        assert schedule.next_at == datetime(2026, 6, 2, 16, 0, tzinfo=UTC)

    @pytest.mark.parametrize(("values", "refusal"), [
        ({"start": "2026-06-01 07:59"}, errors.DateInPast),
        ({"start": "soon"}, errors.InvalidDate),
        ({"timezone": "Nowhere/Land"}, errors.UnknownTimezone),
        ({"duration": 59}, errors.InvalidArgument),
        ({"duration": 24 * 3600 + 1}, errors.InvalidArgument),
        ({"title": " "}, errors.InvalidArgument),
        ({"active_in_space": 100}, errors.TooManySchedules),
    ])
    def test_refusals(self, values: dict[str, object], refusal: type[Exception]) -> None:
        with pytest.raises(refusal):
            make(**values)

    def test_a_series_that_never_happens_is_refused(self) -> None:
        with pytest.raises(errors.ImpossibleRecurrence):
            make(calendar=lambda r, tz, first: (lambda after: None))


class TestAnswersAndChanges:
    def test_rsvp_is_for_the_next_occurrence_and_idempotent(self) -> None:
        schedule = make()
        assert schedule.rsvp(ANN, NOW, going=True) == FIRST
        assert schedule.rsvp(ANN, NOW, going=True) == FIRST
        assert [type(e) for e in schedule.pull_events()] == [sev.RsvpChanged]
        assert schedule.rsvp_changes == [(FIRST, "ann", True)]
        schedule.rsvp(ANN, NOW, going=False)
        assert schedule.rsvps[FIRST] == set()

    def test_only_the_host_or_a_platform_moderator_edits_or_cancels(self) -> None:
        schedule = make()
        before = state(schedule)
        with pytest.raises(errors.NotModerator):
            schedule.edit(ANN, NOW, calendar=daily_fake, title="Mine")
        with pytest.raises(errors.NotModerator):
            schedule.cancel(ANN, NOW, occurrence=None, calendar=daily_fake)
        assert state(schedule) == before
        schedule.edit(Actor("mod", platform_moderator=True), NOW, calendar=daily_fake, title="Theirs")
        assert schedule.title == "Theirs"

    def test_a_refused_edit_changes_nothing(self) -> None:
        schedule = make()
        before = state(schedule)
        with pytest.raises(errors.DateInPast):
            schedule.edit(HOST, NOW, calendar=daily_fake, title="New", start="2020-01-01 10:00")
        with pytest.raises(errors.InvalidArgument):
            schedule.edit(HOST, NOW, calendar=daily_fake, title="New", duration=0)
        assert state(schedule) == before

    def test_moving_the_start_moves_the_next_occurrence(self) -> None:
        schedule = make()
        schedule.edit(HOST, NOW, calendar=daily_fake, start="2026-06-03 09:30")
        assert schedule.next_at == datetime(2026, 6, 3, 9, 30, tzinfo=UTC)

    def test_cancelling_occurrences_and_the_series(self) -> None:
        schedule = make()
        with pytest.raises(errors.OccurrenceNotFound):
            schedule.cancel(HOST, NOW, occurrence=FIRST + timedelta(hours=1), calendar=daily_fake)
        schedule.cancel(HOST, NOW, occurrence=FIRST + DAY, calendar=daily_fake)
        assert schedule.next_at == FIRST
        schedule.cancel(HOST, NOW, occurrence=FIRST, calendar=daily_fake)
        assert schedule.next_at == FIRST + 2 * DAY  # the day after was cancelled already
        schedule.cancel(HOST, NOW, occurrence=None, calendar=daily_fake)
        assert schedule.state is ScheduleState.CANCELLED and schedule.jobs() == {}
        with pytest.raises(errors.ScheduleNotActive):
            schedule.rsvp(ANN, NOW, going=True)


class TestTime:
    def test_reminder_goes_once_to_who_answered(self) -> None:
        schedule = make()
        schedule.rsvp(ANN, NOW, going=True)
        due = FIRST - timedelta(minutes=15)
        assert schedule.remind(SYSTEM, due, occurrence=FIRST, grace=timedelta(minutes=10)) == ("ann",)
        assert schedule.remind(SYSTEM, due, occurrence=FIRST, grace=timedelta(minutes=10)) == ()
        assert "remind" not in schedule.jobs()

    def test_a_late_reminder_beyond_its_grace_is_skipped(self) -> None:
        schedule = make()
        schedule.rsvp(ANN, NOW, going=True)
        late = FIRST - timedelta(minutes=4)
        assert schedule.remind(SYSTEM, late, occurrence=FIRST, grace=timedelta(minutes=10)) == ()
        assert isinstance(schedule.events[-1], sev.ReminderSkipped)

    def test_start_opens_once_and_moves_on(self) -> None:
        schedule = make()
        assert schedule.start(SYSTEM, FIRST, occurrence=FIRST, stage_id="stage", calendar=daily_fake)
        assert not schedule.start(SYSTEM, FIRST, occurrence=FIRST, stage_id="stage", calendar=daily_fake)
        assert schedule.next_at == FIRST + DAY
        started = [e for e in schedule.events if isinstance(e, sev.ScheduledStageStarted)]
        assert len(started) == 1 and started[0].late_seconds == 0

    def test_a_late_start_says_how_late_and_a_blocked_one_is_missed(self) -> None:
        schedule = make()
        schedule.start(SYSTEM, FIRST + timedelta(minutes=7), occurrence=FIRST, stage_id="s", calendar=daily_fake)
        assert schedule.events[-1].late_seconds == 420
        schedule.start(SYSTEM, FIRST + DAY, occurrence=FIRST + DAY, stage_id=None, calendar=daily_fake)
        assert isinstance(schedule.events[-1], sev.ScheduledStageMissed)

    def test_a_single_stage_finishes_after_opening(self) -> None:
        schedule = make("once")
        schedule.start(SYSTEM, FIRST, occurrence=FIRST, stage_id="s", calendar=daily_fake)
        assert schedule.state is ScheduleState.FINISHED and schedule.jobs() == {}


class TestCalendar:
    def test_weekly_keeps_the_wall_clock_across_a_daylight_saving_change(self) -> None:
        paris = ZoneInfo("Europe/Paris")
        first = datetime(2026, 10, 19, 18, 0, tzinfo=paris)  # summer time ends on 25 October
        next_after = series(Recurrence.parse("weekly:mon"), "Europe/Paris", first)
        second = next_after(first)
        assert second.astimezone(paris).hour == 18 and second.astimezone(paris).day == 26
        assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(days=7, hours=1)

    def test_cron_counts_weekdays_from_sunday_like_cron(self) -> None:
        start = datetime(2026, 6, 6, 12, 0, tzinfo=UTC)  # a Saturday
        next_after = series(Recurrence.parse("cron:0 18 * * 1-5"), "UTC", start)
        assert next_after(start).strftime("%a %H:%M") == "Mon 18:00"
        assert series(Recurrence.parse("cron:0 9 * * 0"), "UTC", start)(start).strftime("%a") == "Sun"

    def test_once_and_strictly_after(self) -> None:
        first = datetime(2026, 6, 6, 12, 0, tzinfo=UTC)
        once = series(Recurrence(), "UTC", first)
        assert once(first - timedelta(seconds=1)) == first and once(first) is None
        daily = series(Recurrence(RecurrenceKind.DAILY), "UTC", first)
        assert daily(first) == first + DAY

    @pytest.mark.parametrize("text", ["cron:0 25 * * *", "cron:61 1 * * *", "cron:0 0 * * 9"])
    def test_malformed_cron_is_refused(self, text: str) -> None:
        with pytest.raises(errors.ImpossibleRecurrence):
            series(Recurrence.parse(text), "UTC", NOW)
