from __future__ import annotations

from datetime import datetime

import pytest

from bot.domain import errors, moderation
from bot.domain.access import is_moderator, require_entry, require_moderator
from bot.domain.members import Actor
from bot.domain.rules import HandMode
from bot.domain.stage import Stage
from bot.domain.validation import Visibility
from bot.i18n.message import Duration, Mention
from tests.support.builders import ANN, BOB, CAT, HOST, NOW, OUTSIDER, PLATFORM_MOD, at, open_stage, raise_hands

DEPUTY = Actor("deputy")
SPEAKER_ROLE = frozenset({"speaker"})


def _with_deputy(stage: Stage) -> Stage:
    stage.join(DEPUTY, NOW)
    moderation.add_moderator(stage, HOST, "deputy", NOW)
    return stage


class TestModerators:
    @pytest.mark.parametrize(("actor", "expected"), [
        (HOST, True), (PLATFORM_MOD, True), (DEPUTY, True), (ANN, False), (Actor("ann", roles=SPEAKER_ROLE), False),
    ])
    def test_who_is_a_moderator(self, stage: Stage, actor: Actor, expected: bool) -> None:
        _with_deputy(stage)
        assert is_moderator(stage, actor) is expected

    def test_require_moderator_refuses_members(self, stage: Stage) -> None:
        require_moderator(stage, HOST)
        with pytest.raises(errors.NotModerator):
            require_moderator(stage, ANN)

    def test_demoted_moderator_loses_the_power(self, stage: Stage) -> None:
        _with_deputy(stage)
        moderation.remove_moderator(stage, HOST, "deputy", NOW)
        assert not is_moderator(stage, DEPUTY)


class TestHandMode:
    def test_off_refuses_everyone_even_moderators(self) -> None:
        stage = open_stage(hand_mode=HandMode.OFF)
        for actor in (ANN, HOST, PLATFORM_MOD):
            with pytest.raises(errors.HandsOff):
                stage.raise_hand(actor, "", at(1))
        assert len(stage.queue) == 0

    def test_role_refuses_members_without_a_listed_role(self) -> None:
        stage = open_stage(hand_mode=HandMode.ROLE, hand_roles=("panel", "speaker"))
        with pytest.raises(errors.RoleRequired) as refused:
            stage.raise_hand(Actor("ann", roles=frozenset({"listener"})), "", at(1))
        assert refused.value.params == {"roles": "panel, speaker"}

    def test_role_admits_members_with_a_listed_role(self) -> None:
        stage = open_stage(hand_mode=HandMode.ROLE, hand_roles=("panel", "speaker"))
        assert stage.raise_hand(Actor("ann", roles=frozenset({"listener", "speaker"})), "", at(1)) == 1

    @pytest.mark.parametrize("moderator", [HOST, PLATFORM_MOD, DEPUTY], ids=["host", "platform", "delegated"])
    def test_role_lets_moderators_through(self, moderator: Actor) -> None:
        stage = _with_deputy(open_stage(present=("host", "ann", "pm"), hand_mode=HandMode.ROLE,
                                        hand_roles=("speaker",)))
        assert stage.raise_hand(moderator, "", at(1)) == 1

    def test_invited_refuses_members_not_invited(self) -> None:
        stage = open_stage(hand_mode=HandMode.INVITED)
        with pytest.raises(errors.InviteRequired):
            stage.raise_hand(ANN, "", at(1))

    def test_invited_admits_invited_members(self) -> None:
        stage = open_stage(hand_mode=HandMode.INVITED)
        moderation.invite(stage, HOST, "ann", NOW)
        assert stage.raise_hand(ANN, "", at(1)) == 1

    @pytest.mark.parametrize("moderator", [HOST, PLATFORM_MOD, DEPUTY], ids=["host", "platform", "delegated"])
    def test_invited_lets_moderators_through(self, moderator: Actor) -> None:
        stage = _with_deputy(open_stage(present=("host", "pm"), hand_mode=HandMode.INVITED))
        assert stage.raise_hand(moderator, "", at(1)) == 1


class TestLockedHands:
    def test_locked_hands_refuse_raising_until_unlocked(self, stage: Stage) -> None:
        stage.lock_hands(HOST, at(1), locked=True)
        with pytest.raises(errors.HandsLocked):
            stage.raise_hand(ANN, "", at(2))
        stage.lock_hands(HOST, at(3), locked=False)
        assert stage.raise_hand(ANN, "", at(4)) == 1

    def test_locking_keeps_hands_already_up(self, stage: Stage) -> None:
        raise_hands(stage, ANN)
        stage.lock_hands(HOST, at(1), locked=True)
        assert list(stage.queue) == ["ann"]

    @pytest.mark.parametrize("locked", [True, False])
    def test_only_moderators_lock_and_unlock(self, stage: Stage, locked: bool) -> None:
        if not locked:
            stage.lock_hands(HOST, NOW, locked=True)
        stage.pull_events()
        with pytest.raises(errors.NotModerator):
            stage.lock_hands(ANN, at(1), locked=locked)
        assert stage.hands_locked is not locked

    def test_a_delegated_moderator_may_lock(self, stage: Stage) -> None:
        _with_deputy(stage).lock_hands(DEPUTY, at(1), locked=True)
        assert stage.hands_locked


class TestEntry:
    def test_blocked_member_may_not_raise(self, stage: Stage) -> None:
        moderation.remove(stage, HOST, "ann", NOW, block=True)
        with pytest.raises(errors.Blocked):
            stage.raise_hand(ANN, "", at(1))

    def test_blocked_platform_moderator_is_still_blocked(self, stage: Stage) -> None:
        moderation.remove(stage, HOST, "pm", NOW, block=True)
        with pytest.raises(errors.Blocked):
            require_entry(stage, PLATFORM_MOD, stage.participants["pm"])

    def test_invite_only_stage_refuses_hands_of_members_not_invited(self) -> None:
        stage = open_stage(visibility=Visibility.INVITE_ONLY, must_be_present=False)
        with pytest.raises(errors.InviteRequired):
            stage.raise_hand(ANN, "", at(1))

    def test_invite_only_stage_admits_invited_members_and_moderators(self) -> None:
        stage = open_stage(visibility=Visibility.INVITE_ONLY, must_be_present=False)
        moderation.invite(stage, HOST, "ann", NOW)
        assert raise_hands(stage, ANN, PLATFORM_MOD) == [1, 2]

    def test_members_only_stage_refuses_guests(self) -> None:
        stage = open_stage(visibility=Visibility.MEMBERS)
        with pytest.raises(errors.MembersOnly):
            stage.raise_hand(Actor("ann", guest=True), "", at(1))

    def test_members_only_stage_admits_members_and_guest_moderators(self) -> None:
        stage = open_stage(visibility=Visibility.MEMBERS, present=("ann", "pm"))
        assert raise_hands(stage, ANN, Actor("pm", platform_moderator=True, guest=True)) == [1, 2]

    def test_public_stage_admits_guests(self, stage: Stage) -> None:
        assert stage.raise_hand(Actor("ann", guest=True), "", at(1)) == 1


class TestPresence:
    def test_must_be_present_refuses_members_who_never_joined(self, stage: Stage) -> None:
        with pytest.raises(errors.NotPresent):
            stage.raise_hand(OUTSIDER, "", at(1))
        assert "zed" not in stage.participants

    def test_must_be_present_refuses_members_who_left(self, stage: Stage) -> None:
        stage.leave(ANN, at(1))
        with pytest.raises(errors.NotPresent):
            stage.raise_hand(ANN, "", at(2))

    def test_without_must_be_present_absent_members_may_raise(self) -> None:
        stage = open_stage(must_be_present=False)
        assert stage.raise_hand(OUTSIDER, "", at(1)) == 1
        assert not stage.participants["zed"].present


class TestOneHandAtATime:
    def test_already_raised_tells_the_position(self, stage: Stage) -> None:
        raise_hands(stage, ANN, BOB, CAT)
        with pytest.raises(errors.AlreadyRaised) as refused:
            stage.raise_hand(BOB, "", at(10))
        assert refused.value.params == {"position": 2}

    def test_speakers_may_not_raise(self, stage: Stage) -> None:
        stage.approve(HOST, "ann", at(1))
        with pytest.raises(errors.AlreadySpeaker) as refused:
            stage.raise_hand(ANN, "", at(2))
        assert refused.value.params == {"member": Mention("ann")}


class TestCooldown:
    @pytest.mark.parametrize("take", ["lower", "deny"])
    def test_cooling_down_tells_the_seconds_left(self, stage: Stage, take: str) -> None:
        raise_hands(stage, ANN)
        if take == "lower":
            stage.lower_hand(ANN, at(10))
        else:
            stage.deny(HOST, "ann", "", at(10))
        assert stage.participants["ann"].cooldown_until == at(70)

        for when, seconds in ((10, 60), (30, 40), (59.6, 11), (69.9, 1)):  # always rounded up
            with pytest.raises(errors.CoolingDown) as refused:
                stage.raise_hand(ANN, "", at(when))
            assert refused.value.params == {"wait": Duration(seconds)}

    def test_cooldown_expires(self, stage: Stage) -> None:
        raise_hands(stage, ANN)
        stage.lower_hand(ANN, at(10))
        assert stage.raise_hand(ANN, "", at(70)) == 1

    def test_cooldown_follows_the_rule(self) -> None:
        stage = open_stage(hand_cooldown=5)
        raise_hands(stage, ANN)
        stage.lower_hand(ANN, at(10))
        with pytest.raises(errors.CoolingDown):
            stage.raise_hand(ANN, "", at(14))
        assert stage.raise_hand(ANN, "", at(15)) == 1

    def test_no_cooldown_when_the_rule_is_zero(self) -> None:
        stage = open_stage(hand_cooldown=0)
        raise_hands(stage, ANN)
        stage.lower_hand(ANN, at(10))
        assert stage.participants["ann"].cooldown_until is None
        assert stage.raise_hand(ANN, "", at(10)) == 1

    def test_being_approved_leaves_no_cooldown(self, stage: Stage) -> None:
        raise_hands(stage, ANN)
        stage.approve(HOST, "ann", at(1))
        stage.move_to_audience(ANN, "ann", at(2))
        assert stage.participants["ann"].cooldown_until is None
        assert stage.raise_hand(ANN, "", at(3)) == 1


class TestQueueLength:
    def test_full_queue_refuses_another_hand(self) -> None:
        stage = open_stage(max_queue_length=2)
        raise_hands(stage, ANN, BOB)
        with pytest.raises(errors.QueueFull) as refused:
            stage.raise_hand(CAT, "", at(5))
        assert refused.value.params == {"limit": 2}

    def test_room_frees_up_when_a_hand_goes(self) -> None:
        stage = open_stage(max_queue_length=2)
        raise_hands(stage, ANN, BOB)
        stage.approve(HOST, "ann", at(3))
        assert stage.raise_hand(CAT, "", at(5)) == 2


def test_refusals_carry_their_code(now: datetime) -> None:
    stage = open_stage(hand_mode=HandMode.OFF)
    with pytest.raises(errors.StageError) as refused:
        stage.raise_hand(ANN, "", now)
    assert refused.value.code == "HandsOff"
