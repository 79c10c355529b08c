"""Scheduled stages through the bus, on SQLite and PostgreSQL, with a clock the test moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, text

from bot.bootstrap import App
from bot.clock import ManualClock
from bot.domain import commands as c
from bot.domain import errors
from bot.domain.members import Actor
from tests.fakes.platform import FakePlatform
from tests.support.apps import Apps

PARIS = ZoneInfo("Europe/Paris")
T0 = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)  # a Monday, two weeks before summer time starts in Paris
HOST = Actor("host")


def schedule(**values: object) -> c.ScheduleStage:
    fields: dict[str, object] = {"actor": HOST, "platform": "fake", "space_id": "space", "channel_id": "chan",
                                 "title": "Weekly AMA", "start": "2026-03-23 18:00", "timezone": "Europe/Paris",
                                 "duration": 3600, "recurrence": "weekly:mon"}
    fields.update(values)
    return c.ScheduleStage(**fields)  # type: ignore[arg-type]


async def move(app: App, clock: ManualClock, to: datetime) -> None:
    clock.advance(to - clock.now())
    await app.settle()


def kinds(engine: Engine, schedule_id: str) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT kind FROM audit_log WHERE schedule_id = :s ORDER BY id"),
                                 {"s": schedule_id}).scalars())


def rows(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


async def only_schedule(app: App) -> str:
    [view] = await app.queries.schedules("fake", "space")
    return view.schedule_id


def local(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=PARIS)


async def test_a_weekly_series_reminds_opens_and_keeps_its_wall_clock_across_summer_time(
        apps: Apps, platform: FakePlatform, plain_engine: Engine) -> None:
    clock = ManualClock(T0)
    app = await apps.start(clock=clock, platform=platform)
    await app.bus.handle(schedule())
    schedule_id = await only_schedule(app)
    first = local("2026-03-23 18:00")
    assert app.scheduler.pending() == {f"schedule-remind:{schedule_id}": first - timedelta(minutes=15),
                                       f"schedule-start:{schedule_id}": first}
    await app.bus.handle(c.Rsvp(actor=Actor("ann"), schedule_id=schedule_id))
    await app.bus.handle(c.Rsvp(actor=Actor("bob"), schedule_id=schedule_id))
    await app.bus.handle(c.Rsvp(actor=Actor("bob"), schedule_id=schedule_id, going=False))

    await move(app, clock, first - timedelta(minutes=15, seconds=1))
    assert "ReminderSent" not in kinds(plain_engine, schedule_id)
    await move(app, clock, first - timedelta(minutes=15))
    reminders = [call for call in platform.of(schedule_id, "notify")
                 if call.args["message"].msgid.startswith("Reminder")]
    assert [call.user_id for call in reminders] == ["ann"]
    assert reminders[0].args["message"].params["when"] == first

    await move(app, clock, first)
    stage_id = await app.queries.live_stage("fake", "space", "chan")
    assert (await app.queries.board(stage_id)).ref.title == "Weekly AMA"
    assert [call.user_id for call in platform.of(schedule_id, "notify")][-1] == "ann"
    view = await app.queries.schedule(schedule_id)
    # Summer time starts on 29 March: still 18:00 in Paris, an hour earlier in UTC.
    assert view.next_at == local("2026-03-30 18:00")
    assert view.next_at.astimezone(UTC).hour == 16
    assert kinds(plain_engine, schedule_id) == ["StageScheduled", "RsvpChanged", "RsvpChanged", "RsvpChanged",
                                                "ReminderSent", "ScheduledStageStarted"]


async def test_a_restart_before_the_reminder_sends_it_once_and_opens_late_with_a_notice(
        apps: Apps, platform: FakePlatform, plain_engine: Engine) -> None:
    clock = ManualClock(T0)
    app = await apps.start(clock=clock, platform=platform)
    await app.bus.handle(schedule(recurrence="once"))
    schedule_id = await only_schedule(app)
    await app.bus.handle(c.Rsvp(actor=Actor("ann"), schedule_id=schedule_id))
    await apps.stop(app)

    first = local("2026-03-23 18:00")
    # Down through the reminder's moment, back 5 minutes later: within its grace, sent once.
    clock = ManualClock(first - timedelta(minutes=10))
    app = await apps.start(clock=clock, platform=platform)
    await app.settle()
    assert kinds(plain_engine, schedule_id).count("ReminderSent") == 1
    await apps.stop(app)

    # Down again through the start; back 20 minutes late: it opens at once and says it is late.
    clock = ManualClock(first + timedelta(minutes=20))
    app = await apps.start(clock=clock, platform=platform)
    await app.settle()
    assert kinds(plain_engine, schedule_id).count("ReminderSent") == 1
    assert kinds(plain_engine, schedule_id).count("ScheduledStageStarted") == 1
    assert await app.queries.live_stage("fake", "space", "chan")
    late = [call for call in platform.of(schedule_id, "announce") if "late" in call.args["message"].msgid]
    assert len(late) == 1
    await apps.stop(app)

    app = await apps.start(clock=ManualClock(first + timedelta(minutes=30)), platform=platform)
    await app.settle()
    assert kinds(plain_engine, schedule_id).count("ScheduledStageStarted") == 1  # nothing fires twice


async def test_a_reminder_missed_beyond_its_grace_is_skipped_not_sent_late(
        apps: Apps, platform: FakePlatform, plain_engine: Engine) -> None:
    app = await apps.start(clock=ManualClock(T0), platform=platform)
    await app.bus.handle(schedule(recurrence="once"))
    schedule_id = await only_schedule(app)
    await app.bus.handle(c.Rsvp(actor=Actor("ann"), schedule_id=schedule_id))
    await apps.stop(app)
    first = local("2026-03-23 18:00")
    app = await apps.start(clock=ManualClock(first - timedelta(minutes=1)), platform=platform)
    await app.settle()
    assert "ReminderSkipped" in kinds(plain_engine, schedule_id)
    assert not [call for call in platform.of(schedule_id, "notify") if call.args["message"].msgid.startswith("Reminder")]


async def test_cancelling_one_occurrence_moves_to_the_next_and_cancelling_the_series_disarms_it(
        apps: Apps, platform: FakePlatform) -> None:
    app = await apps.start(clock=ManualClock(T0), platform=platform)
    await app.bus.handle(schedule(recurrence="daily"))
    schedule_id = await only_schedule(app)
    with pytest.raises(errors.NotModerator):
        await app.bus.handle(c.CancelSchedule(actor=Actor("ann"), schedule_id=schedule_id))
    with pytest.raises(errors.OccurrenceNotFound):
        await app.bus.handle(c.CancelSchedule(actor=HOST, schedule_id=schedule_id,
                                              occurrence=local("2026-03-23 19:00")))
    await app.bus.handle(c.CancelSchedule(actor=HOST, schedule_id=schedule_id, occurrence=local("2026-03-23 18:00")))
    assert (await app.queries.schedule(schedule_id)).next_at == local("2026-03-24 18:00")
    await app.bus.handle(c.CancelSchedule(actor=HOST, schedule_id=schedule_id, occurrence=local("2026-03-25 18:00")))
    await app.bus.handle(c.EditSchedule(actor=HOST, schedule_id=schedule_id, title="Daily AMA"))
    assert (await app.queries.schedule(schedule_id)).next_at == local("2026-03-24 18:00")
    await app.bus.handle(c.CancelSchedule(actor=HOST, schedule_id=schedule_id))
    assert app.scheduler.pending() == {}
    assert await app.queries.schedules("fake", "space") == []
    with pytest.raises(errors.ScheduleNotActive):
        await app.bus.handle(c.Rsvp(actor=Actor("ann"), schedule_id=schedule_id))
    await app.settle()  # platform work is delivered after the commit
    assert platform.of(schedule_id, "schedule_changed")[-1].args["schedule"].state == "cancelled"


@pytest.mark.parametrize(("values", "refusal"), [
    ({"start": "2026-03-01 18:00"}, errors.DateInPast),
    ({"timezone": "Mars/Olympus"}, errors.UnknownTimezone),
    ({"recurrence": "cron:0 0 30 2 *"}, errors.ImpossibleRecurrence),
    ({"recurrence": "weekly:funday"}, errors.ImpossibleRecurrence),
    ({"recurrence": "cron:0 25 * * *"}, errors.ImpossibleRecurrence),
    ({"duration": 0}, errors.InvalidArgument),
    ({"start": "next tuesday"}, errors.InvalidDate),
    ({"title": ""}, errors.InvalidArgument),
])
async def test_bad_schedules_are_refused_and_store_nothing(
        apps: Apps, plain_engine: Engine, values: dict[str, object], refusal: type[Exception]) -> None:
    app = await apps.start(clock=ManualClock(T0))
    with pytest.raises(refusal):
        await app.bus.handle(schedule(**values))
    assert rows(plain_engine, "schedule") == 0 and rows(plain_engine, "audit_log") == 0
    assert app.scheduler.pending() == {}


async def test_a_space_holds_at_most_100_active_series(apps: Apps, plain_engine: Engine) -> None:
    app = await apps.start(clock=ManualClock(T0))
    for day in range(100):
        await app.bus.handle(schedule(start=f"2026-04-{day % 28 + 1:02d} {day % 24:02d}:00", recurrence="once"))
    with pytest.raises(errors.TooManySchedules):
        await app.bus.handle(schedule(start="2026-05-01 10:00", recurrence="once"))
    assert rows(plain_engine, "schedule") == 100
    await app.bus.handle(schedule(start="2026-05-01 10:00", recurrence="once", space_id="another space"))


async def test_a_stage_nobody_speaks_on_closes_itself_with_its_recap(
        apps: Apps, platform: FakePlatform, plain_engine: Engine) -> None:
    clock = ManualClock(T0)
    app = await apps.start(clock=clock, platform=platform)
    await app.bus.handle(c.OpenStage(actor=HOST, platform="fake", space_id="space", channel_id="chan",
                                     title="Quiet", present=frozenset({"host", "ann"})))
    stage_id = await app.queries.live_stage("fake", "space", "chan")
    await app.bus.handle(c.ApproveSpeaker(actor=HOST, stage_id=stage_id, user_id="ann"))
    await move(app, clock, T0 + timedelta(hours=2))
    assert await app.queries.live_stage("fake", "space", "chan") == stage_id  # someone is speaking
    await app.bus.handle(c.MoveToAudience(actor=HOST, stage_id=stage_id, user_id="ann"))
    await move(app, clock, T0 + timedelta(hours=2, minutes=29))
    assert await app.queries.live_stage("fake", "space", "chan") == stage_id
    await move(app, clock, T0 + timedelta(hours=2, minutes=30))
    with pytest.raises(errors.StageNotFound):
        await app.queries.live_stage("fake", "space", "chan")
    [closed] = platform.of(stage_id, "stage_closed")
    assert closed.args["recap"].speakers[0].talk_seconds == 7200
    assert (await app.queries.last_recap("fake", "space", "chan"))[1].speakers[0].user_id == "ann"
