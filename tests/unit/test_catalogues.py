"""The French catalogue covers every marked sentence, keeps its placeholders, and renders cleanly."""

from __future__ import annotations

from pathlib import Path
from string import Formatter

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n.catalog import render
from bot.i18n.message import Duration, Mention, Message

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("bot", "adapters", "scheduler")
FRENCH = ROOT / "bot" / "i18n" / "locales" / "fr" / "LC_MESSAGES" / "podium.po"
NBSP = "\u00a0"


def marked_sentences() -> dict[str, list[str]]:
    """msgid → where it is marked, extracted the way `make catalogues` does (-k N_ --no-default-keywords)."""
    found: dict[str, list[str]] = {}
    for source in SOURCES:
        for filename, lineno, message, _comments, _context in extract_from_dir(
                str(ROOT / source), method_map=[("**.py", "python")], keywords={"N_": None}):
            assert isinstance(message, str), f"{source}/{filename}:{lineno}: N_ takes a single sentence"
            found.setdefault(message, []).append(f"{source}/{filename}:{lineno}")
    return found


def french() -> Catalog:
    with FRENCH.open("rb") as handle:
        return read_po(handle, locale="fr")


def placeholders(text: str) -> set[str]:
    names = set()
    for _literal, field, _spec, _conversion in Formatter().parse(text):
        if field is not None:
            names.add(field.split(".")[0].split("[")[0])
    return names


def dummies(msgid: str) -> dict[str, str]:
    return {name: f"<{name}>" for name in placeholders(msgid)}


SENTENCES = marked_sentences()
CATALOGUE = french()
ENTRIES = {m.id: m for m in CATALOGUE if m.id}


def test_sentences_are_found_in_every_source_tree() -> None:
    assert len(SENTENCES) > 100
    for source in SOURCES[:2]:
        assert any(where.startswith(source + "/") for places in SENTENCES.values() for where in places)


def test_every_marked_sentence_is_translated() -> None:
    missing = {msgid: places for msgid, places in SENTENCES.items() if msgid not in ENTRIES}
    untranslated = {msgid: SENTENCES[msgid] for msgid, m in ENTRIES.items()
                    if msgid in SENTENCES and not (isinstance(m.string, str) and m.string.strip())}
    assert missing == {}, "not in fr.po; run `make catalogues` and translate"
    assert untranslated == {}, "empty msgstr in fr.po"


def test_no_fuzzy_or_obsolete_entries() -> None:
    assert [m.id for m in CATALOGUE if m.fuzzy] == []
    assert CATALOGUE.fuzzy is False
    assert list(CATALOGUE.obsolete) == []
    assert not any(line.startswith("#~") for line in FRENCH.read_text(encoding="utf-8").splitlines())


def test_translations_keep_the_same_placeholders() -> None:
    broken = {msgid: (sorted(placeholders(msgid)), sorted(placeholders(m.string)))
              for msgid, m in ENTRIES.items() if m.string and placeholders(m.string) != placeholders(msgid)}
    assert broken == {}


@pytest.mark.parametrize("msgid", sorted(SENTENCES))
def test_every_sentence_renders_in_french(msgid: str) -> None:
    values = dummies(msgid)
    text = render(Message(msgid, values), "fr")
    assert "{" not in text and "}" not in text
    # render falls back to English when a translation cannot be formatted: that must not happen silently.
    assert text == ENTRIES[msgid].string.format(**values)


def test_a_known_sentence_renders_in_french_with_french_typography() -> None:
    live = Message.of("Stage “{title}” is live.", title="AMA")
    assert render(live, "fr") == f"La scène «{NBSP}AMA{NBSP}» est en direct."
    cooling = Message.of("You can raise your hand again in {wait}.", wait=Duration(1500))
    assert render(cooling, "fr") == f"Vous pourrez relever la main dans 25{NBSP}min."
    capacity = Message.of("The stage is full (capacity: {capacity}).", capacity=1500)
    assert render(capacity, "fr").endswith(f"1\u202f500)."), render(capacity, "fr")


def test_an_unknown_locale_falls_back_to_english() -> None:
    live = Message.of("Stage “{title}” is live.", title="AMA")
    assert render(live, "de") == "Stage “AMA” is live."
    assert render(live, "en") == "Stage “AMA” is live."
    assert render(Message.of("{member} is now a speaker.", member=Mention("U1")), "es",
                  mention=lambda user_id: f"<@{user_id}>") == "<@U1> is now a speaker."


def test_an_unknown_locale_also_formats_numbers_in_english() -> None:
    full = Message.of("The queue is full (limit: {limit}).", limit=1500)
    assert render(full, "de") == "The queue is full (limit: 1,500)."
    assert render(full, "xx") == "The queue is full (limit: 1,500)."
