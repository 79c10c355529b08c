from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.domain import errors
from bot.domain import events as ev
from bot.domain import moderation
from bot.domain.members import Actor, Recap, SpeakerRecap
from bot.domain.rules import Rules
from bot.domain.stage import Stage, StageState
from bot.domain.validation import Visibility
from tests.support.builders import (
    ANN, BOB, CAT, DAN, EVE, HOST, NOW, OUTSIDER, PLATFORM_MOD, at, kinds, make_speaker, open_stage, raise_hands,
    snapshot,
)


def _open(**overrides: object) -> Stage:
    values: dict[str, object] = dict(
        id="s", platform="console", space_id="sp", channel_id="ch", title="Town hall", host=HOST, now=NOW,
        rules=Rules())
    values.update(overrides)
    return Stage.open(**values)  # type: ignore[arg-type]


class TestOpen:
    def test_opens_live_with_the_host_and_records_who_is_already_in_the_room(self) -> None:
        stage = _open(topic="Roadmap", present=frozenset({"bob", "ann"}), visibility=Visibility.MEMBERS,
                      capacity=50)

        assert stage.state is StageState.LIVE
        assert stage.host_id == "host"
        assert (stage.title, stage.topic, stage.visibility, stage.capacity) == (
            "Town hall", "Roadmap", "members", 50)
        assert stage.opened_at == NOW and stage.created_at == NOW and stage.closed_at is None
        assert stage.present_count == 2 and stage.peak_audience == 2
        assert all(stage.participants[u].present for u in ("ann", "bob"))
        assert stage.dirty == {"ann", "bob"}
        opened, *joined = stage.events
        assert isinstance(opened, ev.StageOpened)
        assert (opened.actor_id, opened.title, opened.topic, opened.at) == ("host", "Town hall", "Roadmap", NOW)
        assert [(e.kind, e.actor_id, e.target_id) for e in joined] == [
            ("MemberJoined", "ann", "ann"), ("MemberJoined", "bob", "bob")]

    @pytest.mark.parametrize(("field", "value"), [
        ("title", ""),
        ("title", "   "),
        ("title", "x" * 101),
        ("topic", "x" * 121),
        ("visibility", "secret"),
        ("visibility", "Public"),
        ("capacity", -1),
        ("capacity", 10_001),
    ])
    def test_refuses_bad_arguments(self, field: str, value: object) -> None:
        with pytest.raises(errors.InvalidArgument) as refused:
            _open(**{field: value})
        assert refused.value.params["name"] == field

    @pytest.mark.parametrize(("field", "value"), [
        ("title", "x"),
        ("title", "x" * 100),
        ("topic", ""),
        ("topic", "x" * 120),
        ("visibility", Visibility.PUBLIC),
        ("visibility", Visibility.MEMBERS),
        ("visibility", Visibility.INVITE_ONLY),
        ("capacity", 0),
        ("capacity", 10_000),
    ])
    def test_accepts_values_at_the_bounds(self, field: str, value: object) -> None:
        assert getattr(_open(**{field: value}), field) == value


class TestClose:
    def _busy_stage(self) -> Stage:
        """ann speaks twice (30 s + 10 s), cat once (10 s), bob still speaks at close; dan and eve wait."""
        stage = open_stage()
        raise_hands(stage, ANN, BOB, CAT)                       # 3 hands
        make_speaker(stage, ANN, 0)
        stage.move_to_audience(ANN, "ann", at(30))
        make_speaker(stage, BOB, 40)
        make_speaker(stage, CAT, 50)
        stage.move_to_audience(HOST, "cat", at(60))
        make_speaker(stage, ANN, 70)                            # approved again without a hand
        stage.move_to_audience(HOST, "ann", at(80))
        stage.raise_hand(EVE, "", at(81))
        stage.raise_hand(DAN, "", at(82))                       # 5 hands, 3 served
        stage.leave(CAT, at(83))
        stage.join(Actor("x1"), at(84))
        stage.join(Actor("x2"), at(85))                         # 7 in the room at most
        stage.pull_events()
        return stage

    def test_recap_reports_duration_audience_speakers_and_hands(self) -> None:
        stage = self._busy_stage()

        recap = stage.close(HOST, at(100))

        assert recap == Recap(
            duration_seconds=100.0, peak_audience=7,
            speakers=(SpeakerRecap("bob", 60.0, 1), SpeakerRecap("ann", 40.0, 2), SpeakerRecap("cat", 10.0, 1)),
            hands_raised=5, hands_served=3, still_waiting=("eve", "dan"))

    def test_speakers_still_on_stage_have_their_turn_ended(self) -> None:
        stage = self._busy_stage()

        stage.close(HOST, at(100))

        bob = stage.participants["bob"]
        assert not bob.speaking and bob.turns == 1 and bob.talk_seconds == 60.0
        assert stage.speaking == set() and stage.speakers == []
        assert "bob" in stage.dirty

    def test_stage_ends_and_records_the_recap_and_who_still_had_the_floor(self) -> None:
        stage = self._busy_stage()

        recap = stage.close(HOST, at(100))

        assert stage.state is StageState.ENDED and stage.closed_at == at(100)
        (closed,) = stage.pull_events()
        assert isinstance(closed, ev.StageClosed)
        assert (closed.actor_id, closed.recap, closed.speakers, closed.at) == ("host", recap, ("bob",), at(100))

    def test_recap_of_a_quiet_stage(self, stage: Stage) -> None:
        assert stage.close(HOST, at(5)) == Recap(duration_seconds=5.0, peak_audience=6)

    def test_ties_in_talk_time_are_ordered_by_member(self, stage: Stage) -> None:
        make_speaker(stage, BOB, 0)
        make_speaker(stage, ANN, 0)
        recap = stage.close(HOST, at(10))
        assert [s.user_id for s in recap.speakers] == ["ann", "bob"]

    @pytest.mark.parametrize("closer", [PLATFORM_MOD, Actor("deputy")], ids=["platform", "delegated"])
    def test_any_moderator_may_close(self, stage: Stage, closer: Actor) -> None:
        moderation.add_moderator(stage, HOST, "deputy", NOW)
        stage.close(closer, at(1))
        assert stage.state is StageState.ENDED
        assert stage.events[-1].actor_id == closer.user_id

    def test_a_member_may_not_close(self, stage: Stage) -> None:
        with pytest.raises(errors.NotModerator):
            stage.close(ANN, at(1))
        assert stage.state is StageState.LIVE


class TestSettings:
    def test_moderator_sets_the_topic(self, stage: Stage) -> None:
        stage.set_topic(HOST, "Budget", at(1))
        assert stage.topic == "Budget"
        (changed,) = stage.pull_events()
        assert isinstance(changed, ev.TopicChanged) and (changed.actor_id, changed.topic) == ("host", "Budget")

    def test_topic_may_be_cleared(self) -> None:
        stage = open_stage(topic="Budget")
        stage.set_topic(HOST, "", at(1))
        assert stage.topic == ""

    @pytest.mark.parametrize("locked", [True, False])
    def test_moderator_locks_and_unlocks_hands(self, stage: Stage, locked: bool) -> None:
        if not locked:
            stage.lock_hands(HOST, NOW, locked=True)
        stage.pull_events()
        stage.lock_hands(HOST, at(1), locked=locked)
        assert stage.hands_locked is locked
        assert kinds(stage.pull_events()) == ["HandsLocked" if locked else "HandsUnlocked"]


_ENDED_COMMANDS: dict[str, Callable[[Stage], object]] = {
    "close": lambda s: s.close(HOST, at(200)),
    "set_topic": lambda s: s.set_topic(HOST, "new", at(200)),
    "set_rules": lambda s: s.set_rules(HOST, {"max_speakers": "3"}, at(200)),
    "lock_hands": lambda s: s.lock_hands(HOST, at(200), locked=True),
    "join": lambda s: s.join(OUTSIDER, at(200)),
    "join_again": lambda s: s.join(ANN, at(200)),
    "leave": lambda s: s.leave(ANN, at(200)),
    "raise_hand": lambda s: s.raise_hand(CAT, "", at(200)),
    "lower_hand": lambda s: s.lower_hand(BOB, at(200)),
    "deny": lambda s: s.deny(HOST, "bob", "", at(200)),
    "approve": lambda s: s.approve(HOST, "bob", at(200)),
    "approve_next": lambda s: s.approve_next(HOST, at(200)),
    "move_to_audience": lambda s: s.move_to_audience(HOST, "ann", at(200)),
    "add_moderator": lambda s: moderation.add_moderator(s, HOST, "cat", at(200)),
    "remove_moderator": lambda s: moderation.remove_moderator(s, HOST, "dan", at(200)),
    "invite": lambda s: moderation.invite(s, HOST, "zed", at(200)),
    "remove": lambda s: moderation.remove(s, HOST, "cat", at(200), block=False),
    "block": lambda s: moderation.remove(s, HOST, "cat", at(200), block=True),
    "unblock": lambda s: moderation.unblock(s, HOST, "eve", at(200)),
}


@pytest.mark.parametrize("command", list(_ENDED_COMMANDS.values()), ids=list(_ENDED_COMMANDS))
def test_commands_on_an_ended_stage_are_refused_and_change_nothing(command: Callable[[Stage], object]) -> None:
    stage = open_stage()
    raise_hands(stage, BOB)
    moderation.add_moderator(stage, HOST, "dan", NOW)
    moderation.remove(stage, HOST, "eve", NOW, block=True)
    stage.close(HOST, at(100))
    assert stage.speaking == set()
    before = snapshot(stage)

    with pytest.raises(errors.StageNotLive) as refused:
        command(stage)

    assert refused.value.params == {"title": "Town hall"}
    assert snapshot(stage) == before
