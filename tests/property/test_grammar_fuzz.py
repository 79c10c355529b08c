"""The one grammar and the text cleaning, fed arbitrary Unicode: a line is either a row with typed values or a
typed, localized refusal; nothing else ever comes out, and no value keeps what the cleaning removes."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import StageError
from bot.domain.rules import Rules, parse_rule
from bot.domain.text import clean, is_clean, length
from bot.i18n.catalog import render
from bot.i18n.message import Message
from bot.surface.grammar import Grammar
from bot.surface.rows import Kind
from bot.surface.table import TABLE

GRAMMAR = Grammar(TABLE)
WORDS = sorted({word for row in TABLE for word in (*row.path, *row.flat.split())} |
               {f"{o.name}=" for row in TABLE for o in row.options} | {"max_speakers=", "hand_roles=", "tz="})
# Lines that look like commands: known words, quotes, keys, arbitrary Unicode between them.
pieces = st.one_of(st.sampled_from(WORDS), st.text(max_size=12), st.sampled_from(['"', "'", "“", "«", "=", "\x00",
                                                                                  "\u202e", "\u200b", "٣", "🎤"]))
lines = st.one_of(st.text(max_size=80), st.lists(pieces, max_size=8).map(" ".join))


@given(lines)
def test_a_typed_line_is_a_row_or_a_typed_refusal(line: str) -> None:
    try:
        parsed = GRAMMAR.parse(line)
    except StageError as refusal:
        assert render(Message(refusal.message, refusal.params), "fr")  # it has words, in every language
        return
    for option in parsed.row.options:
        value = parsed.values.get(option.name)
        if option.kind is Kind.TEXT and isinstance(value, str):
            assert is_clean(value), (option.name, value)
        if option.kind is Kind.NUMBER and value is not None:
            assert option.low <= value <= option.high


@given(st.text())
def test_cleaning_keeps_nothing_invisible_and_is_stable(text: str) -> None:
    kept = clean(text)
    assert clean(kept) == kept
    assert unicodedata.is_normalized("NFC", kept)
    assert not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in kept)
    assert not set(kept) & set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\ufeff\x00")
    assert length(kept) >= len(kept)


@given(st.sampled_from(Rules.names()), st.text(max_size=30))
def test_every_rule_reads_any_text_as_a_value_or_a_refusal(rule: str, raw: str) -> None:
    try:
        value = parse_rule(rule, raw)
    except StageError as refusal:
        assert refusal.params.get("rule") == rule
        return
    if isinstance(value, tuple):  # role lists: names, never mentions or markup
        assert all(is_clean(role) and not set(role) & set("<>&") for role in value)
    if isinstance(value, int) and not isinstance(value, bool):
        assert raw.strip().isascii() or rule in ("speaking_time_limit", "warn_before", "hand_cooldown",
                                                 "grace_period", "idle_close")


def test_numbers_are_read_in_ascii_digits_only() -> None:
    from bot.surface.errors import BadValue, LeftOver

    for line in ("stage log ٣", "stage open Town capacity=٣", "stage log ３", "stage log 1" + "0" * 30):
        try:
            parsed = GRAMMAR.parse(line)
        except BadValue as refusal:
            assert refusal.params["option"] == "capacity", line
        except LeftOver as refusal:  # an optional count: the word is no count, so it is left over
            assert refusal.params["words"] != "", line
        else:
            raise AssertionError(f"{line!r} read as {parsed.values}")
    assert GRAMMAR.parse("stage log 3").values["count"] == 3
