from __future__ import annotations

import pytest

from bot.domain import errors
from bot.domain import events as ev
from bot.domain.access import is_moderator
from bot.domain.members import Actor
from bot.domain.moderation import add_moderator, invite, remove, remove_moderator, unblock
from bot.domain.stage import Stage, StageState
from bot.domain.validation import Visibility
from bot.i18n.message import Mention
from tests.support.builders import ANN, BOB, CAT, DAN, HOST, NOW, at, kinds, make_speaker, open_stage, raise_hands


class TestAddModerator:
    def test_delegated_moderator_gains_the_powers(self, stage: Stage) -> None:
        add_moderator(stage, HOST, "ann", at(1))

        assert stage.participants["ann"].moderator and "ann" in stage.dirty
        (added,) = stage.pull_events()
        assert isinstance(added, ev.ModeratorAdded) and (added.actor_id, added.target_id) == ("host", "ann")
        raise_hands(stage, BOB)
        stage.approve_next(ANN, at(2))
        stage.set_topic(ANN, "Delegated", at(3))
        add_moderator(stage, ANN, "cat", at(4))
        stage.close(ANN, at(5))
        assert stage.state is StageState.ENDED

    def test_someone_not_yet_on_the_stage_may_be_made_moderator(self, stage: Stage) -> None:
        add_moderator(stage, HOST, "zed", at(1))
        assert stage.participants["zed"].moderator and not stage.participants["zed"].present

    def test_members_may_not_add_moderators(self, stage: Stage) -> None:
        with pytest.raises(errors.NotModerator):
            add_moderator(stage, ANN, "bob", at(1))

    @pytest.mark.parametrize("target", ["ann", "host"])
    def test_already_moderator(self, stage: Stage, target: str) -> None:
        add_moderator(stage, HOST, "ann", at(1))
        with pytest.raises(errors.AlreadyModerator) as refused:
            add_moderator(stage, HOST, target, at(2))
        assert refused.value.params == {"member": Mention(target)}

    def test_blocked_member_may_not_be_made_moderator(self, stage: Stage) -> None:
        remove(stage, HOST, "ann", at(1), block=True)
        with pytest.raises(errors.TargetBlocked):
            add_moderator(stage, HOST, "ann", at(2))


class TestRemoveModerator:
    def test_demoted_moderator_loses_the_powers(self, stage: Stage) -> None:
        add_moderator(stage, HOST, "ann", at(1))
        stage.pull_events()

        remove_moderator(stage, HOST, "ann", at(2))

        assert not stage.participants["ann"].moderator
        (removed,) = stage.pull_events()
        assert isinstance(removed, ev.ModeratorRemoved) and (removed.actor_id, removed.target_id) == ("host", "ann")
        with pytest.raises(errors.NotModerator):
            stage.set_topic(ANN, "x", at(3))

    def test_host_cannot_be_demoted(self, stage: Stage) -> None:
        add_moderator(stage, HOST, "ann", at(1))
        with pytest.raises(errors.CannotTargetHost):
            remove_moderator(stage, ANN, "host", at(2))
        assert is_moderator(stage, HOST)

    @pytest.mark.parametrize("target", ["bob", "zed"], ids=["member", "stranger"])
    def test_not_a_moderator(self, stage: Stage, target: str) -> None:
        with pytest.raises(errors.NotAModerator) as refused:
            remove_moderator(stage, HOST, target, at(1))
        assert refused.value.params == {"member": Mention(target)}

    def test_members_may_not_demote(self, stage: Stage) -> None:
        add_moderator(stage, HOST, "ann", at(1))
        with pytest.raises(errors.NotModerator):
            remove_moderator(stage, BOB, "ann", at(2))
        assert stage.participants["ann"].moderator


class TestInvite:
    def test_invited_member_may_join_an_invite_only_stage(self) -> None:
        stage = open_stage(present=(), visibility=Visibility.INVITE_ONLY)
        invite(stage, HOST, "ann", at(1))

        assert stage.participants["ann"].invited and not stage.participants["ann"].present
        (invited,) = stage.pull_events()
        assert isinstance(invited, ev.MemberInvited) and (invited.actor_id, invited.target_id) == ("host", "ann")
        stage.join(ANN, at(2))
        assert stage.participants["ann"].present

    def test_already_invited(self, stage: Stage) -> None:
        invite(stage, HOST, "ann", at(1))
        with pytest.raises(errors.AlreadyInvited) as refused:
            invite(stage, HOST, "ann", at(2))
        assert refused.value.params == {"member": Mention("ann")}

    def test_blocked_member_may_not_be_invited(self, stage: Stage) -> None:
        remove(stage, HOST, "ann", at(1), block=True)
        with pytest.raises(errors.TargetBlocked):
            invite(stage, HOST, "ann", at(2))

    def test_members_may_not_invite(self, stage: Stage) -> None:
        with pytest.raises(errors.NotModerator):
            invite(stage, ANN, "zed", at(1))
        assert "zed" not in stage.participants


class TestRemove:
    def test_removing_takes_hand_floor_and_seat(self, stage: Stage) -> None:
        raise_hands(stage, ANN, BOB)
        make_speaker(stage, CAT, 0)
        stage.pull_events()

        remove(stage, HOST, "cat", at(30), block=False, reason="Rude")
        remove(stage, HOST, "ann", at(31), block=False)

        cat, ann = stage.participants["cat"], stage.participants["ann"]
        assert not cat.speaking and cat.talk_seconds == 30.0 and cat.turns == 1 and not cat.present
        assert cat.left_at == at(30)
        assert ann.hand is None and not ann.present and list(stage.queue) == ["bob"]
        assert stage.present_count == 4 and stage.speaking == set()
        assert not cat.blocked and not ann.blocked
        assert {"ann", "cat"} <= stage.dirty
        assert [(e.kind, e.actor_id, e.target_id, e.reason) for e in stage.pull_events()] == [
            ("SpeakerMovedToAudience", "host", "cat", "removed"),
            ("MemberRemoved", "host", "cat", "Rude"),
            ("NextInLine", "host", "bob", ""),
            ("MemberRemoved", "host", "ann", ""),
        ]

    def test_removed_member_may_come_back(self, stage: Stage) -> None:
        remove(stage, HOST, "ann", at(1), block=False)
        stage.join(ANN, at(2))
        assert stage.participants["ann"].present

    def test_removing_a_member_who_left_keeps_the_count(self, stage: Stage) -> None:
        raise_hands(stage, ANN)
        stage.leave(ANN, at(1))
        remove(stage, HOST, "ann", at(2), block=False)
        assert stage.present_count == 5 and stage.absent_hands == set() and len(stage.queue) == 0
        assert stage.participants["ann"].left_at == at(1)

    @pytest.mark.parametrize("block", [False, True])
    def test_host_cannot_be_removed_or_blocked(self, stage: Stage, block: bool) -> None:
        add_moderator(stage, HOST, "ann", at(1))
        with pytest.raises(errors.CannotTargetHost):
            remove(stage, ANN, "host", at(2), block=block)
        assert stage.participants["host"].present and not stage.participants["host"].blocked

    @pytest.mark.parametrize("block", [False, True])
    def test_members_may_not_remove(self, stage: Stage, block: bool) -> None:
        with pytest.raises(errors.NotModerator):
            remove(stage, ANN, "bob", at(1), block=block)

    def test_reason_is_at_most_two_hundred_characters(self, stage: Stage) -> None:
        remove(stage, HOST, "ann", at(1), block=False, reason="r" * 200)
        with pytest.raises(errors.InvalidArgument) as refused:
            remove(stage, HOST, "bob", at(1), block=False, reason="r" * 201)
        assert refused.value.params["name"] == "reason"


class TestBlock:
    def test_blocking_removes_and_strips_invitation_and_moderation(self, stage: Stage) -> None:
        add_moderator(stage, HOST, "ann", at(1))
        invite(stage, HOST, "ann", at(1))
        raise_hands(stage, ANN)
        stage.pull_events()

        remove(stage, HOST, "ann", at(5), block=True, reason="Spam")

        ann = stage.participants["ann"]
        assert ann.blocked and not ann.invited and not ann.moderator and not ann.present and ann.hand is None
        assert not is_moderator(stage, ANN)
        assert [(e.kind, e.target_id, e.reason) for e in stage.pull_events()] == [("MemberBlocked", "ann", "Spam")]

    def test_blocked_member_can_neither_join_nor_raise(self, stage: Stage) -> None:
        remove(stage, HOST, "ann", at(1), block=True)
        with pytest.raises(errors.Blocked):
            stage.join(ANN, at(2))
        with pytest.raises(errors.Blocked):
            stage.raise_hand(ANN, "", at(2))

    def test_someone_not_yet_on_the_stage_may_be_blocked(self, stage: Stage) -> None:
        remove(stage, HOST, "zed", at(1), block=True)
        assert stage.participants["zed"].blocked and stage.present_count == 6
        with pytest.raises(errors.Blocked):
            stage.join(Actor("zed"), at(2))

    def test_blocking_twice(self, stage: Stage) -> None:
        remove(stage, HOST, "ann", at(1), block=True)
        with pytest.raises(errors.TargetBlocked):
            remove(stage, HOST, "ann", at(2), block=True)

    def test_unblocking_lets_the_member_back(self, stage: Stage) -> None:
        remove(stage, HOST, "ann", at(1), block=True)
        stage.pull_events()

        unblock(stage, HOST, "ann", at(2))

        assert not stage.participants["ann"].blocked
        assert kinds(stage.pull_events()) == ["MemberUnblocked"]
        stage.join(ANN, at(3))
        assert stage.participants["ann"].present

    @pytest.mark.parametrize("target", ["bob", "zed"], ids=["member", "stranger"])
    def test_not_blocked(self, stage: Stage, target: str) -> None:
        with pytest.raises(errors.NotBlocked) as refused:
            unblock(stage, HOST, target, at(1))
        assert refused.value.params == {"member": Mention(target)}

    def test_members_may_not_unblock(self, stage: Stage) -> None:
        remove(stage, HOST, "ann", at(1), block=True)
        with pytest.raises(errors.NotModerator):
            unblock(stage, DAN, "ann", at(2))
        assert stage.participants["ann"].blocked


def test_moderation_events_name_the_acting_moderator(stage: Stage) -> None:
    add_moderator(stage, HOST, "dan", NOW)
    stage.pull_events()
    invite(stage, DAN, "zed", at(1))
    remove(stage, DAN, "bob", at(2), block=True)
    unblock(stage, DAN, "bob", at(3))
    assert {e.actor_id for e in stage.events} == {"dan"}
    assert [e.target_id for e in stage.events] == ["zed", "bob", "bob"]


class TestBlockedPlatformModerators:
    """The block holds against the platform's own moderators: blocked, they keep no power on this stage."""

    ADMIN = Actor("admin", platform_moderator=True)

    def test_a_blocked_platform_moderator_runs_nothing_and_cannot_unblock_themselves(self, stage: Stage) -> None:
        add_moderator(stage, HOST, "ann", at(1))
        raise_hands(stage, BOB)
        remove(stage, ANN, "admin", at(2), block=True)  # a delegated moderator blocks a workspace admin
        stage.pull_events()
        before = (list(stage.queue), set(stage.speaking), stage.topic, stage.participants["admin"].blocked)
        for attempt in (lambda: stage.approve_next(self.ADMIN, at(3)),
                        lambda: unblock(stage, self.ADMIN, "admin", at(3)),
                        lambda: stage.set_topic(self.ADMIN, "Mine now", at(3)),
                        lambda: remove(stage, self.ADMIN, "ann", at(3), block=True),
                        lambda: stage.close(self.ADMIN, at(3))):
            with pytest.raises(errors.NotModerator):
                attempt()
        with pytest.raises(errors.Blocked):
            stage.raise_hand(self.ADMIN, "", at(3))
        assert (list(stage.queue), set(stage.speaking), stage.topic, stage.participants["admin"].blocked) == before
        assert stage.pull_events() == [] and not is_moderator(stage, self.ADMIN)

    def test_the_host_or_another_moderator_lifts_the_block_and_the_powers_return(self, stage: Stage) -> None:
        remove(stage, HOST, "admin", at(1), block=True)
        unblock(stage, HOST, "admin", at(2))
        assert is_moderator(stage, self.ADMIN)
        raise_hands(stage, BOB)
        assert stage.approve_next(self.ADMIN, at(3)) == "bob"

    def test_the_host_is_never_blocked(self, stage: Stage) -> None:
        with pytest.raises(errors.CannotTargetHost):
            remove(stage, self.ADMIN, "host", at(1), block=True)
        assert is_moderator(stage, HOST)
