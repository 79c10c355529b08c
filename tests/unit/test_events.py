"""Each successful command records exactly the events the audit log and the adapters expect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from bot.domain import events as ev
from bot.domain import schedule_events as sev
from bot.domain.members import SYSTEM, Actor, Recap
from bot.domain.moderation import add_moderator, invite, remove, remove_moderator, unblock
from bot.domain.stage import Stage
from bot.domain.timers import expire_due
from tests.support.builders import ANN, BOB, CAT, HOST, NOW, at, open_stage

T = at(100)
Expected = tuple[str, str, str | None, str]  # kind, actor_id, target_id, reason


def _base() -> Stage:
    """ann and bob wait (in that order), cat speaks since t=0, dan is a moderator, eve is blocked."""
    stage = open_stage(speaking_time_limit=120, warn_before=30, auto_approve=("vip",))
    stage.raise_hand(ANN, "", at(0))
    stage.raise_hand(BOB, "", at(1))
    stage.approve(HOST, "cat", at(0))
    add_moderator(stage, HOST, "dan", at(0))
    remove(stage, HOST, "eve", at(0), block=True)
    stage.pull_events()
    return stage


@dataclass(frozen=True)
class Case:
    id: str
    act: Callable[[Stage], object]
    expected: list[Expected]
    setup: Callable[[Stage], object] = lambda stage: None


CASES = [
    Case("close", lambda s: s.close(HOST, T), [("StageClosed", "host", None, "")]),
    Case("set_topic", lambda s: s.set_topic(Actor("dan"), "New", T), [("TopicChanged", "dan", None, "")]),
    Case("set_rules", lambda s: s.set_rules(HOST, {"max_speakers": "2"}, T), [("RulesChanged", "host", None, "")]),
    Case("lock_hands", lambda s: s.lock_hands(HOST, T, locked=True), [("HandsLocked", "host", None, "")]),
    Case("unlock_hands", lambda s: s.lock_hands(HOST, T, locked=False), [("HandsUnlocked", "host", None, "")]),
    Case("join", lambda s: s.join(Actor("zed"), T), [("MemberJoined", "zed", "zed", "")]),
    Case("leave", lambda s: s.leave(ANN, T), [("MemberLeft", "ann", "ann", "")]),
    Case("leave_while_speaking", lambda s: s.leave(CAT, T),
         [("MemberLeft", "cat", "cat", ""), ("SpeakerMovedToAudience", "cat", "cat", "left")]),
    Case("raise_behind", lambda s: s.raise_hand(Actor("dan"), "", T), [("HandRaised", "dan", "dan", "")]),
    Case("raise_first", lambda s: s.raise_hand(Actor("dan"), "", T),
         [("HandRaised", "dan", "dan", ""), ("NextInLine", "dan", "dan", "")],
         setup=lambda s: (s.lower_hand(ANN, at(2)), s.lower_hand(BOB, at(2)))),
    Case("raise_auto_approved", lambda s: s.raise_hand(Actor("dan", roles=frozenset({"vip"})), "", T),
         [("SpeakerApproved", "dan", "dan", "")]),
    Case("lower_head", lambda s: s.lower_hand(ANN, T),
         [("HandLowered", "ann", "ann", ""), ("NextInLine", "ann", "bob", "")]),
    Case("lower_behind", lambda s: s.lower_hand(BOB, T), [("HandLowered", "bob", "bob", "")]),
    Case("deny", lambda s: s.deny(HOST, "ann", "Later", T),
         [("HandDenied", "host", "ann", "Later"), ("NextInLine", "host", "bob", "")]),
    Case("approve", lambda s: s.approve(Actor("dan"), "ann", T),
         [("SpeakerApproved", "dan", "ann", ""), ("NextInLine", "dan", "bob", "")]),
    Case("approve_next", lambda s: s.approve_next(HOST, T),
         [("SpeakerApproved", "host", "ann", ""), ("NextInLine", "host", "bob", "")]),
    Case("move_by_moderator", lambda s: s.move_to_audience(HOST, "cat", T),
         [("SpeakerMovedToAudience", "host", "cat", "moderator")]),
    Case("move_self", lambda s: s.move_to_audience(CAT, "cat", T),
         [("SpeakerMovedToAudience", "cat", "cat", "self")]),
    Case("add_moderator", lambda s: add_moderator(s, Actor("dan"), "ann", T), [("ModeratorAdded", "dan", "ann", "")]),
    Case("remove_moderator", lambda s: remove_moderator(s, HOST, "dan", T),
         [("ModeratorRemoved", "host", "dan", "")]),
    Case("invite", lambda s: invite(s, HOST, "zed", T), [("MemberInvited", "host", "zed", "")]),
    Case("remove_waiting", lambda s: remove(s, HOST, "ann", T, block=False, reason="Noise"),
         [("NextInLine", "host", "bob", ""), ("MemberRemoved", "host", "ann", "Noise")]),
    Case("remove_speaker", lambda s: remove(s, HOST, "cat", T, block=False),
         [("SpeakerMovedToAudience", "host", "cat", "removed"), ("MemberRemoved", "host", "cat", "")]),
    Case("block", lambda s: remove(s, HOST, "bob", T, block=True, reason="Spam"),
         [("MemberBlocked", "host", "bob", "Spam")]),
    Case("unblock", lambda s: unblock(s, HOST, "eve", T), [("MemberUnblocked", "host", "eve", "")]),
    Case("expire_warning", lambda s: expire_due(s, SYSTEM, at(95)), [("SpeakerWarned", "podium", "cat", "")]),
    Case("expire_time_up", lambda s: expire_due(s, SYSTEM, at(120)),
         [("SpeakerMovedToAudience", "podium", "cat", "time_up")]),
    Case("expire_grace", lambda s: expire_due(s, SYSTEM, at(122)),
         [("HandDropped", "podium", "ann", ""), ("NextInLine", "podium", "bob", "")],
         setup=lambda s: (s.move_to_audience(CAT, "cat", at(1)), s.leave(ANN, at(2)), s.pull_events())),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_events_of_each_command(case: Case) -> None:
    stage = _base()
    case.setup(stage)
    stage.pull_events()

    case.act(stage)

    recorded = stage.pull_events()
    assert [(e.kind, e.actor_id, e.target_id, e.reason) for e in recorded] == case.expected
    assert {e.stage_id for e in recorded} == {"stage-1"}
    assert {e.at for e in recorded} <= {T, at(95), at(120), at(122)}


def test_pulling_events_empties_the_list(stage: Stage) -> None:
    stage.join(Actor("zed"), NOW)
    assert len(stage.pull_events()) == 1
    assert stage.pull_events() == [] and stage.events == []


@pytest.mark.parametrize(("event", "data"), [
    (ev.StageOpened(stage_id="s", at=NOW, actor_id="h", title="T", topic="t"), {"title": "T", "topic": "t"}),
    (sev.StageScheduled(schedule_id="s", at=NOW, actor_id="h", title="T", starts_at=NOW),
     {"title": "T", "starts_at": NOW.isoformat()}),
    (ev.StageClosed(stage_id="s", at=NOW, actor_id="h", recap=Recap(1.0, 2, still_waiting=("a", "b"))),
     {"waiting": 2, "speakers": 0}),
    (ev.TopicChanged(stage_id="s", at=NOW, actor_id="h", topic="t"), {"topic": "t"}),
    (ev.RulesChanged(stage_id="s", at=NOW, actor_id="h", changes={"a": "1", "b": "x,y"}), {"changes": "a=1, b=x,y"}),
    (ev.HandRaised(stage_id="s", at=NOW, actor_id="h", note="n", position=3), {"note": "n", "position": 3}),
    (ev.SpeakerApproved(stage_id="s", at=NOW, actor_id="h", auto=True, note="n"), {"auto": True, "note": "n"}),
    (ev.SpeakerWarned(stage_id="s", at=NOW, actor_id="h", seconds_left=30), {"seconds_left": 30}),
    (ev.SpeakerMovedToAudience(stage_id="s", at=NOW, actor_id="h", talk_seconds=12.345), {"talk_seconds": 12.3}),
    (ev.MemberBlocked(stage_id="s", at=NOW, actor_id="h"), {"until": None}),
])
def test_audit_data(event: ev.Event, data: dict[str, object]) -> None:
    assert event.data() == data
