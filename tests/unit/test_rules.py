from __future__ import annotations

from typing import Any

import pytest

from bot.domain import errors
from bot.domain import events as ev
from bot.domain.rules import HandMode, QueueMode, Rules
from bot.domain.stage import Stage
from tests.support.builders import ANN, HOST, at, snapshot

ALL_RULES = (
    "max_speakers", "speaking_time_limit", "warn_before", "hand_mode", "hand_roles", "queue_mode",
    "auto_approve", "hand_cooldown", "max_queue_length", "grace_period", "must_be_present", "cues",
    "record", "idle_close",
)


def test_rule_names() -> None:
    assert Rules.names() == ALL_RULES


@pytest.mark.parametrize(("name", "raw", "expected"), [
    ("max_speakers", "3", 3),
    ("max_speakers", " 1 ", 1),
    ("max_speakers", "100", 100),
    ("max_queue_length", "1", 1),
    ("idle_close", "30m", 1800),
    ("idle_close", "off", 0),
    ("max_queue_length", "100000", 100_000),
    ("speaking_time_limit", "90s", 90),
    ("speaking_time_limit", "90", 90),
    ("speaking_time_limit", "45sec", 45),
    ("speaking_time_limit", "5m", 300),
    ("speaking_time_limit", "5 min", 300),
    ("speaking_time_limit", "5M", 300),
    ("speaking_time_limit", "1h", 3600),
    ("speaking_time_limit", "24h", 86_400),
    ("speaking_time_limit", "0", 0),
    ("warn_before", "10s", 10),
    ("warn_before", "0", 0),
    ("hand_cooldown", "2m", 120),
    ("hand_cooldown", "0s", 0),
    ("grace_period", "1h", 3600),
    ("hand_mode", "everyone", HandMode.EVERYONE),
    ("hand_mode", "Invited", HandMode.INVITED),
    ("hand_mode", " off ", HandMode.OFF),
    ("queue_mode", "fair", QueueMode.FAIR),
    ("queue_mode", "FIFO", QueueMode.FIFO),
    ("hand_roles", "@speaker, panel ,panel,", ("panel", "speaker")),
    ("hand_roles", "off", ()),
    ("hand_roles", "", ()),
    ("auto_approve", "guests,@vip", ("guests", "vip")),
    ("auto_approve", "none", ()),
    ("must_be_present", "off", False),
    ("must_be_present", "No", False),
    ("must_be_present", "false", False),
    ("must_be_present", "0", False),
    ("must_be_present", "on", True),
    ("must_be_present", "yes", True),
    ("must_be_present", "TRUE", True),
    ("must_be_present", "1", True),
    ("cues", "on", True),
    ("cues", "off", False),
])
def test_each_rule_parses(name: str, raw: str, expected: Any) -> None:
    start = Rules(must_be_present=not expected) if name == "must_be_present" else Rules()
    changed = start.changed({name: raw})
    assert getattr(changed, name) == expected
    assert type(getattr(changed, name)) is type(expected)
    others = [n for n in ALL_RULES if n != name]
    assert [getattr(changed, n) for n in others] == [getattr(start, n) for n in others]


@pytest.mark.parametrize(("raw", "expected"), [
    ("@ panel", ("panel",)),
    ("@, panel", ("panel",)),
    ("panel, @ ,", ("panel",)),
    ("@", ()),
])
def test_role_lists_keep_no_blank_or_padded_names(raw: str, expected: tuple[str, ...]) -> None:
    assert Rules().changed({"hand_roles": raw, "auto_approve": raw}).hand_roles == expected
    assert Rules().changed({"auto_approve": raw}).auto_approve == expected


def test_a_blank_role_does_not_satisfy_role_mode() -> None:
    with pytest.raises(errors.InvalidRule):
        Rules().changed({"hand_mode": "role", "hand_roles": "@"})


def test_role_mode_parses_with_its_roles() -> None:
    changed = Rules().changed({"hand_mode": "role", "hand_roles": "panel"})
    assert (changed.hand_mode, changed.hand_roles) == (HandMode.ROLE, ("panel",))


@pytest.mark.parametrize(("name", "raw"), [
    ("max_speakers", "0"),
    ("max_speakers", "101"),
    ("max_speakers", "-1"),
    ("max_speakers", "many"),
    ("max_speakers", "2.5"),
    ("max_speakers", ""),
    ("max_queue_length", "0"),
    ("max_queue_length", "100001"),
    ("speaking_time_limit", "-5"),
    ("speaking_time_limit", "1.5m"),
    ("speaking_time_limit", "5d"),
    ("speaking_time_limit", "25h"),
    ("speaking_time_limit", "86401"),
    ("speaking_time_limit", "soon"),
    ("speaking_time_limit", ""),
    ("warn_before", "m5"),
    ("hand_cooldown", "1 hour"),
    ("grace_period", "1441m"),
    ("hand_mode", "sometimes"),
    ("hand_mode", ""),
    ("queue_mode", "random"),
    ("must_be_present", "maybe"),
    ("must_be_present", ""),
    ("must_be_present", "  "),
    ("cues", "2"),
])
def test_bad_values_are_refused(name: str, raw: str) -> None:
    with pytest.raises(errors.InvalidRule) as refused:
        Rules().changed({name: raw})
    assert refused.value.params["rule"] == name
    assert refused.value.params["value"] == raw


def test_unknown_rule_is_refused_and_lists_the_rules() -> None:
    with pytest.raises(errors.UnknownRule) as refused:
        Rules().changed({"max_speaker": "3"})
    assert refused.value.params == {"rule": "max_speaker", "rules": ", ".join(ALL_RULES)}


class TestCrossChecks:
    @pytest.mark.parametrize("changes", [
        {"speaking_time_limit": "30s"},                       # the default warning is 30 s
        {"speaking_time_limit": "20s"},
        {"speaking_time_limit": "1m", "warn_before": "1m"},
        {"speaking_time_limit": "1m", "warn_before": "2m"},
    ])
    def test_warning_must_come_before_the_limit(self, changes: dict[str, str]) -> None:
        with pytest.raises(errors.InvalidRule) as refused:
            Rules().changed(changes)
        assert refused.value.params["rule"] == "warn_before"

    @pytest.mark.parametrize("changes", [
        {"speaking_time_limit": "31s"},
        {"speaking_time_limit": "1m", "warn_before": "59s"},
        {"speaking_time_limit": "0", "warn_before": "1h"},     # no limit, the warning is moot
    ])
    def test_warning_before_the_limit_is_accepted(self, changes: dict[str, str]) -> None:
        Rules().changed(changes)

    def test_lowering_the_limit_under_the_current_warning_is_refused(self) -> None:
        rules = Rules(speaking_time_limit=300, warn_before=60)
        with pytest.raises(errors.InvalidRule):
            rules.changed({"speaking_time_limit": "1m"})

    @pytest.mark.parametrize(("start", "changes"), [
        (Rules(), {"hand_mode": "role"}),
        (Rules(), {"hand_mode": "role", "hand_roles": "off"}),
        (Rules(hand_mode=HandMode.ROLE, hand_roles=("panel",)), {"hand_roles": ""}),
    ])
    def test_role_mode_needs_roles(self, start: Rules, changes: dict[str, str]) -> None:
        with pytest.raises(errors.InvalidRule) as refused:
            start.changed(changes)
        assert refused.value.params["rule"] == "hand_roles"

    def test_one_bad_value_refuses_the_whole_set(self) -> None:
        rules = Rules()
        with pytest.raises(errors.InvalidRule):
            rules.changed({"max_speakers": "3", "queue_mode": "fair", "hand_cooldown": "forever"})
        assert rules == Rules()


def test_rules_round_trip_through_a_dict() -> None:
    rules = Rules(max_speakers=3, hand_mode=HandMode.ROLE, hand_roles=("panel",), queue_mode=QueueMode.FAIR,
                  auto_approve=("vip",), must_be_present=False)
    data = rules.as_dict()
    assert data["hand_mode"] == "role" and data["hand_roles"] == ["panel"] and data["queue_mode"] == "fair"
    assert Rules.from_dict({**data, "retired_rule": 1}) == rules


class TestSetRules:
    def test_moderator_changes_rules_and_the_event_lists_the_applied_values(self, stage: Stage) -> None:
        new = stage.set_rules(HOST, {"max_speakers": "3", "hand_roles": "b, a", "must_be_present": "off",
                                     "queue_mode": "FAIR", "speaking_time_limit": "2m"}, at(1))

        assert stage.rules is new
        assert (new.max_speakers, new.hand_roles, new.must_be_present, new.queue_mode, new.speaking_time_limit) == (
            3, ("a", "b"), False, QueueMode.FAIR, 120)
        (changed,) = stage.pull_events()
        assert isinstance(changed, ev.RulesChanged) and changed.actor_id == "host"
        assert changed.changes == {"max_speakers": "3", "hand_roles": "a,b", "must_be_present": "False",
                                   "queue_mode": "fair", "speaking_time_limit": "120"}

    @pytest.mark.parametrize(("actor", "changes", "error"), [
        (ANN, {"max_speakers": "3"}, errors.NotModerator),
        (HOST, {"max_speakers": "3", "queue_mode": "fair", "grace_period": "never"}, errors.InvalidRule),
        (HOST, {"queue_mode": "fair", "loudness": "11"}, errors.UnknownRule),
        (HOST, {"speaking_time_limit": "10s"}, errors.InvalidRule),
    ])
    def test_refused_changes_leave_the_stage_alone(
        self, stage: Stage, actor: Any, changes: dict[str, str], error: type[Exception],
    ) -> None:
        before = snapshot(stage)
        with pytest.raises(error):
            stage.set_rules(actor, changes, at(1))
        assert snapshot(stage) == before
        assert stage.rules == Rules(idle_close=0)
