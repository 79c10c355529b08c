from __future__ import annotations

import pytest

from bot.domain import events as ev
from bot.domain.members import SYSTEM, Actor
from bot.domain.stage import Stage, StageState
from bot.domain.timers import expire_due, next_due, speaking_deadline
from tests.support.builders import ANN, BOB, CAT, HOST, at, kinds, make_speaker, open_stage, raise_hands


def _timed(**rules: object) -> Stage:
    """A stage with a 2-minute speaking limit, a warning 30 s before it and a 2-minute grace."""
    values: dict[str, object] = dict(speaking_time_limit=120, warn_before=30, grace_period=120)
    values.update(rules)
    return open_stage(**values)


class TestNextDue:
    def test_nothing_due_on_a_quiet_stage(self) -> None:
        assert next_due(_timed()) is None

    def test_nothing_due_for_speakers_without_a_limit(self, stage: Stage) -> None:
        make_speaker(stage, ANN, 0)
        assert next_due(stage) is None

    def test_hands_of_members_never_seen_in_the_room_have_no_clock_and_are_not_watched(self) -> None:
        # As on Slack without a huddle: nobody's presence is known, so no grace period can run out, and a
        # storm's thousand hands are not scanned again at every commit.
        stage = _timed(must_be_present=False, max_queue_length=5000)
        raise_hands(stage, *(Actor(f"m{i}") for i in range(1000)))
        assert stage.absent_hands == set() and next_due(stage) is None

    def test_the_warning_is_due_first(self) -> None:
        stage = _timed()
        make_speaker(stage, ANN, 10)
        assert next_due(stage) == at(100)

    def test_after_the_warning_the_limit_is_due(self) -> None:
        stage = _timed()
        make_speaker(stage, ANN, 10)
        expire_due(stage, SYSTEM, at(100))
        assert next_due(stage) == at(130)

    def test_without_a_warning_the_limit_is_due(self) -> None:
        stage = _timed(warn_before=0)
        make_speaker(stage, ANN, 10)
        assert next_due(stage) == at(130)

    def test_the_grace_period_of_an_absent_hand_is_due(self) -> None:
        stage = _timed()
        raise_hands(stage, ANN)
        stage.leave(ANN, at(20))
        assert next_due(stage) == at(140)

    def test_a_member_who_left_without_a_hand_is_not_watched(self) -> None:
        stage = _timed()
        stage.leave(ANN, at(20))
        assert next_due(stage) is None

    def test_the_earliest_of_all_is_due(self) -> None:
        stage = _timed()
        raise_hands(stage, CAT)
        make_speaker(stage, ANN, 0)    # warning at 90, limit at 120
        make_speaker(stage, BOB, 50)   # warning at 140
        stage.leave(CAT, at(1))        # grace ends at 121
        due = []
        while (moment := next_due(stage)) is not None and moment < at(150):
            due.append(moment)
            expire_due(stage, SYSTEM, moment)
        assert due == [at(90), at(120), at(121), at(140)]
        assert [(e.kind, e.target_id) for e in stage.events if e.kind != "NextInLine"][-4:] == [
            ("SpeakerWarned", "ann"), ("SpeakerMovedToAudience", "ann"), ("HandDropped", "cat"),
            ("SpeakerWarned", "bob")]

    def test_nothing_due_once_the_stage_has_ended(self) -> None:
        stage = _timed()
        raise_hands(stage, CAT)
        stage.leave(CAT, at(1))
        stage.close(HOST, at(2))
        assert next_due(stage) is None


class TestSpeakingTime:
    def test_nothing_happens_before_the_warning(self) -> None:
        stage = _timed()
        make_speaker(stage, ANN, 0)
        stage.pull_events()
        expire_due(stage, SYSTEM, at(89))
        assert stage.events == [] and not stage.participants["ann"].warned

    def test_warns_once_at_warn_before(self) -> None:
        stage = _timed()
        make_speaker(stage, ANN, 0)
        stage.pull_events()
        stage.dirty.clear()

        expire_due(stage, SYSTEM, at(90))
        expire_due(stage, SYSTEM, at(100))

        assert stage.participants["ann"].warned and stage.participants["ann"].speaking
        assert stage.dirty == {"ann"}
        (warned,) = stage.pull_events()
        assert isinstance(warned, ev.SpeakerWarned)
        assert (warned.actor_id, warned.target_id, warned.seconds_left, warned.at) == ("podium", "ann", 30, at(90))

    def test_a_late_warning_tells_the_seconds_really_left(self) -> None:
        stage = _timed()
        make_speaker(stage, ANN, 0)
        stage.pull_events()
        expire_due(stage, SYSTEM, at(109.6))
        assert [e.seconds_left for e in stage.events] == [10]

    def test_moves_back_at_the_limit(self) -> None:
        stage = _timed()
        make_speaker(stage, ANN, 0)
        expire_due(stage, SYSTEM, at(90))
        stage.pull_events()

        expire_due(stage, SYSTEM, at(120))

        ann = stage.participants["ann"]
        assert not ann.speaking and not ann.warned and ann.talk_seconds == 120.0 and ann.turns == 1
        assert stage.speaking == set()
        (moved,) = stage.pull_events()
        assert isinstance(moved, ev.SpeakerMovedToAudience)
        assert (moved.actor_id, moved.target_id, moved.reason, moved.talk_seconds) == (
            "podium", "ann", "time_up", 120.0)

    def test_a_limit_reached_unwarned_moves_back_without_a_warning(self) -> None:
        stage = _timed()
        make_speaker(stage, ANN, 0)
        stage.pull_events()
        expire_due(stage, SYSTEM, at(125))
        assert kinds(stage.events) == ["SpeakerMovedToAudience"]

    def test_each_speaker_runs_on_their_own_clock(self) -> None:
        stage = _timed()
        make_speaker(stage, ANN, 0)
        make_speaker(stage, BOB, 60)
        stage.pull_events()
        expire_due(stage, SYSTEM, at(150))
        assert [(e.kind, e.target_id) for e in stage.events] == [
            ("SpeakerMovedToAudience", "ann"), ("SpeakerWarned", "bob")]

    def test_a_new_turn_gets_a_new_warning(self) -> None:
        stage = _timed()
        make_speaker(stage, ANN, 0)
        expire_due(stage, SYSTEM, at(90))
        stage.move_to_audience(ANN, "ann", at(95))
        make_speaker(stage, ANN, 200)
        stage.pull_events()
        expire_due(stage, SYSTEM, at(290))
        assert kinds(stage.events) == ["SpeakerWarned"]

    def test_no_limit_means_no_warning_and_no_end(self, stage: Stage) -> None:
        make_speaker(stage, ANN, 0)
        stage.pull_events()
        expire_due(stage, SYSTEM, at(86_400))
        assert stage.events == [] and stage.participants["ann"].speaking

    def test_deadline(self) -> None:
        stage = _timed()
        make_speaker(stage, ANN, 10)
        assert speaking_deadline(stage, "ann") == at(130)
        assert speaking_deadline(stage, "bob") is None
        assert speaking_deadline(stage, "zed") is None
        assert speaking_deadline(open_stage(), "ann") is None


class TestGracePeriod:
    def _left_with_hand(self) -> Stage:
        stage = _timed()
        raise_hands(stage, ANN, BOB)
        stage.leave(ANN, at(10))
        stage.pull_events()
        stage.dirty.clear()
        return stage

    def test_hand_kept_before_the_grace_runs_out(self) -> None:
        stage = self._left_with_hand()
        expire_due(stage, SYSTEM, at(129.9))
        assert list(stage.queue) == ["ann", "bob"] and stage.events == []

    def test_hand_dropped_when_the_grace_runs_out(self) -> None:
        stage = self._left_with_hand()

        expire_due(stage, SYSTEM, at(130))

        ann = stage.participants["ann"]
        assert ann.hand is None and ann.cooldown_until is None
        assert list(stage.queue) == ["bob"] and stage.absent_hands == set()
        assert stage.dirty == {"ann"}
        assert [(e.kind, e.actor_id, e.target_id) for e in stage.pull_events()] == [
            ("HandDropped", "podium", "ann"), ("NextInLine", "podium", "bob")]

    def test_coming_back_within_the_grace_keeps_the_place(self) -> None:
        stage = self._left_with_hand()
        stage.join(ANN, at(100))
        stage.pull_events()
        expire_due(stage, SYSTEM, at(500))
        assert list(stage.queue) == ["ann", "bob"] and stage.events == []

    def test_leaving_again_starts_a_new_grace(self) -> None:
        stage = self._left_with_hand()
        stage.join(ANN, at(100))
        stage.leave(ANN, at(200))
        expire_due(stage, SYSTEM, at(300))
        assert "ann" in list(stage.queue)
        expire_due(stage, SYSTEM, at(320))
        assert "ann" not in list(stage.queue)

    @pytest.mark.parametrize("grace", [0, 30])
    def test_grace_follows_the_rule(self, grace: int) -> None:
        stage = _timed(grace_period=grace)
        raise_hands(stage, ANN)
        stage.leave(ANN, at(10))
        assert next_due(stage) == at(10 + grace)
        expire_due(stage, SYSTEM, at(10 + grace))
        assert len(stage.queue) == 0

    def test_nothing_expires_on_an_ended_stage(self) -> None:
        stage = self._left_with_hand()
        stage.close(HOST, at(20))
        stage.pull_events()
        expire_due(stage, SYSTEM, at(1000))
        assert list(stage.queue) == ["ann", "bob"] and stage.events == []


class TestIdleClose:
    def test_a_stage_nobody_speaks_on_closes_itself_with_its_recap(self) -> None:
        stage = open_stage(idle_close=600)
        assert next_due(stage) == at(600)
        expire_due(stage, HOST, at(599))
        assert stage.state is StageState.LIVE
        expire_due(stage, HOST, at(600))
        assert stage.state is StageState.ENDED
        closed = [e for e in stage.pull_events() if isinstance(e, ev.StageClosed)]
        assert len(closed) == 1 and closed[0].reason == "idle"

    def test_speaking_holds_the_idle_clock_and_the_last_speaker_restarts_it(self) -> None:
        stage = open_stage(idle_close=600)
        stage.approve(HOST, "ann", at(100))
        assert next_due(stage) is None
        expire_due(stage, HOST, at(5000))
        assert stage.state is StageState.LIVE
        stage.move_to_audience(HOST, "ann", at(5000))
        assert next_due(stage) == at(5600)

    def test_a_limit_that_ran_out_while_down_counts_talk_time_up_to_the_limit(self) -> None:
        stage = open_stage(speaking_time_limit=60, warn_before=10)
        stage.approve(HOST, "ann", at(0))
        expire_due(stage, HOST, at(3600))
        assert stage.participants["ann"].talk_seconds == 60
