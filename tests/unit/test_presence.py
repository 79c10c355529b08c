from __future__ import annotations

import pytest

from bot.domain import errors
from bot.domain import events as ev
from bot.domain import moderation
from bot.domain.members import Actor
from bot.domain.stage import Stage
from bot.domain.validation import Visibility
from bot.i18n.message import Mention
from tests.support.builders import (
    ANN, BOB, CAT, HOST, NOW, OUTSIDER, PLATFORM_MOD, at, make_speaker, open_stage, raise_hands,
)


class TestJoinAndLeave:
    def test_joining_puts_the_member_in_the_room(self, stage: Stage) -> None:
        stage.join(OUTSIDER, at(5))

        zed = stage.participants["zed"]
        assert zed.present and zed.left_at is None
        assert stage.present_count == 7 and stage.peak_audience == 7
        assert "zed" in stage.dirty
        (joined,) = stage.pull_events()
        assert isinstance(joined, ev.MemberJoined)
        assert (joined.actor_id, joined.target_id, joined.at) == ("zed", "zed", at(5))

    def test_joining_twice_changes_nothing(self, stage: Stage) -> None:
        stage.join(ANN, at(5))
        assert stage.present_count == 6 and stage.events == [] and stage.dirty == set()

    def test_leaving_takes_the_member_out_of_the_room(self, stage: Stage) -> None:
        stage.leave(ANN, at(5))

        ann = stage.participants["ann"]
        assert not ann.present and ann.left_at == at(5)
        assert stage.present_count == 5 and stage.peak_audience == 6
        (left,) = stage.pull_events()
        assert isinstance(left, ev.MemberLeft) and (left.actor_id, left.target_id) == ("ann", "ann")

    @pytest.mark.parametrize("who", ["zed", "ann"], ids=["never_joined", "already_left"])
    def test_leaving_when_not_in_the_room_changes_nothing(self, stage: Stage, who: str) -> None:
        stage.leave(ANN, at(1))
        stage.pull_events()
        stage.dirty.clear()
        stage.leave(Actor(who), at(5))
        assert stage.present_count == 5 and stage.events == [] and stage.dirty == set()
        assert "zed" not in stage.participants

    def test_coming_back_clears_the_departure(self, stage: Stage) -> None:
        stage.leave(ANN, at(5))
        stage.join(ANN, at(9))
        assert stage.participants["ann"].present and stage.participants["ann"].left_at is None
        assert stage.present_count == 6

    def test_peak_audience_is_the_most_people_at_once(self) -> None:
        stage = open_stage(present=("ann", "bob"))
        stage.join(CAT, at(1))
        stage.leave(ANN, at(2))
        stage.leave(BOB, at(3))
        stage.join(OUTSIDER, at(4))
        assert (stage.present_count, stage.peak_audience) == (2, 3)


class TestCapacity:
    def test_full_stage_refuses_members(self) -> None:
        stage = open_stage(present=("ann", "bob"), capacity=2)
        with pytest.raises(errors.StageFull) as refused:
            stage.join(CAT, at(1))
        assert refused.value.params == {"capacity": 2}
        assert stage.present_count == 2

    def test_a_seat_frees_up_when_someone_leaves(self) -> None:
        stage = open_stage(present=("ann", "bob"), capacity=2)
        stage.leave(ANN, at(1))
        stage.join(CAT, at(2))
        assert stage.participants["cat"].present

    @pytest.mark.parametrize("moderator", [HOST, PLATFORM_MOD, Actor("deputy")], ids=["host", "platform", "delegated"])
    def test_moderators_are_exempt(self, moderator: Actor) -> None:
        stage = open_stage(present=("ann", "bob"), capacity=2)
        moderation.add_moderator(stage, HOST, "deputy", NOW)
        stage.join(moderator, at(1))
        assert stage.present_count == 3 and stage.peak_audience == 3

    def test_zero_capacity_means_no_limit(self) -> None:
        stage = open_stage(present=tuple(f"m{i}" for i in range(50)), capacity=0)
        stage.join(OUTSIDER, at(1))
        assert stage.present_count == 51


class TestEntry:
    def test_blocked_member_may_not_join(self, stage: Stage) -> None:
        moderation.remove(stage, HOST, "ann", NOW, block=True)
        with pytest.raises(errors.Blocked):
            stage.join(ANN, at(1))
        assert not stage.participants["ann"].present

    def test_invite_only_refuses_members_not_invited(self) -> None:
        stage = open_stage(present=(), visibility=Visibility.INVITE_ONLY)
        with pytest.raises(errors.InviteRequired):
            stage.join(ANN, at(1))
        assert "ann" not in stage.participants

    def test_invited_member_joins_an_invite_only_stage(self) -> None:
        stage = open_stage(present=(), visibility=Visibility.INVITE_ONLY)
        moderation.invite(stage, HOST, "ann", NOW)
        stage.join(ANN, at(1))
        assert stage.participants["ann"].present

    @pytest.mark.parametrize("moderator", [HOST, PLATFORM_MOD], ids=["host", "platform"])
    def test_moderators_join_an_invite_only_stage(self, moderator: Actor) -> None:
        stage = open_stage(present=(), visibility=Visibility.INVITE_ONLY)
        stage.join(moderator, at(1))
        assert stage.participants[moderator.user_id].present

    def test_members_only_refuses_guests(self) -> None:
        stage = open_stage(present=(), visibility=Visibility.MEMBERS)
        with pytest.raises(errors.MembersOnly):
            stage.join(Actor("ann", guest=True), at(1))
        stage.join(ANN, at(2))
        assert stage.participants["ann"].present


class TestLeavingWithAHandOrTheFloor:
    def test_leaving_while_speaking_ends_the_turn(self, stage: Stage) -> None:
        make_speaker(stage, ANN, 0)
        stage.pull_events()

        stage.leave(ANN, at(25))

        ann = stage.participants["ann"]
        assert not ann.speaking and ann.talk_seconds == 25.0 and ann.turns == 1
        assert stage.speaking == set()
        left, moved = stage.pull_events()
        assert isinstance(left, ev.MemberLeft)
        assert isinstance(moved, ev.SpeakerMovedToAudience)
        assert (moved.actor_id, moved.target_id, moved.reason, moved.talk_seconds) == ("ann", "ann", "left", 25.0)

    def test_leaving_keeps_the_hand_and_its_place(self, stage: Stage) -> None:
        raise_hands(stage, ANN, BOB)
        stage.leave(ANN, at(5))
        assert stage.participants["ann"].hand is not None
        assert list(stage.queue) == ["ann", "bob"]
        assert stage.absent_hands == {"ann"}

    def test_coming_back_within_the_grace_keeps_the_place(self, stage: Stage) -> None:
        raise_hands(stage, ANN, BOB)
        stage.leave(ANN, at(5))
        stage.join(ANN, at(60))
        assert stage.queue.position("ann", stage.participants["ann"].hand) == 1 and stage.absent_hands == set()


class TestSyncingTheWholeRoom:
    """One command for the whole audio room as the platform sees it (Discord's reconcile, a Slack huddle)."""

    def test_newcomers_join_and_those_gone_leave_in_one_go(self, stage: Stage) -> None:
        # In the room before: host, ann, bob, cat, dan, eve. Seen now: host, ann, cat, zed, yan.
        room = (HOST, ANN, CAT, OUTSIDER, Actor("yan"))

        stage.sync_presence(PLATFORM_MOD, room, at(5))

        assert {u for u, p in stage.participants.items() if p.present} == {"host", "ann", "cat", "zed", "yan"}
        assert stage.present_count == 5 and stage.peak_audience == 6  # never more than that in the room at once
        assert [(type(e).__name__, e.target_id) for e in stage.pull_events()] == [
            ("MemberLeft", "bob"), ("MemberLeft", "dan"), ("MemberLeft", "eve"),
            ("MemberJoined", "yan"), ("MemberJoined", "zed")]
        assert stage.participants["bob"].left_at == at(5)

    def test_the_same_room_again_changes_nothing(self, stage: Stage) -> None:
        stage.sync_presence(PLATFORM_MOD, (HOST, ANN, BOB, CAT, Actor("dan"), Actor("eve")), at(5))
        assert stage.events == [] and stage.dirty == set() and stage.present_count == 6

    def test_members_the_rules_keep_out_are_named_with_their_refusal_and_the_rest_joins(self) -> None:
        stage = open_stage(present=("host",), capacity=2)
        blocked = Actor("blk")
        moderation.remove(stage, HOST, blocked.user_id, at(1), block=True)
        stage.pull_events()

        stage.sync_presence(PLATFORM_MOD, (HOST, blocked, ANN, BOB), at(5))

        assert {u for u, p in stage.participants.items() if p.present} == {"host", "ann"}
        kept_out = [e for e in stage.pull_events() if isinstance(e, ev.MemberKeptOut)]
        assert [(e.target_id, e.refusal.msgid, e.refusal.params) for e in kept_out] == [
            ("blk", errors.Blocked.message, {}),
            ("bob", errors.StageFull.message, {"capacity": 2})]
        assert not stage.participants["blk"].present and "bob" not in stage.participants

    def test_a_room_no_longer_seen_empties_it_and_leaves_presence_unknown(self, stage: Stage) -> None:
        stage.sync_presence(PLATFORM_MOD, (), at(5), known=False)

        assert stage.present_count == 0 and not stage.presence_known
        assert [type(e).__name__ for e in stage.pull_events()][-1] == "RoomLost"
        stage.sync_presence(PLATFORM_MOD, (ANN,), at(9))
        assert stage.presence_known and stage.present_count == 1
        assert [type(e).__name__ for e in stage.pull_events()] == ["RoomSeen", "MemberJoined"]

    def test_only_a_live_stage_is_synced(self, stage: Stage) -> None:
        stage.close(HOST, at(1))
        stage.pull_events()
        with pytest.raises(errors.StageNotLive):
            stage.sync_presence(PLATFORM_MOD, (OUTSIDER,), at(5))
        assert "zed" not in stage.participants and stage.events == []


class TestUnknownPresence:
    """A platform that cannot see the room yet (a Slack channel with no huddle): unknown is not absent."""

    def unseen(self, **rules: object) -> Stage:
        stage = open_stage(present=(), **rules)
        stage.sync_presence(HOST, (), at(0), known=False)
        stage.pull_events()
        return stage

    def test_must_be_present_refuses_nobody_while_the_room_is_unseen(self) -> None:
        stage = self.unseen()
        assert raise_hands(stage, ANN, BOB) == [1, 2]
        stage.approve(HOST, "ann", at(5))
        assert stage.speaking == {"ann"} and stage.approve_next(HOST, at(6)) == "bob"

    def test_once_the_room_is_seen_the_rule_applies_again(self) -> None:
        stage = self.unseen()
        raise_hands(stage, ANN)
        stage.join(BOB, at(3))  # a platform reporting someone in the room sees it

        assert stage.presence_known
        with pytest.raises(errors.NotPresent):
            stage.raise_hand(CAT, "", at(4))
        with pytest.raises(errors.MemberNotHere) as refused:
            stage.approve(HOST, "ann", at(5))
        assert refused.value.params == {"member": Mention("ann")}
        assert stage.position("ann") == 1  # the hand taken while unseen keeps its place

    def test_a_refused_join_does_not_make_the_room_seen(self) -> None:
        stage = self.unseen(max_queue_length=5)
        moderation.remove(stage, HOST, "ann", at(1), block=True)
        stage.pull_events()
        with pytest.raises(errors.Blocked):
            stage.join(ANN, at(2))
        assert not stage.presence_known and stage.events == []
