from __future__ import annotations

import pytest

from bot.domain import errors
from bot.domain import events as ev
from bot.domain import moderation
from bot.domain.members import Actor
from bot.domain.stage import Stage
from bot.i18n.message import Mention
from tests.support.builders import (
    ANN, BOB, CAT, DAN, HOST, NOW, at, kinds, make_speaker, of_kind, open_stage, raise_hands,
)

PANEL = frozenset({"panel"})


class TestApprove:
    def test_approving_a_hand_gives_the_floor_and_serves_the_hand(self, stage: Stage) -> None:
        stage.raise_hand(ANN, "Question on item 2", at(1))
        stage.pull_events()

        stage.approve(HOST, "ann", at(5))

        ann = stage.participants["ann"]
        assert ann.speaking and ann.speaking_since == at(5) and ann.hand is None
        assert "ann" not in list(stage.queue) and stage.speaking == {"ann"}
        assert (stage.hands_raised, stage.hands_served) == (1, 1)
        assert "ann" in stage.dirty
        (approved,) = stage.pull_events()
        assert isinstance(approved, ev.SpeakerApproved)
        assert (approved.actor_id, approved.target_id, approved.note, approved.auto) == (
            "host", "ann", "Question on item 2", False)

    def test_approving_a_member_without_a_hand_works_and_serves_no_hand(self, stage: Stage) -> None:
        stage.approve(HOST, "bob", at(5))
        assert stage.participants["bob"].speaking
        assert stage.hands_served == 0
        assert of_kind(stage.events, ev.SpeakerApproved)[0].note == ""

    def test_a_delegated_moderator_may_approve(self, stage: Stage) -> None:
        moderation.add_moderator(stage, HOST, "dan", NOW)
        stage.approve(DAN, "bob", at(1))
        assert stage.participants["bob"].speaking

    def test_members_may_not_approve(self, stage: Stage) -> None:
        raise_hands(stage, BOB)
        with pytest.raises(errors.NotModerator):
            stage.approve(ANN, "bob", at(1))
        assert not stage.participants["bob"].speaking

    @pytest.mark.parametrize("where", ["never_joined", "left"])
    def test_must_be_present_refuses_absent_members(self, stage: Stage, where: str) -> None:
        target = "zed" if where == "never_joined" else "ann"
        if where == "left":
            raise_hands(stage, ANN)
            stage.leave(ANN, at(1))
        with pytest.raises(errors.MemberNotHere) as refused:
            stage.approve(HOST, target, at(2))
        assert refused.value.params == {"member": Mention(target)}

    def test_without_must_be_present_absent_members_may_be_approved(self) -> None:
        stage = open_stage(must_be_present=False)
        stage.approve(HOST, "zed", at(2))
        assert stage.participants["zed"].speaking and not stage.participants["zed"].present

    def test_speakers_full_at_max_speakers(self) -> None:
        stage = open_stage(max_speakers=2)
        make_speaker(stage, ANN)
        make_speaker(stage, BOB)
        with pytest.raises(errors.SpeakersFull) as refused:
            stage.approve(HOST, "cat", at(1))
        assert refused.value.params == {"limit": 2}

    def test_room_frees_up_when_a_speaker_steps_down(self) -> None:
        stage = open_stage(max_speakers=1)
        make_speaker(stage, ANN)
        stage.move_to_audience(ANN, "ann", at(1))
        stage.approve(HOST, "cat", at(2))
        assert stage.speaking == {"cat"}

    def test_already_speaker(self, stage: Stage) -> None:
        make_speaker(stage, ANN)
        with pytest.raises(errors.AlreadySpeaker) as refused:
            stage.approve(HOST, "ann", at(1))
        assert refused.value.params == {"member": Mention("ann")}

    def test_already_speaker_is_told_before_speakers_full(self) -> None:
        stage = open_stage(max_speakers=1)
        make_speaker(stage, ANN)
        with pytest.raises(errors.AlreadySpeaker):
            stage.approve(HOST, "ann", at(1))

    def test_blocked_member_may_not_be_approved(self, stage: Stage) -> None:
        moderation.remove(stage, HOST, "ann", NOW, block=True)
        with pytest.raises(errors.TargetBlocked):
            stage.approve(HOST, "ann", at(1))

    def test_speakers_are_listed_in_the_order_they_got_the_floor(self, stage: Stage) -> None:
        make_speaker(stage, CAT, 5)
        make_speaker(stage, BOB, 1)
        make_speaker(stage, ANN, 5)
        assert [p.user_id for p in stage.speakers] == ["bob", "ann", "cat"]


class TestApproveNext:
    def test_approves_the_head_of_the_queue(self, stage: Stage) -> None:
        raise_hands(stage, BOB, ANN)
        assert stage.approve_next(HOST, at(5)) == "bob"
        assert stage.participants["bob"].speaking and list(stage.queue) == ["ann"]
        assert stage.hands_served == 1

    def test_skips_members_who_are_not_in_the_room(self, stage: Stage) -> None:
        raise_hands(stage, BOB, ANN, CAT)
        stage.leave(BOB, at(5))
        assert stage.approve_next(HOST, at(6)) == "ann"
        assert list(stage.queue) == ["bob", "cat"]  # bob keeps his place during the grace period

    def test_without_must_be_present_the_absent_head_is_approved(self) -> None:
        stage = open_stage(must_be_present=False)
        raise_hands(stage, BOB, ANN)
        stage.leave(BOB, at(5))
        assert stage.approve_next(HOST, at(6)) == "bob"

    def test_queue_empty(self, stage: Stage) -> None:
        with pytest.raises(errors.QueueEmpty):
            stage.approve_next(HOST, at(1))

    def test_queue_empty_when_everyone_waiting_has_left(self, stage: Stage) -> None:
        raise_hands(stage, BOB, ANN)
        stage.leave(BOB, at(5))
        stage.leave(ANN, at(5))
        with pytest.raises(errors.QueueEmpty):
            stage.approve_next(HOST, at(6))

    def test_speakers_full(self) -> None:
        stage = open_stage(max_speakers=1)
        make_speaker(stage, CAT)
        raise_hands(stage, BOB)
        with pytest.raises(errors.SpeakersFull):
            stage.approve_next(HOST, at(1))

    def test_members_may_not(self, stage: Stage) -> None:
        raise_hands(stage, BOB)
        with pytest.raises(errors.NotModerator):
            stage.approve_next(ANN, at(1))


class TestAutoApprove:
    def test_a_member_with_the_role_gets_the_floor_at_once(self) -> None:
        stage = open_stage(auto_approve=("panel",))
        stage.pull_events()

        position = stage.raise_hand(Actor("ann", roles=PANEL), "Hi", at(3))

        ann = stage.participants["ann"]
        assert position is None
        assert ann.speaking_since == at(3) and ann.hand is None and len(stage.queue) == 0
        assert (ann.hands_raised, stage.hands_raised, stage.hands_served, stage.hand_seq) == (1, 1, 1, 0)
        (approved,) = stage.pull_events()
        assert isinstance(approved, ev.SpeakerApproved)
        assert (approved.actor_id, approved.target_id, approved.auto, approved.note) == ("ann", "ann", True, "Hi")

    def test_without_room_the_member_is_queued(self) -> None:
        stage = open_stage(auto_approve=("panel",), max_speakers=1)
        make_speaker(stage, BOB)
        raise_hands(stage, CAT)

        assert stage.raise_hand(Actor("ann", roles=PANEL), "", at(3)) == 2

        assert not stage.participants["ann"].speaking and list(stage.queue) == ["cat", "ann"]
        assert stage.hands_served == 0

    def test_members_without_the_role_are_queued(self) -> None:
        stage = open_stage(auto_approve=("panel",))
        assert stage.raise_hand(Actor("ann", roles=frozenset({"crowd"})), "", at(3)) == 1
        assert not stage.participants["ann"].speaking

    def test_a_full_queue_does_not_stop_a_member_who_never_joins_it(self) -> None:
        stage = open_stage(auto_approve=("panel",), max_queue_length=2)
        raise_hands(stage, BOB, CAT)
        assert stage.raise_hand(Actor("ann", roles=PANEL), "", at(3)) is None
        assert stage.participants["ann"].speaking and list(stage.queue) == ["bob", "cat"]

    def test_without_room_a_full_queue_still_refuses(self) -> None:
        stage = open_stage(auto_approve=("panel",), max_queue_length=1, max_speakers=1)
        make_speaker(stage, DAN)
        raise_hands(stage, BOB)
        with pytest.raises(errors.QueueFull):
            stage.raise_hand(Actor("ann", roles=PANEL), "", at(3))

    def test_auto_approval_still_applies_the_hand_rules(self) -> None:
        stage = open_stage(auto_approve=("panel",))
        with pytest.raises(errors.NotPresent):
            stage.raise_hand(Actor("zed", roles=PANEL), "", at(3))


class TestMoveToAudience:
    def test_moderator_moves_a_speaker_back(self, stage: Stage) -> None:
        make_speaker(stage, ANN, 0)
        stage.pull_events()

        stage.move_to_audience(HOST, "ann", at(42))

        ann = stage.participants["ann"]
        assert not ann.speaking and ann.talk_seconds == 42.0 and ann.turns == 1 and not ann.warned
        assert stage.speaking == set()
        (moved,) = stage.pull_events()
        assert isinstance(moved, ev.SpeakerMovedToAudience)
        assert (moved.actor_id, moved.target_id, moved.reason, moved.talk_seconds) == ("host", "ann", "moderator", 42.0)

    def test_a_speaker_steps_down(self, stage: Stage) -> None:
        make_speaker(stage, ANN, 0)
        stage.pull_events()
        stage.move_to_audience(ANN, "ann", at(7))
        (moved,) = stage.pull_events()
        assert (moved.actor_id, moved.target_id, moved.reason) == ("ann", "ann", "self")

    def test_a_member_may_not_move_someone_else(self, stage: Stage) -> None:
        make_speaker(stage, ANN, 0)
        with pytest.raises(errors.NotModerator):
            stage.move_to_audience(BOB, "ann", at(7))
        assert stage.participants["ann"].speaking

    @pytest.mark.parametrize(("actor", "target"), [(HOST, "bob"), (BOB, "bob"), (HOST, "zed")])
    def test_not_speaker(self, stage: Stage, actor: Actor, target: str) -> None:
        with pytest.raises(errors.NotSpeaker) as refused:
            stage.move_to_audience(actor, target, at(1))
        assert refused.value.params == {"member": Mention(target)}

    def test_talk_time_adds_up_across_turns(self, stage: Stage) -> None:
        make_speaker(stage, ANN, 0)
        stage.move_to_audience(ANN, "ann", at(10.5))
        make_speaker(stage, ANN, 100)
        stage.move_to_audience(HOST, "ann", at(120))

        ann = stage.participants["ann"]
        assert (ann.talk_seconds, ann.turns) == (30.5, 2)
        assert [e.talk_seconds for e in of_kind(stage.events, ev.SpeakerMovedToAudience)] == [10.5, 30.5]


def test_a_full_round(stage: Stage) -> None:
    """Raise, approve next, step down, approve next again: the events tell the story in order."""
    raise_hands(stage, ANN, BOB)
    stage.approve_next(HOST, at(5))
    stage.move_to_audience(ANN, "ann", at(20))
    stage.approve_next(HOST, at(21))
    assert kinds(stage.events) == [
        "HandRaised", "NextInLine", "HandRaised", "SpeakerApproved", "NextInLine", "SpeakerMovedToAudience",
        "SpeakerApproved"]
    assert stage.speaking == {"bob"} and stage.hands_served == 2
    assert [p.user_id for p in stage.speakers] == ["bob"]
