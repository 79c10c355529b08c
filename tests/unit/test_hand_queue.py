from __future__ import annotations

import pytest

from bot.domain import errors
from bot.domain import events as ev
from bot.domain.members import Hand
from bot.domain.queue import HandQueue
from bot.domain.rules import QueueMode
from bot.domain.stage import Stage
from tests.support.builders import ANN, BOB, CAT, DAN, HOST, NOW, at, kinds, of_kind, open_stage, raise_hands


def _spoke(stage: Stage, seconds_by_member: dict[str, float]) -> None:
    """Gives each member a finished turn of the given length, all before t=0 of the queue under test."""
    for user_id, seconds in seconds_by_member.items():
        stage.approve(HOST, user_id, at(-1000))
        stage.move_to_audience(HOST, user_id, at(-1000 + seconds))
    stage.pull_events()


class TestFifo:
    def test_positions_follow_the_order_hands_were_raised(self, stage: Stage) -> None:
        assert raise_hands(stage, CAT, ANN, BOB) == [1, 2, 3]
        assert list(stage.queue) == ["cat", "ann", "bob"]
        assert [stage.position(u) for u in ("cat", "ann", "bob", "dan")] == [1, 2, 3, None]

    def test_talk_time_does_not_matter(self, stage: Stage) -> None:
        _spoke(stage, {"ann": 300})
        raise_hands(stage, ANN, BOB)
        assert list(stage.queue) == ["ann", "bob"]

    def test_hands_raised_at_the_same_moment_keep_their_sequence(self, stage: Stage) -> None:
        for actor in (DAN, ANN, CAT):
            stage.raise_hand(actor, "", NOW)
        assert list(stage.queue) == ["dan", "ann", "cat"]

    def test_a_hand_remembers_whether_the_platforms_own_control_raised_it(self, stage: Stage) -> None:
        stage.raise_hand(ANN, "", NOW, native=True)
        stage.raise_hand(BOB, "pricing", NOW)
        assert [stage.participants[u].hand.native for u in ("ann", "bob")] == [True, False]  # type: ignore[union-attr]
        assert list(stage.queue) == ["ann", "bob"]  # the same queue either way

    def test_positions_close_up_when_a_hand_goes(self, stage: Stage) -> None:
        raise_hands(stage, ANN, BOB, CAT)
        stage.lower_hand(ANN, at(10))
        assert [stage.position(u) for u in ("ann", "bob", "cat")] == [None, 1, 2]


class TestFair:
    def test_whoever_spoke_less_goes_first(self) -> None:
        stage = open_stage(queue_mode=QueueMode.FAIR)
        _spoke(stage, {"ann": 30, "bob": 10})

        positions = raise_hands(stage, ANN, BOB, CAT)

        assert positions == [1, 1, 1]
        assert list(stage.queue) == ["cat", "bob", "ann"]
        assert stage.participants["ann"].hand.priority == 30.0

    def test_equal_talk_time_goes_by_time_raised(self) -> None:
        stage = open_stage(queue_mode=QueueMode.FAIR)
        _spoke(stage, {"ann": 10, "bob": 10})
        stage.raise_hand(ANN, "", at(1))
        stage.raise_hand(BOB, "", at(5))
        assert list(stage.queue) == ["ann", "bob"]

    def test_equal_talk_time_and_moment_goes_by_sequence(self) -> None:
        stage = open_stage(queue_mode=QueueMode.FAIR)
        for actor in (CAT, BOB, ANN):
            stage.raise_hand(actor, "", NOW)
        assert list(stage.queue) == ["cat", "bob", "ann"]

    def test_priority_is_the_talk_time_when_the_hand_was_raised(self) -> None:
        stage = open_stage(queue_mode=QueueMode.FAIR)
        raise_hands(stage, ANN, BOB)
        _spoke(stage, {"cat": 50})  # talking later does not reorder hands already up
        stage.raise_hand(CAT, "", at(5))
        assert list(stage.queue) == ["ann", "bob", "cat"]


class TestSwitchingMode:
    def test_switching_to_fair_reorders_and_back_to_fifo_restores(self, stage: Stage) -> None:
        _spoke(stage, {"ann": 30, "bob": 10})
        raise_hands(stage, ANN, BOB, CAT)
        assert list(stage.queue) == ["ann", "bob", "cat"]

        stage.set_rules(HOST, {"queue_mode": "fair"}, at(10))
        assert list(stage.queue) == ["cat", "bob", "ann"]
        assert stage.position("ann") == 3

        stage.set_rules(HOST, {"queue_mode": "fifo"}, at(20))
        assert list(stage.queue) == ["ann", "bob", "cat"]

    def test_new_hands_follow_the_new_mode(self, stage: Stage) -> None:
        _spoke(stage, {"ann": 30})
        stage.set_rules(HOST, {"queue_mode": "fair"}, at(0))
        raise_hands(stage, ANN, BOB)
        assert list(stage.queue) == ["bob", "ann"]

    def test_reorder_that_changes_the_head_announces_it(self, stage: Stage) -> None:
        _spoke(stage, {"ann": 30})
        raise_hands(stage, ANN, BOB)
        stage.pull_events()

        stage.set_rules(HOST, {"queue_mode": "fair"}, at(10))

        assert [(e.kind, e.target_id) for e in stage.pull_events()] == [
            ("NextInLine", "bob"), ("RulesChanged", None)]

    def test_reorder_that_keeps_the_head_is_silent(self, stage: Stage) -> None:
        _spoke(stage, {"cat": 30})
        raise_hands(stage, ANN, CAT)
        stage.pull_events()
        stage.set_rules(HOST, {"queue_mode": "fair"}, at(10))
        assert kinds(stage.pull_events()) == ["RulesChanged"]

    def test_setting_the_same_mode_leaves_the_queue_alone(self, stage: Stage) -> None:
        raise_hands(stage, ANN, BOB)
        stage.set_rules(HOST, {"queue_mode": "fifo"}, at(10))
        assert list(stage.queue) == ["ann", "bob"]


class TestRaiseAndLower:
    def test_raising_keeps_the_note_and_counts_the_hand(self, stage: Stage) -> None:
        position = stage.raise_hand(ANN, "About the budget", at(3))

        ann = stage.participants["ann"]
        assert position == 1
        assert ann.hand == Hand(raised_at=at(3), seq=1, note="About the budget", priority=0.0)
        assert (ann.hands_raised, stage.hands_raised, stage.hand_seq) == (1, 1, 1)
        assert "ann" in stage.dirty
        raised = of_kind(stage.events, ev.HandRaised)[0]
        assert (raised.actor_id, raised.target_id, raised.note, raised.position, raised.at) == (
            "ann", "ann", "About the budget", 1, at(3))

    def test_note_may_be_a_hundred_characters_but_no_more(self, stage: Stage) -> None:
        stage.raise_hand(ANN, "n" * 100, at(1))
        with pytest.raises(errors.InvalidArgument) as refused:
            stage.raise_hand(BOB, "n" * 101, at(1))
        assert refused.value.params["name"] == "note"

    def test_lowering_takes_the_hand_down_and_records_it(self, stage: Stage) -> None:
        raise_hands(stage, ANN, BOB)
        stage.pull_events()

        stage.lower_hand(BOB, at(10))

        assert stage.participants["bob"].hand is None and "bob" not in stage.queue
        assert stage.hands_raised == 2  # counts hands raised, not hands still up
        assert [(e.kind, e.actor_id, e.target_id) for e in stage.pull_events()] == [
            ("HandLowered", "bob", "bob")]

    def test_moderator_denies_a_hand_with_a_reason(self, stage: Stage) -> None:
        raise_hands(stage, ANN, BOB)
        stage.pull_events()

        stage.deny(HOST, "bob", "Off topic", at(10))

        assert stage.participants["bob"].hand is None and list(stage.queue) == ["ann"]
        (denied,) = stage.pull_events()
        assert isinstance(denied, ev.HandDenied)
        assert (denied.actor_id, denied.target_id, denied.reason) == ("host", "bob", "Off topic")
        assert stage.hands_served == 0


class TestNextInLine:
    def _next(self, stage: Stage) -> list[str | None]:
        return [e.target_id for e in of_kind(stage.pull_events(), ev.NextInLine)]

    def test_first_hand_is_next_in_line(self, stage: Stage) -> None:
        stage.raise_hand(ANN, "", at(1))
        assert kinds(stage.events) == ["HandRaised", "NextInLine"]
        assert stage.events[-1].target_id == "ann" and stage.events[-1].actor_id == "ann"

    def test_a_hand_behind_the_head_is_not_announced(self, stage: Stage) -> None:
        raise_hands(stage, ANN)
        stage.pull_events()
        stage.raise_hand(BOB, "", at(2))
        assert self._next(stage) == []

    def test_a_fair_hand_that_jumps_to_the_head_is_announced(self) -> None:
        stage = open_stage(queue_mode=QueueMode.FAIR)
        _spoke(stage, {"ann": 30})
        raise_hands(stage, ANN)
        stage.pull_events()
        stage.raise_hand(BOB, "", at(2))
        assert self._next(stage) == ["bob"]

    @pytest.mark.parametrize("take", ["lower", "deny", "approve", "approve_next"])
    def test_taking_the_head_announces_the_next(self, stage: Stage, take: str) -> None:
        raise_hands(stage, ANN, BOB, CAT)
        stage.pull_events()
        match take:
            case "lower":
                stage.lower_hand(ANN, at(10))
            case "deny":
                stage.deny(HOST, "ann", "", at(10))
            case "approve":
                stage.approve(HOST, "ann", at(10))
            case "approve_next":
                stage.approve_next(HOST, at(10))
        nexts = [(e.actor_id, e.target_id) for e in of_kind(stage.pull_events(), ev.NextInLine)]
        assert nexts == [("ann" if take == "lower" else "host", "bob")]

    @pytest.mark.parametrize("take", ["lower", "deny", "approve"])
    def test_taking_a_hand_behind_the_head_is_silent(self, stage: Stage, take: str) -> None:
        raise_hands(stage, ANN, BOB, CAT)
        stage.pull_events()
        match take:
            case "lower":
                stage.lower_hand(BOB, at(10))
            case "deny":
                stage.deny(HOST, "bob", "", at(10))
            case "approve":
                stage.approve(HOST, "bob", at(10))
        assert self._next(stage) == []

    def test_emptying_the_queue_announces_nobody(self, stage: Stage) -> None:
        raise_hands(stage, ANN)
        stage.pull_events()
        stage.lower_hand(ANN, at(10))
        assert self._next(stage) == []

    def test_announcement_follows_the_change_that_caused_it(self, stage: Stage) -> None:
        raise_hands(stage, ANN, BOB)
        stage.pull_events()
        stage.approve(HOST, "ann", at(10))
        assert kinds(stage.pull_events()) == ["SpeakerApproved", "NextInLine"]


class TestHandQueue:
    """The queue on its own: the stage relies on these answers for positions and the head."""

    def _hand(self, seconds: float, seq: int, priority: float = 0.0) -> Hand:
        return Hand(raised_at=at(seconds), seq=seq, priority=priority)

    def test_empty_queue(self) -> None:
        queue = HandQueue()
        assert (queue.head(), len(queue), list(queue), queue.first(3)) == (None, 0, [], [])
        assert queue.position("ann", self._hand(1, 1)) is None and queue.position("ann", None) is None

    def test_add_remove_head_first_and_contains(self) -> None:
        queue = HandQueue()
        assert queue.add("b", self._hand(2, 2)) == 1
        assert queue.add("a", self._hand(1, 1)) == 1
        assert queue.add("c", self._hand(3, 3)) == 3
        assert queue.head() == "a" and queue.first(2) == ["a", "b"] and len(queue) == 3
        assert queue.position("c", self._hand(3, 3)) == 3
        queue.remove("a", self._hand(1, 1))
        queue.remove("nobody", self._hand(9, 9))  # removing an absent member is harmless
        assert list(queue) == ["b", "c"] and queue.position("a", self._hand(1, 1)) is None

    def test_fair_mode_orders_by_priority_then_order_raised(self) -> None:
        # Sequence numbers grow with the time hands are raised (the stage hands them out), so they
        # order hands raised in the same instant too.
        queue = HandQueue(QueueMode.FAIR)
        queue.add("talker", self._hand(1, 1, priority=60))
        queue.add("early", self._hand(5, 2))
        queue.add("same_instant", self._hand(5, 3))
        queue.add("late", self._hand(9, 4))
        assert list(queue) == ["early", "same_instant", "late", "talker"]

    def test_reorder_replaces_the_contents(self) -> None:
        queue = HandQueue()
        queue.add("gone", self._hand(0, 1))
        queue.reorder(QueueMode.FAIR, {"x": self._hand(1, 2, 10), "y": self._hand(2, 3, 0)})
        assert list(queue) == ["y", "x"] and queue.position("gone", self._hand(0, 1)) is None
