"""A rejected command changes nothing: every refusal of the domain, checked against a full snapshot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pytest

from bot.domain import errors
from bot.domain import events as ev
from bot.domain.members import Actor
from bot.domain.moderation import add_moderator, invite, remove, remove_moderator, unblock
from bot.domain.stage import Stage
from bot.domain.validation import Visibility
from tests.support.builders import ANN, BOB, CAT, HOST, at, open_stage, snapshot

FAY, GUS, HAL, IVY, ZED = Actor("fay"), Actor("gus"), Actor("hal"), Actor("ivy"), Actor("zed")
T = at(10)  # when every refused command is tried


def busy_stage(*, visibility: str = Visibility.PUBLIC, capacity: int = 0) -> Stage:
    """A stage with something in every corner a command could disturb.

    ann (30 s of talk behind her) and bob wait in the queue, fay waits but left the room, cat speaks,
    gus lowered his hand and is cooling down, dan is a delegated moderator, eve is blocked;
    hal (invited) and ivy (not invited) are idle in the room.
    Events and dirty marks are kept, so a refusal that appends or marks anything shows.
    """
    stage = open_stage(present=("host", "ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal", "ivy"),
                       visibility=visibility, capacity=capacity)
    for user_id in ("ann", "bob", "fay", "gus", "hal"):
        invite(stage, HOST, user_id, at(-200))
    stage.approve(HOST, "ann", at(-100))
    stage.move_to_audience(HOST, "ann", at(-70))
    stage.raise_hand(ANN, "First", at(0))
    stage.raise_hand(BOB, "Second", at(1))
    stage.approve(HOST, "cat", at(2))
    stage.raise_hand(FAY, "", at(3))
    stage.leave(FAY, at(4))
    stage.raise_hand(GUS, "", at(5))
    stage.lower_hand(GUS, at(6))
    add_moderator(stage, HOST, "dan", at(7))
    remove(stage, HOST, "eve", at(8), block=True)
    return stage


@dataclass(frozen=True)
class Refusal:
    id: str
    act: Callable[[Stage], object]
    error: type[errors.StageError]
    setup: Callable[[Stage], object] = lambda stage: None
    stage: dict[str, object] = field(default_factory=dict)


def _fill(stage: Stage) -> None:
    n = 0
    while stage.present_count < stage.capacity:
        stage.join(Actor(f"fan{n}"), at(9))
        n += 1


REFUSALS = [
    # lifecycle and settings
    Refusal("close/member", lambda s: s.close(ANN, T), errors.NotModerator),
    Refusal("set_topic/member", lambda s: s.set_topic(ANN, "x", T), errors.NotModerator),
    Refusal("set_topic/too_long", lambda s: s.set_topic(HOST, "x" * 121, T), errors.InvalidArgument),
    Refusal("set_rules/member", lambda s: s.set_rules(ANN, {"queue_mode": "fair"}, T), errors.NotModerator),
    Refusal("set_rules/one_bad_value",
            lambda s: s.set_rules(HOST, {"queue_mode": "fair", "max_speakers": "1", "cues": "loud"}, T),
            errors.InvalidRule),
    Refusal("set_rules/unknown", lambda s: s.set_rules(HOST, {"queue_mode": "fair", "volume": "9"}, T),
            errors.UnknownRule),
    Refusal("set_rules/warn_not_before_limit",
            lambda s: s.set_rules(HOST, {"queue_mode": "fair", "speaking_time_limit": "30s"}, T), errors.InvalidRule),
    Refusal("set_rules/role_without_roles", lambda s: s.set_rules(HOST, {"hand_mode": "role"}, T),
            errors.InvalidRule),
    Refusal("lock_hands/member", lambda s: s.lock_hands(ANN, T, locked=True), errors.NotModerator),
    Refusal("unlock_hands/member", lambda s: s.lock_hands(ANN, T, locked=False), errors.NotModerator,
            setup=lambda s: s.lock_hands(HOST, at(9), locked=True)),
    # presence
    Refusal("join/blocked", lambda s: s.join(Actor("eve"), T), errors.Blocked),
    Refusal("join/full", lambda s: s.join(ZED, T), errors.StageFull, setup=_fill, stage={"capacity": 12}),
    Refusal("join/not_invited", lambda s: s.join(ZED, T), errors.InviteRequired,
            stage={"visibility": Visibility.INVITE_ONLY}),
    Refusal("join/guest", lambda s: s.join(Actor("zed", guest=True), T), errors.MembersOnly,
            stage={"visibility": Visibility.MEMBERS}),
    # raising and lowering hands
    Refusal("raise/note_too_long", lambda s: s.raise_hand(HAL, "n" * 101, T), errors.InvalidArgument),
    Refusal("raise/hands_off", lambda s: s.raise_hand(HAL, "", T), errors.HandsOff,
            setup=lambda s: s.set_rules(HOST, {"hand_mode": "off"}, at(9))),
    Refusal("raise/hands_locked", lambda s: s.raise_hand(HAL, "", T), errors.HandsLocked,
            setup=lambda s: s.lock_hands(HOST, at(9), locked=True)),
    Refusal("raise/blocked", lambda s: s.raise_hand(Actor("eve"), "", T), errors.Blocked),
    Refusal("raise/not_invited_to_stage", lambda s: s.raise_hand(ZED, "", T), errors.InviteRequired,
            stage={"visibility": Visibility.INVITE_ONLY}),
    Refusal("raise/guest", lambda s: s.raise_hand(Actor("hal", guest=True), "", T), errors.MembersOnly,
            stage={"visibility": Visibility.MEMBERS}),
    Refusal("raise/role_required", lambda s: s.raise_hand(Actor("hal", roles=frozenset({"crowd"})), "", T),
            errors.RoleRequired,
            setup=lambda s: s.set_rules(HOST, {"hand_mode": "role", "hand_roles": "panel"}, at(9))),
    Refusal("raise/hand_mode_invited", lambda s: s.raise_hand(IVY, "", T), errors.InviteRequired,
            setup=lambda s: s.set_rules(HOST, {"hand_mode": "invited"}, at(9))),
    Refusal("raise/already_speaker", lambda s: s.raise_hand(CAT, "", T), errors.AlreadySpeaker),
    Refusal("raise/already_raised", lambda s: s.raise_hand(BOB, "", T), errors.AlreadyRaised),
    Refusal("raise/absent_already_raised", lambda s: s.raise_hand(FAY, "", T), errors.AlreadyRaised),
    Refusal("raise/cooling_down_after_lower", lambda s: s.raise_hand(GUS, "", T), errors.CoolingDown),
    Refusal("raise/cooling_down_after_deny", lambda s: s.raise_hand(BOB, "", T), errors.CoolingDown,
            setup=lambda s: s.deny(HOST, "bob", "", at(9))),
    Refusal("raise/never_joined", lambda s: s.raise_hand(ZED, "", T), errors.NotPresent),
    Refusal("raise/left", lambda s: s.raise_hand(HAL, "", T), errors.NotPresent,
            setup=lambda s: s.leave(HAL, at(9))),
    Refusal("raise/queue_full", lambda s: s.raise_hand(HAL, "", T), errors.QueueFull,
            setup=lambda s: s.set_rules(HOST, {"max_queue_length": "3"}, at(9))),
    Refusal("raise/auto_approver_queue_full", lambda s: s.raise_hand(Actor("hal", roles=frozenset({"vip"})), "", T),
            errors.QueueFull,
            setup=lambda s: s.set_rules(HOST, {"max_queue_length": "3", "auto_approve": "vip", "max_speakers": "1"},
                                        at(9))),
    Refusal("lower/no_hand", lambda s: s.lower_hand(HAL, T), errors.NoHandRaised),
    Refusal("lower/stranger", lambda s: s.lower_hand(ZED, T), errors.NoHandRaised),
    Refusal("deny/member", lambda s: s.deny(ANN, "bob", "", T), errors.NotModerator),
    Refusal("deny/no_hand", lambda s: s.deny(HOST, "hal", "", T), errors.NoHandRaised),
    Refusal("deny/reason_too_long", lambda s: s.deny(HOST, "bob", "r" * 201, T), errors.InvalidArgument),
    # speakers
    Refusal("approve/member", lambda s: s.approve(BOB, "ann", T), errors.NotModerator),
    Refusal("approve/blocked", lambda s: s.approve(HOST, "eve", T), errors.TargetBlocked),
    Refusal("approve/already_speaker", lambda s: s.approve(HOST, "cat", T), errors.AlreadySpeaker),
    Refusal("approve/absent_with_hand", lambda s: s.approve(HOST, "fay", T), errors.MemberNotHere),
    Refusal("approve/stranger", lambda s: s.approve(HOST, "zed", T), errors.MemberNotHere),
    Refusal("approve/speakers_full", lambda s: s.approve(HOST, "ann", T), errors.SpeakersFull,
            setup=lambda s: s.set_rules(HOST, {"max_speakers": "1"}, at(9))),
    Refusal("approve/stranger_speakers_full", lambda s: s.approve(HOST, "zed", T), errors.SpeakersFull,
            setup=lambda s: s.set_rules(HOST, {"max_speakers": "1", "must_be_present": "off"}, at(9))),
    Refusal("approve_next/member", lambda s: s.approve_next(BOB, T), errors.NotModerator),
    Refusal("approve_next/speakers_full", lambda s: s.approve_next(HOST, T), errors.SpeakersFull,
            setup=lambda s: s.set_rules(HOST, {"max_speakers": "1"}, at(9))),
    Refusal("approve_next/all_absent", lambda s: s.approve_next(HOST, T), errors.QueueEmpty,
            setup=lambda s: (s.leave(ANN, at(9)), s.leave(BOB, at(9)))),
    Refusal("approve_next/empty", lambda s: s.approve_next(HOST, T), errors.QueueEmpty,
            setup=lambda s: (s.lower_hand(ANN, at(9)), s.lower_hand(BOB, at(9)),
                             remove(s, HOST, "fay", at(9), block=False))),
    Refusal("move/someone_else", lambda s: s.move_to_audience(BOB, "cat", T), errors.NotModerator),
    Refusal("move/not_speaker", lambda s: s.move_to_audience(HOST, "ann", T), errors.NotSpeaker),
    Refusal("move/self_not_speaker", lambda s: s.move_to_audience(ANN, "ann", T), errors.NotSpeaker),
    Refusal("move/stranger", lambda s: s.move_to_audience(HOST, "zed", T), errors.NotSpeaker),
    # moderation
    Refusal("add_moderator/member", lambda s: add_moderator(s, ANN, "bob", T), errors.NotModerator),
    Refusal("add_moderator/already", lambda s: add_moderator(s, HOST, "dan", T), errors.AlreadyModerator),
    Refusal("add_moderator/host", lambda s: add_moderator(s, Actor("dan"), "host", T), errors.AlreadyModerator),
    Refusal("add_moderator/blocked", lambda s: add_moderator(s, HOST, "eve", T), errors.TargetBlocked),
    Refusal("remove_moderator/member", lambda s: remove_moderator(s, ANN, "dan", T), errors.NotModerator),
    Refusal("remove_moderator/host", lambda s: remove_moderator(s, Actor("dan"), "host", T), errors.CannotTargetHost),
    Refusal("remove_moderator/not_one", lambda s: remove_moderator(s, HOST, "ann", T), errors.NotAModerator),
    Refusal("remove_moderator/stranger", lambda s: remove_moderator(s, HOST, "zed", T), errors.NotAModerator),
    Refusal("invite/member", lambda s: invite(s, ANN, "zed", T), errors.NotModerator),
    Refusal("invite/already", lambda s: invite(s, HOST, "ann", T), errors.AlreadyInvited),
    Refusal("invite/blocked", lambda s: invite(s, HOST, "eve", T), errors.TargetBlocked),
    Refusal("remove/member", lambda s: remove(s, ANN, "cat", T, block=False), errors.NotModerator),
    Refusal("block/member", lambda s: remove(s, ANN, "cat", T, block=True), errors.NotModerator),
    Refusal("remove/host", lambda s: remove(s, Actor("dan"), "host", T, block=False), errors.CannotTargetHost),
    Refusal("block/host", lambda s: remove(s, Actor("dan"), "host", T, block=True), errors.CannotTargetHost),
    Refusal("remove/reason_too_long", lambda s: remove(s, HOST, "cat", T, block=False, reason="r" * 201),
            errors.InvalidArgument),
    Refusal("remove/stranger", lambda s: remove(s, HOST, "zed", T, block=False), errors.NotOnStage),
    Refusal("block/already_blocked", lambda s: remove(s, HOST, "eve", T, block=True), errors.TargetBlocked),
    Refusal("unblock/member", lambda s: unblock(s, ANN, "eve", T), errors.NotModerator),
    Refusal("unblock/not_blocked", lambda s: unblock(s, HOST, "bob", T), errors.NotBlocked),
    Refusal("unblock/stranger", lambda s: unblock(s, HOST, "zed", T), errors.NotBlocked),
]


@pytest.mark.parametrize("case", REFUSALS, ids=[r.id for r in REFUSALS])
def test_a_refused_command_changes_nothing(case: Refusal) -> None:
    stage = busy_stage(**case.stage)  # type: ignore[arg-type]
    case.setup(stage)
    before = snapshot(stage)

    with pytest.raises(errors.StageError) as refused:
        case.act(stage)

    assert type(refused.value) is case.error
    assert snapshot(stage) == before


def test_the_busy_stage_is_as_described() -> None:
    stage = busy_stage()
    assert list(stage.queue) == ["ann", "bob", "fay"]
    assert stage.participants["ann"].hand.priority == 30.0
    assert stage.speaking == {"cat"} and stage.absent_hands == {"fay"}
    assert stage.participants["gus"].cooldown_until == at(66)
    assert stage.participants["dan"].moderator and stage.participants["eve"].blocked
    assert stage.events and stage.dirty


@pytest.mark.parametrize("change", [
    "participant_field", "new_participant", "queue_order", "queue_key", "event", "dirty", "stage_field", "index",
])
def test_the_snapshot_sees_every_kind_of_change(change: str) -> None:
    """The property above is only as good as the snapshot: each of these changes must show."""
    stage = busy_stage()
    before = snapshot(stage)
    match change:
        case "participant_field":
            stage.participants["hal"].warned = True
        case "new_participant":
            stage.member("zed")
            stage.dirty.discard("zed")
        case "queue_order":
            stage.queue.remove("ann", stage.participants["ann"].hand)
        case "queue_key":
            # Same order, another sort key: only the queue keys tell.
            hand = stage.participants["fay"].hand
            stage.queue.remove("fay", hand)
            stage.queue.add("fay", replace(hand, seq=99))
            assert list(stage.queue) == before["queue.order"]
        case "event":
            stage.record(ev.HandsLocked, HOST, T)
        case "dirty":
            stage.dirty.add("ivy")
        case "stage_field":
            stage.hand_seq += 1
        case "index":
            stage.absent_hands.add("hal")
    assert snapshot(stage) != before
