"""Speaking timers through the bus, the MemoryScheduler and a ManualClock, across a restart too."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from bot.bootstrap import App
from bot.clock import ManualClock
from bot.domain import commands as c
from bot.domain.members import Actor
from bot.domain.timers import next_due, speaking_deadline
from bot.i18n.message import Duration
from tests.fakes.platform import Call, FakePlatform
from tests.support.apps import T0, Apps
from tests.support.stages import HOST, audit_kinds, load, open_live


async def speaking_alice(app: App) -> str:
    """A stage where alice has had the floor since T0, with 60 s to speak and a warning 20 s before the end."""
    stage_id = await open_live(app, present={"alice", "bob"})
    await app.bus.handle(c.SetRules(actor=HOST, stage_id=stage_id,
                                    changes={"speaking_time_limit": "60s", "warn_before": "20s"}))
    await app.bus.handle(c.ApproveSpeaker(actor=HOST, stage_id=stage_id, user_id="alice"))
    return stage_id


async def advance(app: App, clock: ManualClock, seconds: float) -> None:
    clock.advance(timedelta(seconds=seconds))
    await app.settle()


async def test_the_warning_and_the_end_come_when_the_clock_moves(
        apps: Apps, platform: FakePlatform, plain_engine: Engine) -> None:
    clock = ManualClock(T0)
    app = await apps.start(clock=clock, platform=platform)
    stage_id = await speaking_alice(app)
    key = f"stage-due:{stage_id}"
    assert app.scheduler.pending() == {key: T0 + timedelta(seconds=40)}

    await advance(app, clock, 39)
    assert "SpeakerWarned" not in audit_kinds(plain_engine, stage_id)

    await advance(app, clock, 1)
    assert audit_kinds(plain_engine, stage_id)[-1] == "SpeakerWarned"
    [warning] = [call for call in platform.of(stage_id, "notify") if call.args["message"].params.get("left")]
    assert warning.user_id == "alice" and warning.args["message"].params["left"] == Duration(20)
    assert app.scheduler.pending() == {key: T0 + timedelta(seconds=60)}

    await advance(app, clock, 19)
    assert audit_kinds(plain_engine, stage_id)[-1] == "SpeakerWarned"

    await advance(app, clock, 1)
    assert audit_kinds(plain_engine, stage_id)[-1] == "SpeakerMovedToAudience"
    assert platform.of(stage_id, "set_speaker")[-1] == Call("set_speaker", stage_id, "alice", {"speaking": False})
    board = await app.queries.board(stage_id)
    assert board.speakers == ()
    # Alice's timer is gone; whatever is armed now (an idle close, say) is what the stored stage says is next.
    stage = await load(app, stage_id)
    assert speaking_deadline(stage, "alice") is None
    assert app.scheduler.pending().get(key) == next_due(stage)


async def test_a_timer_that_ran_out_while_the_bot_was_down_applies_once(
        apps: Apps, plain_engine: Engine) -> None:
    clock = ManualClock(T0)
    first = await apps.start(clock=clock)
    stage_id = await speaking_alice(first)
    await advance(first, clock, 45)
    assert audit_kinds(plain_engine, stage_id).count("SpeakerWarned") == 1
    await apps.stop(first)

    clock.advance(timedelta(seconds=55))  # the deadline passes while no process runs
    platform = FakePlatform()
    second = await apps.start(clock=clock, platform=platform)
    await second.settle()

    kinds = audit_kinds(plain_engine, stage_id)
    assert kinds.count("SpeakerMovedToAudience") == 1 and kinds.count("SpeakerWarned") == 1
    assert (await second.queries.board(stage_id)).speakers == ()
    # The first process had no platform: what it committed waited for one and went out first, in order.
    assert platform.of(stage_id, "set_speaker") == [Call("set_speaker", stage_id, "alice", {"speaking": True}),
                                                    Call("set_speaker", stage_id, "alice", {"speaking": False})]

    # Neither a later tick nor the next command applies it again.
    await advance(second, clock, 30)
    await second.bus.handle(c.RaiseHand(actor=Actor("bob"), stage_id=stage_id))
    await second.settle()
    assert audit_kinds(plain_engine, stage_id).count("SpeakerMovedToAudience") == 1
