"""The forgiving grammar, case by case as members type (issue 10), and its refusals."""

from __future__ import annotations

import pytest

from bot.domain.durations import seconds_of
from bot.domain.errors import UnknownCommand
from bot.i18n.catalog import render
from bot.surface.errors import BadValue, DidYouMean, LeftOver, MissingOption
from bot.surface.grammar import Grammar
from bot.surface.table import TABLE

GRAMMAR = Grammar(TABLE)
FLAT = Grammar(TABLE, prefix="/stage ", flat=True, default="help")


@pytest.mark.parametrize("line, name, values", [
    ("/stage open Weekly AMA", "stage open", {"title": "Weekly AMA"}),
    ('/stage open "Weekly AMA"', "stage open", {"title": "Weekly AMA"}),
    ("/stage open “Weekly AMA”", "stage open", {"title": "Weekly AMA"}),
    ("/stage open « Weekly AMA »", "stage open", {"title": "Weekly AMA"}),
    ("/stage open 'Weekly AMA'", "stage open", {"title": "Weekly AMA"}),
    ("/stage open Bob's AMA", "stage open", {"title": "Bob's AMA"}),
    ("/stage open Weekly AMA VISIBILITY=Members capacity=5 topic=“Pricing plans”", "stage open",
     {"title": "Weekly AMA", "visibility": "members", "capacity": 5, "topic": "Pricing plans"}),
    ("/stage open capacity=5 Weekly AMA", "stage open", {"title": "Weekly AMA", "capacity": 5}),
    ("/hand raise I'd like to ask about pricing", "hand raise", {"note": "I'd like to ask about pricing"}),
    ("/hand raise J'ai une question", "hand raise", {"note": "J'ai une question"}),
    ("/hand raise J’ai une question", "hand raise", {"note": "J’ai une question"}),
    ("/hand raise", "hand raise", {"note": ""}),
    ("/speaker deny carol off topic", "speaker deny", {"member": "carol", "reason": "off topic"}),
    ("/stage remove frank spamming the chat", "stage remove", {"member": "frank", "reason": "spamming the chat"}),
    ("/stage block frank “hors sujet”", "stage block", {"member": "frank", "reason": "hors sujet"}),
    ("/rsvp faa5", "rsvp", {"series": "faa5", "going": True}),
    ("/rsvp off", "rsvp", {"going": False}),
    ("/rsvp faa5 OFF", "rsvp", {"series": "faa5", "going": False}),
    ("/stage rules warn_before=5m Max_Speakers=3", "stage rules", {"changes": {"warn_before": "5m",
                                                                               "max_speakers": "3"}}),
    ("/stage schedule Weekly AMA start=2026-12-05 18:00 repeat=weekdays duration=1 h 30", "stage schedule",
     {"title": "Weekly AMA", "duration": 5400}),
    ("/stage schedule Weekly AMA start=2026-12-05 18:00 repeat=weekdays duration=1h30", "stage schedule",
     {"title": "Weekly AMA", "start": "2026-12-05 18:00", "repeat": "weekdays", "duration": 5400}),
    ("/stage schedule repeat=daily « Café du lundi » start=\"2026-12-07 09:00\"", "stage schedule",
     {"title": "Café du lundi", "start": "2026-12-07 09:00", "repeat": "daily", "duration": 3600}),
    ("/STAGE STATUS", "stage status", {}),
])
def test_natural_lines(line: str, name: str, values: dict[str, object]) -> None:
    parsed = GRAMMAR.parse(line)
    assert parsed.row.name == name
    assert {k: parsed.values.get(k) for k in values} == values


@pytest.mark.parametrize("typed, seconds", [
    ("90", 90), ("90s", 90), ("5m", 300), ("5 min", 300), ("5 minutes", 300), ("1h30", 5400), ("1 h 30", 5400),
    ("2 heures", 7200), ("2 h", 7200), ("30 secondes", 30), ("off", 0), ("5 banana", None), ("5m 1h", None),
    ("-5", None), ("", None),
])
def test_durations(typed: str, seconds: int | None) -> None:
    assert seconds_of(typed) == seconds


def test_extra_words_are_refused_with_the_real_usage() -> None:
    with pytest.raises(LeftOver) as refused:
        GRAMMAR.parse("/speaker next carol")
    assert refused.value.params["words"] == "carol"
    assert render(refused.value.params["usage"], "en") == "/speaker next"
    with pytest.raises(LeftOver) as flat:
        FLAT.parse("next carol")
    assert render(flat.value.params["usage"], "fr") == "/stage next"
    with pytest.raises(LeftOver):
        GRAMMAR.parse("/stage open Weekly AMA colour=red")  # an option /stage open does not have


def test_missing_and_wrong_values_name_the_option_and_quote_the_words() -> None:
    with pytest.raises(MissingOption) as missing:
        GRAMMAR.parse("/stage open")
    assert render(missing.value.params["usage"], "fr").startswith("/stage open TITRE [topic=TEXTE]")
    with pytest.raises(BadValue) as bad:
        GRAMMAR.parse("/stage open Weekly visibility=secret")
    assert bad.value.params["value"] == "secret" and bad.value.params["option"] == "visibility"
    with pytest.raises(BadValue) as capacity:
        GRAMMAR.parse("/stage open Weekly capacity=10001")
    assert capacity.value.params["value"] == "10001"


def test_unknown_subcommands_get_a_suggestion() -> None:
    with pytest.raises(DidYouMean) as guess:
        GRAMMAR.parse("/stage stauts")
    assert guess.value.params == {"command": "/stage stauts", "suggestion": "/stage status"}
    with pytest.raises(DidYouMean) as flat:
        FLAT.parse("statuz")  # `stauts` is as close to `stats` (Slack: /stage stats)
    assert flat.value.params["suggestion"] == "/stage status"
    with pytest.raises(UnknownCommand):
        GRAMMAR.parse("/dance wildly")


def test_an_empty_slack_command_asks_for_help() -> None:
    assert FLAT.parse("").row.name == "help"
