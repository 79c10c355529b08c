"""RULES__* settings and `/stage rules` share one definition (bot.domain.rules.parse_rule): the same forms, the
same bounds, checked at limit - 1, limit and limit + 1; digits of other scripts are no numbers there."""

from __future__ import annotations

import pytest

from bot.config import RuleDefaults, Settings
from bot.domain.errors import InvalidRule
from bot.domain.rules import Rules
from bot.startup import StartupError, load


@pytest.mark.parametrize(("rule", "limit"), [("max_speakers", 100), ("max_queue_length", 100_000),
                                             ("idle_close", 86_400), ("speaking_time_limit", 86_400),
                                             ("hand_cooldown", 86_400), ("grace_period", 86_400)])
def test_settings_and_chat_take_the_same_values_up_to_the_same_bound(rule: str, limit: int) -> None:
    for value in (limit - 1, limit):
        changes = {rule: str(value)} if rule != "speaking_time_limit" else {rule: str(value), "warn_before": "0"}
        assert getattr(Rules().changed(changes), rule) == value
        assert getattr(RuleDefaults(**changes).to_rules(), rule) == value
    with pytest.raises(InvalidRule) as chat:
        Rules().changed({rule: str(limit + 1)})
    with pytest.raises(StartupError) as setting:
        load(Settings, _env_file=None, rules={rule: str(limit + 1)})
    assert chat.value.params["rule"] == rule and chat.value.params["value"] == str(limit + 1)
    assert setting.value.variable == f"RULES__{rule.upper()}" and setting.value.value == f'"{limit + 1}"'


@pytest.mark.parametrize("raw", ["٣", "３", "1٥"])
def test_digits_of_other_scripts_are_refused_in_chat_and_settings(raw: str) -> None:
    with pytest.raises(InvalidRule) as chat:
        Rules().changed({"max_speakers": raw})
    assert chat.value.params["value"] == raw
    with pytest.raises(InvalidRule):
        Rules().changed({"hand_cooldown": raw})
    with pytest.raises(StartupError) as setting:
        load(Settings, _env_file=None, rules={"max_speakers": raw})
    assert setting.value.variable == "RULES__MAX_SPEAKERS"


def test_a_default_warning_too_long_for_the_limit_is_moved_and_said() -> None:
    settings = Settings(_env_file=None, rules={"speaking_time_limit": "20"})
    assert settings.default_rules.warn_before == 10
    assert settings.notes == ["RULES__WARN_BEFORE: the default 30 s is not below RULES__SPEAKING_TIME_LIMIT=20; "
                              "speakers are warned 10 s before the end (set RULES__WARN_BEFORE to choose)"]
    assert Settings(_env_file=None, rules={"speaking_time_limit": "31"}).default_rules.warn_before == 30
    assert Settings(_env_file=None, rules={"speaking_time_limit": "30"}).default_rules.warn_before == 15
