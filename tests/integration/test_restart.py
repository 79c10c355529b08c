"""A restart loses nothing: a new App on the same database rebuilds every stage exactly as it was."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine

from bot.bootstrap import App
from bot.clock import ManualClock
from bot.domain import commands as c
from bot.domain import errors
from bot.domain.members import Actor
from bot.domain.rules import QueueMode
from bot.i18n.message import Duration, Mention
from tests.support.apps import T0, Apps
from tests.support.stages import HOST, audit_kinds, load, open_live, snapshot

ROOM = {"alice", "bob", "carol", "dave", "erin"}

# What the script below leaves in the audit log, in order.
KINDS = (
    ["StageOpened"] + ["MemberJoined"] * 5 + ["RulesChanged"]
    + ["HandRaised", "NextInLine"] + ["HandRaised"] * 3       # alice first in line, then bob, carol, dave
    + ["SpeakerApproved", "NextInLine"]                       # alice has the floor, bob is next
    + ["HandDenied"]                                          # carol, off topic
    + ["SpeakerMovedToAudience"] + ["HandRaised"] * 2         # alice steps back, alice and erin raise again
    + ["MemberInvited", "MemberBlocked", "ModeratorAdded"]
    + ["MemberLeft"]                                          # bob leaves with his hand up
    + ["HandsLocked", "TopicChanged"]
)


async def play(app: App, clock: ManualClock, channel: str, rule_changes: dict[str, str]) -> str:
    bus = app.bus

    def tick(seconds: float = 5) -> None:
        clock.advance(timedelta(seconds=seconds))

    stage_id = await open_live(app, channel, present=ROOM, topic="Budget", capacity=50)
    await bus.handle(c.SetRules(actor=HOST, stage_id=stage_id, changes={
        "hand_cooldown": "90s", "grace_period": "5m", "max_speakers": "3", "hand_roles": "speaker, guest-star",
        **rule_changes}))
    for user_id, note in [("alice", "about the parks"), ("bob", "follow-up"), ("carol", ""), ("dave", "late")]:
        tick()
        await bus.handle(c.RaiseHand(actor=Actor(user_id), stage_id=stage_id, note=note))
    tick()
    await bus.handle(c.ApproveSpeaker(actor=HOST, stage_id=stage_id, user_id="alice"))
    await bus.handle(c.DenyHand(actor=HOST, stage_id=stage_id, user_id="carol", reason="off topic"))
    tick(30.25)
    await bus.handle(c.MoveToAudience(actor=HOST, stage_id=stage_id, user_id="alice"))
    tick()
    await bus.handle(c.RaiseHand(actor=Actor("alice"), stage_id=stage_id, note="once more"))
    tick()
    await bus.handle(c.RaiseHand(actor=Actor("erin"), stage_id=stage_id))
    await bus.handle(c.InviteMember(actor=HOST, stage_id=stage_id, user_id="frank"))
    await bus.handle(c.RemoveMember(actor=HOST, stage_id=stage_id, user_id="mallory", block=True, reason="spam"))
    await bus.handle(c.AddModerator(actor=HOST, stage_id=stage_id, user_id="zoe"))
    tick()
    await bus.handle(c.LeaveAudio(actor=Actor("bob"), stage_id=stage_id))
    await bus.handle(c.LockHands(actor=HOST, stage_id=stage_id, locked=True))
    await bus.handle(c.SetTopic(actor=HOST, stage_id=stage_id, topic="Budget, part two"))
    return stage_id


@pytest.mark.parametrize(("mode", "queue"), [
    ("fifo", ["bob", "dave", "alice", "erin"]),
    # fair: whoever has spoken less goes first, so alice (30 s of talk) waits behind erin.
    ("fair", ["bob", "dave", "erin", "alice"]),
])
async def test_a_new_app_on_the_same_database_rebuilds_the_stage(
        apps: Apps, plain_engine: Engine, mode: str, queue: list[str]) -> None:
    clock = ManualClock(T0)
    first = await apps.start(clock=clock)
    stage_id = await play(first, clock, "chan-1", {"queue_mode": mode})
    other_id = await open_live(first, "chan-2", title="Quiet room")

    before, other = snapshot(await load(first, stage_id)), snapshot(await load(first, other_id))
    armed = first.scheduler.pending()
    board_before = await first.queries.board(stage_id)
    log_before = await first.queries.log(stage_id, HOST, limit=100)
    await apps.stop(first)

    second = await apps.start(clock=clock)
    after = snapshot(await load(second, stage_id))

    assert after == before
    assert after["rules"].queue_mode is QueueMode(mode)
    assert after["rules"].hand_roles == ("guest-star", "speaker")
    assert after["queue"] == queue
    assert after["hands_locked"] is True and after["topic"] == "Budget, part two"
    assert (after["hand_seq"], after["hands_raised"], after["hands_served"], after["peak_audience"]) == (6, 6, 1, 5)
    assert after["version"] == 17  # one versioned write per command that changed something
    assert after["created_at"] == T0 and after["created_at"].microsecond == 123456
    assert after["absent_hands"] == ["bob"] and after["moderators"] == ["zoe"]
    members = after["participants"]
    assert members["alice"]["talk_seconds"] == 30.25 and members["alice"]["turns"] == 1
    assert members["carol"]["cooldown_until"] == T0 + timedelta(seconds=25 + 90)
    assert members["bob"]["present"] is False and members["bob"]["hand"]["note"] == "follow-up"
    assert members["frank"]["invited"] and members["mallory"]["blocked"]

    assert await second.queries.board(stage_id) == board_before
    assert await second.queries.log(stage_id, HOST, limit=100) == log_before
    assert audit_kinds(plain_engine, stage_id) == KINDS
    assert snapshot(await load(second, other_id)) == other and other["title"] == "Quiet room"
    # Timers (bob's grace period among them) are armed again from what was stored, to the same moments.
    key = f"stage-due:{stage_id}"
    assert armed[key] <= members["bob"]["left_at"] + timedelta(minutes=5)
    assert second.scheduler.pending() == armed


async def test_what_was_stored_still_rules_after_a_restart(apps: Apps) -> None:
    clock = ManualClock(T0)
    first = await apps.start(clock=clock)
    stage_id = await play(first, clock, "chan-1", {})
    await apps.stop(first)

    second = await apps.start(clock=clock)
    bus = second.bus
    with pytest.raises(errors.HandsLocked):
        await bus.handle(c.RaiseHand(actor=Actor("erin"), stage_id=stage_id))
    await bus.handle(c.LockHands(actor=HOST, stage_id=stage_id, locked=False))
    with pytest.raises(errors.CoolingDown) as cooling:
        await bus.handle(c.RaiseHand(actor=Actor("carol"), stage_id=stage_id))
    assert cooling.value.params == {"wait": Duration(90 - 45)}
    with pytest.raises(errors.Blocked):
        await bus.handle(c.JoinAudio(actor=Actor("mallory"), stage_id=stage_id))
    with pytest.raises(errors.AlreadyRaised) as raised:
        await bus.handle(c.RaiseHand(actor=Actor("dave"), stage_id=stage_id))
    assert raised.value.params == {"position": 2}
    # zoe's delegated moderation survived; bob is first in line but away, so dave gets the floor.
    reply = await bus.handle(c.ApproveNext(actor=Actor("zoe"), stage_id=stage_id))
    assert reply.params == {"member": Mention("dave")}
