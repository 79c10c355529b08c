"""Recording consent, strikes, retention and deletion, on SQLite and PostgreSQL, each audited."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.bootstrap import App
from bot.clock import ManualClock
from bot.domain import commands as c
from bot.domain import errors
from bot.domain.members import Actor
from bot.domain.recording import DeleteReplay, NotYourSegment, RecordConsent, ReplayNotFound, StrikeVoice
from bot.services.recordings import Replay
from tests.fakes.platform import FakePlatform, FakeRecordingPlatform
from tests.support.stages import HOST, PLATFORM, SPACE, open_live

from tests.support.apps import T0
CAROL, DAVE, ERIN = Actor("carol"), Actor("dave"), Actor("erin")


def audit(app: App, kind: str) -> list[tuple[str | None, str, str | None]]:
    with app.db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(
            "SELECT stage_id, actor_id, target_id FROM audit_log WHERE kind = :kind ORDER BY id"), {"kind": kind})]


async def recorded(app: App) -> str:
    stage_id = await open_live(app)
    await app.bus.handle(c.SetRules(actor=HOST, stage_id=stage_id, changes={"record": "on"}))
    return stage_id


async def test_consent_is_remembered_per_member_and_space_until_withdrawn(apps) -> None:
    app = await apps.start()
    stage_id = await recorded(app)
    assert await app.recordings.heard(stage_id) == frozenset()  # nobody accepted yet: nobody is written
    await app.recordings.consent(PLATFORM, SPACE, CAROL, accepted=True)
    await app.recordings.consent(PLATFORM, "space-2", DAVE, accepted=True)  # another space: not this one
    assert await app.recordings.heard(stage_id) == {"carol"}
    await app.recordings.consent(PLATFORM, SPACE, DAVE, accepted=True)
    assert await app.recordings.heard(stage_id) == {"carol", "dave"}
    withdrawn = await app.recordings.consent(PLATFORM, SPACE, CAROL, accepted=False)
    assert withdrawn.msgid == "You will not be recorded on stages here."
    assert await app.recordings.heard(stage_id) == {"dave"}
    assert audit(app, "RecordingConsentGiven") == [(None, "carol", "carol"), (None, "dave", "dave"),
                                                     (None, "dave", "dave")]
    assert audit(app, "RecordingConsentWithdrawn") == [(None, "carol", "carol")]


async def test_a_stage_not_recording_writes_nobody_even_with_consent(apps) -> None:
    app = await apps.start()
    stage_id = await open_live(app)
    await app.recordings.consent(PLATFORM, SPACE, CAROL, accepted=True)
    assert await app.recordings.heard(stage_id) == frozenset()
    await app.bus.handle(c.SetRules(actor=HOST, stage_id=stage_id, changes={"record": "on"}))
    assert await app.recordings.heard(stage_id) == {"carol"}
    await app.bus.handle(c.SetRules(actor=HOST, stage_id=stage_id, changes={"record": "off"}))
    assert await app.recordings.heard(stage_id) == frozenset()


async def test_only_moderators_turn_recording_on(apps) -> None:
    app = await apps.start()
    stage_id = await open_live(app)
    with pytest.raises(errors.NotModerator):
        await app.bus.handle(c.SetRules(actor=CAROL, stage_id=stage_id, changes={"record": "on"}))
    with pytest.raises(errors.InvalidRule) as refused:
        await app.bus.handle(c.SetRules(actor=HOST, stage_id=stage_id, changes={"record": "maybe"}))
    assert refused.value.params["rule"] == "record" and refused.value.params["value"] == "maybe"


async def test_a_moderator_strikes_anyone_a_member_only_themselves(apps) -> None:
    app = await apps.start()
    stage_id = await recorded(app)
    for member in (CAROL, DAVE, ERIN):
        await app.recordings.consent(PLATFORM, SPACE, member, accepted=True)
    with pytest.raises(NotYourSegment):
        await app.recordings.strike(stage_id, CAROL, "dave")
    assert await app.recordings.struck(stage_id) == frozenset()
    await app.recordings.strike(stage_id, HOST, "dave")
    mine = await app.recordings.strike(stage_id, ERIN, "erin")
    assert mine.msgid.startswith("Your voice is removed")
    assert await app.recordings.struck(stage_id) == {"dave", "erin"}
    assert await app.recordings.heard(stage_id) == {"carol"}  # consent stays; the strike wins on this stage
    assert audit(app, "SegmentStruck") == [(stage_id, "host", "dave"), (stage_id, "erin", "erin")]


def replay_of(stage_id: str, folder: Path) -> Replay:
    (folder / f"{stage_id}.ogg").write_bytes(b"OggS replay")
    (folder / "sources" / stage_id).mkdir(parents=True, exist_ok=True)
    (folder / "sources" / stage_id / "carol.spool").write_bytes(b"frames")
    return Replay(id=stage_id, stage_id=stage_id, platform=PLATFORM, space_id=SPACE, channel_id="chan-1",
                  title="Town hall", file=f"{stage_id}.ogg", bytes=11, seconds=60.0, speakers=("carol",),
                  chapters=({"user_id": "carol", "start": 0, "end": 48000, "name": "Carol"},),
                  created_at=T0, expires_at=T0)


@pytest.mark.parametrize("days,kept", [(29, True), (30, False), (31, False)])
async def test_a_replay_is_kept_for_the_retention_days_then_removed(apps, tmp_path, days, kept) -> None:
    clock = ManualClock(T0)
    app = await apps.start(clock=clock)
    app.recordings.folder = tmp_path
    stage_id = await recorded(app)
    published = await app.recordings.published(replay_of(stage_id, tmp_path))
    assert published.expires_at == T0 + timedelta(days=30)
    clock.advance(timedelta(days=days) - timedelta(seconds=1 if kept else 0))
    removed = await app.recordings.purge()
    assert removed == ([] if kept else [stage_id])
    assert (tmp_path / f"{stage_id}.ogg").exists() is kept
    assert (tmp_path / "sources" / stage_id / "carol.spool").exists() is kept
    assert [r.id for r in await app.recordings.replays(PLATFORM, SPACE)] == ([stage_id] if kept else [])
    assert audit(app, "ReplayExpired") == ([] if kept else [(stage_id, "podium", None)])


async def test_only_the_host_or_a_moderator_deletes_a_replay(apps, tmp_path) -> None:
    app = await apps.start()
    app.recordings.folder = tmp_path
    stage_id = await recorded(app)
    await app.recordings.published(replay_of(stage_id, tmp_path))
    with pytest.raises(errors.NotModerator):
        await app.recordings.delete(stage_id, CAROL)
    assert (tmp_path / f"{stage_id}.ogg").exists()
    done = await app.recordings.delete(stage_id, HOST)
    assert done.msgid.endswith("is deleted.") and done.params == {"title": "Town hall"}
    assert not (tmp_path / f"{stage_id}.ogg").exists() and not (tmp_path / "sources" / stage_id / "carol.spool").exists()
    with pytest.raises(ReplayNotFound) as again:
        await app.recordings.delete(stage_id, HOST)
    assert again.value.params == {"replay_id": stage_id}
    assert audit(app, "ReplayDeleted") == [(stage_id, "host", None)]


async def test_the_timeline_says_who_had_the_floor_when(apps) -> None:
    clock = ManualClock(T0)
    app = await apps.start(clock=clock)
    stage_id = await open_live(app, present={"carol", "dave"})
    clock.advance(timedelta(seconds=10))
    await app.bus.handle(c.ApproveSpeaker(actor=HOST, stage_id=stage_id, user_id="carol"))
    clock.advance(timedelta(seconds=30))
    await app.bus.handle(c.MoveToAudience(actor=HOST, stage_id=stage_id, user_id="carol"))
    await app.bus.handle(c.ApproveSpeaker(actor=HOST, stage_id=stage_id, user_id="dave"))
    clock.advance(timedelta(seconds=20))
    await app.bus.handle(c.CloseStage(actor=HOST, stage_id=stage_id))
    turns = await app.recordings.timeline(stage_id)
    assert [(t.user_id, t.start, t.seconds) for t in turns] == [("carol", 10.0, 30.0), ("dave", 40.0, 20.0)]


async def test_every_platform_gets_the_timeline_in_its_recap_and_shows_it(apps, platform) -> None:
    from adapters.console.render import recap_text, sayer
    from adapters.slack.blocks import recap_lines
    from adapters.slack.text import sayer as slack_sayer

    clock = ManualClock(T0)
    app = await apps.start(clock=clock, platform=platform)
    stage_id = await open_live(app, present={"carol", "dave"})
    clock.advance(timedelta(seconds=75))
    await app.bus.handle(c.ApproveSpeaker(actor=HOST, stage_id=stage_id, user_id="carol"))
    clock.advance(timedelta(seconds=3600))
    await app.bus.handle(c.CloseStage(actor=HOST, stage_id=stage_id))  # carol still speaking: her turn ends here
    await app.settle()
    (closed,) = platform.of(stage_id, "stage_closed")
    recap = closed.args["recap"]
    assert [(t.user_id, t.start, t.seconds) for t in recap.timeline] == [("carol", 75.0, 3600.0)]
    console = recap_text("Town hall", recap, sayer("en"))
    assert console[-2:] == ["  Timeline:", "  1:15 carol spoke for 1:00:00"]
    slack = recap_lines("Town hall", recap, slack_sayer("fr"))
    assert slack[-1] == "1:15 <@carol> a parlé pendant 1:00:00"


async def test_record_on_at_open_and_in_a_schedule_records_from_the_start(apps) -> None:
    clock = ManualClock(T0)
    app = await apps.start(clock=clock)
    await app.recordings.consent(PLATFORM, SPACE, CAROL, accepted=True)
    plain = await open_live(app, "chan-1")
    recorded_at_open = await open_live(app, "chan-2", record=True)
    assert await app.recordings.heard(plain) == frozenset()
    assert await app.recordings.heard(recorded_at_open) == {"carol"}
    await app.bus.handle(c.ScheduleStage(actor=HOST, platform=PLATFORM, space_id=SPACE, channel_id="chan-3",
                                         title="Weekly AMA", start="2026-03-03 18:00", timezone="UTC", record=True))
    clock.advance(timedelta(days=1))
    await app.settle()
    recorded_by_series = await app.queries.live_stage(PLATFORM, SPACE, "chan-3")
    assert await app.recordings.heard(recorded_by_series) == {"carol"}


async def test_who_may_be_heard_reaches_the_recording_platform_through_the_outbox_even_across_a_stop(
        apps, tmp_path) -> None:
    """A consent, a strike and a deletion each write their notice in their own transaction (the outbox): a
    platform not connected when they commit (a crash right after the commit looks the same) still gets every
    one, in order, from the next process; a refusal writes none."""
    app = await apps.start()
    app.recordings.folder = tmp_path
    app.register(FakeRecordingPlatform(PLATFORM), connected=False)
    stage_id = await recorded(app)
    before = await app.outbox.pending()
    await app.bus.handle(RecordConsent(actor=CAROL, platform=PLATFORM, space_id=SPACE, accepted=True))
    await app.bus.handle(StrikeVoice(actor=HOST, stage_id=stage_id, user_id="dave"))
    with pytest.raises(NotYourSegment):
        await app.bus.handle(StrikeVoice(actor=CAROL, stage_id=stage_id, user_id="erin"))
    await app.recordings.published(replay_of(stage_id, tmp_path))
    await app.bus.handle(DeleteReplay(actor=HOST, replay_id=stage_id))
    assert await app.outbox.pending() == before + 3  # stored with each change, not held in memory
    await apps.stop(app)

    platform = FakeRecordingPlatform(PLATFORM)
    again = await apps.start(platform=platform)
    await again.settle()
    notices = [(c.stage_id, c.args["space_id"]) for c in platform.calls if c.method == "recording_changed"]
    assert notices == [("", SPACE), (stage_id, SPACE), (stage_id, SPACE)]
    assert await again.outbox.pending() == 0


async def test_a_platform_that_does_not_record_takes_the_notice_and_does_nothing(apps) -> None:
    platform = FakePlatform(PLATFORM)
    app = await apps.start(platform=platform)
    await app.bus.handle(RecordConsent(actor=CAROL, platform=PLATFORM, space_id=SPACE, accepted=True))
    await app.settle()
    assert platform.calls == [] and await app.outbox.pending() == 0


async def test_recording_turned_on_reaches_the_recording_platform_through_the_outbox(apps) -> None:
    recording, plain = FakeRecordingPlatform(PLATFORM), FakePlatform("other")
    app = await apps.start(platform=recording)
    app.register(plain)
    stage_id = await recorded(app)
    await app.bus.handle(c.SetRules(actor=HOST, stage_id=stage_id, changes={"max_speakers": "3"}))
    await app.bus.handle(c.SetRules(actor=HOST, stage_id=stage_id, changes={"record": "off"}))
    await app.bus.handle(c.SetRules(actor=HOST, stage_id=stage_id, changes={"record": "on"}))
    await app.settle()
    assert [c.method for c in recording.calls if c.method == "recording_on"] == ["recording_on", "recording_on"]


async def test_who_joins_or_gets_the_floor_on_a_recorded_stage_is_told_through_the_outbox_even_across_a_stop(
        apps) -> None:
    """The notices to a member who joins a recorded stage, or is given the floor there, are effects of the
    command that joins or approves them: a process stopped right after the commit still has them delivered."""
    app = await apps.start()
    app.register(FakeRecordingPlatform(PLATFORM), connected=False)
    stage_id = await recorded(app)
    quiet = await open_live(app, "chan-2")  # not recorded: nobody is told anything about recording
    await app.bus.handle(c.JoinAudio(actor=CAROL, stage_id=stage_id))
    await app.bus.handle(c.JoinAudio(actor=DAVE, stage_id=quiet))
    await app.bus.handle(c.RaiseHand(actor=CAROL, stage_id=stage_id))
    await app.bus.handle(c.ApproveSpeaker(actor=HOST, stage_id=stage_id, user_id="carol"))
    await app.bus.handle(c.RaiseHand(actor=DAVE, stage_id=quiet))
    await app.bus.handle(c.ApproveSpeaker(actor=HOST, stage_id=quiet, user_id="dave"))
    await apps.stop(app)

    platform = FakeRecordingPlatform(PLATFORM)
    again = await apps.start(platform=platform)
    await again.settle()
    notices = [(c.stage_id, c.user_id, c.args["speaking"]) for c in platform.calls
               if c.method == "recording_notice"]
    assert notices == [(stage_id, "carol", False), (stage_id, "carol", True)]
    assert await again.outbox.pending() == 0
