"""The one text grammar: a typed line to a row of the table and its values, for every platform that types.

Forgiving where people are: the last text option takes the rest of the line without quotes, any quotes work,
`name=value` options come in any order, choices in any case, durations as people write them. Strict where it
matters: a word no option takes is refused with the command's real usage, and nothing runs.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.domain.durations import seconds_of
from bot.domain.errors import UnknownCommand
from bot.i18n.message import Message
from bot.surface.errors import BadValue, DidYouMean, LeftOver, MissingOption
from bot.surface.rows import Kind, Option, Row
from bot.surface.values import convert, expected
from bot.surface.words import Word, is_time, split


@dataclass(frozen=True)
class Parsed:
    row: Row
    values: dict[str, Any]
    typed: dict[str, str]  # each option's words as the member typed them, for refusals that quote them
    usage: Message


class Grammar:
    """Names rows as a platform's members call them: `/hand raise` (by path) or `/stage raise` (flat)."""

    def __init__(self, rows: Iterable[Row], *, prefix: str = "/", flat: bool = False,
                 default: str | None = None) -> None:
        self.prefix, self.default = prefix, default
        self.names: dict[tuple[str, ...], Row] = {}
        for row in rows:
            self.names[tuple(row.flat.split()) if flat else row.path] = row
        self._longest = max(len(words) for words in self.names)

    def call(self, row: Row) -> str:
        """How a member calls a row here: `/hand raise`, `/stage raise`."""
        return self.prefix + " ".join(next(k for k, r in self.names.items() if r is row))

    def usage(self, row: Row) -> Message:
        parts, params = [self.call(row).replace("{", "").replace("}", "")], {}
        for i, option in enumerate(row.options):
            params[f"o{i}"] = Message(option.label)
            shown = f"{option.typed_name}={{o{i}}}" if option.keyed else f"{{o{i}}}"
            parts.append(shown if option.required else f"[{shown}]")
        return Message(" ".join(parts), params)

    def parse(self, line: str) -> Parsed:
        text = line.strip()
        if text.startswith(self.prefix.strip()) and self.prefix.strip():
            text = text[len(self.prefix.strip()):]
        words = split(text)
        if not words and self.default is not None:
            words = split(self.default)
        row, used = self._row(words)
        return self._values(row, text, words[used:])

    def _row(self, words: list[Word]) -> tuple[Row, int]:
        said = [w.text.lower() for w in words[:self._longest]]
        for size in range(len(said), 0, -1):
            row = self.names.get(tuple(said[:size]))
            if row is not None:
                return row, size
        typed = " ".join(w.text for w in words[:2])
        known = [" ".join(k) for k in self.names]
        guess = difflib.get_close_matches(" ".join(said[:2]), known, n=1, cutoff=0.75) or \
            difflib.get_close_matches(said[0] if said else "", known, n=1, cutoff=0.75)
        if guess:
            raise DidYouMean(command=self.prefix + typed, suggestion=self.prefix + guess[0])
        raise UnknownCommand(command=self.prefix + typed)

    def _values(self, row: Row, text: str, words: list[Word]) -> Parsed:
        usage = self.usage(row)
        typed: dict[str, str] = {}
        pairs: dict[str, str] = {}
        rest: list[Word] = []
        i = 0
        while i < len(words):
            word, key = words[i], words[i].key
            option = row.option(key) if key else None
            if option is not None and option.kind is not Kind.PAIRS:
                typed[option.name] = word.value
                i += _more(option, typed, words[i + 1:])
            elif key and row.pairs is not None:
                pairs[key] = word.value
                i += _more_pairs(pairs, key, words[i + 1:])
            elif key and any(o.keyed for o in row.options):
                raise LeftOver(words=word.text, usage=usage)  # `colour=red`: a misspelt option, not text
            else:
                rest.append(word)
            i += 1
        rest = self._positional(row, rest, typed, usage)
        tail = row.tail
        if rest and tail is not None and tail.name not in typed:
            typed[tail.name] = _as_typed(text, rest)
            rest = []
        if rest:
            raise LeftOver(words=" ".join(w.text for w in rest), usage=usage)
        return Parsed(row, self.values_of(row, typed, pairs=pairs, usage=usage), typed, usage)

    def values_of(self, row: Row, typed: dict[str, str], *, pairs: dict[str, str] | str | None = None,
                  usage: Message | None = None) -> dict[str, Any]:
        """Values from words already sorted by option (a platform with its own option fields, like Discord's);
        `pairs` as a dict, or as the text `name=value …` a member typed in one field."""
        values = self._convert(row, typed, usage or self.usage(row))
        if row.pairs is not None:
            if isinstance(pairs, str):
                written: dict[str, str] = self._values(row, pairs, split(pairs)).values.get(row.pairs.name, {})
                pairs = written
            values[row.pairs.name] = dict(pairs or {})
        return values

    def _positional(self, row: Row, words: list[Word], typed: dict[str, str], usage: Message) -> list[Word]:
        """Gives each positional option its words, in order; returns the words none took."""
        options = [o for o in row.positional if o.name not in typed]
        for n, option in enumerate(options):
            if not words:
                break
            take = _take(option, words, later=options[n + 1:])
            if take == 0 and option.required:
                raise BadValue(value=words[0].text, expected=expected(option), option=option.name, usage=usage)
            if take:
                typed[option.name] = " ".join(w.text for w in words[:take])
                words = words[take:]
        return words

    def _convert(self, row: Row, typed: dict[str, str], usage: Message) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for option in row.options:
            if option.kind is Kind.PAIRS:
                continue
            if option.name not in typed or not typed[option.name].strip():
                if option.required:
                    raise MissingOption(option=Message(option.label), usage=usage)
                if option.default is not None:
                    values[option.name] = option.default
                continue
            value = convert(option, typed[option.name])
            if value is None:
                raise BadValue(value=typed[option.name], expected=expected(option), option=option.name,
                               usage=usage)
            values[option.name] = value
        return values


def _take(option: Option, words: list[Word], *, later: list[Option]) -> int:
    """How many words an option takes from the front; 0 when the first is not its kind (and it may wait)."""
    first = words[0].text
    if not option.required and option.kind not in (Kind.FLAG, Kind.CHOICE) and any(
            o.kind in (Kind.FLAG, Kind.CHOICE) and convert(o, first) is not None for o in later):
        return 0  # `/rsvp off`: the word is the flag's, not the id's
    match option.kind:
        case Kind.DURATION:
            # `+5 minutes`, `1 h 30`: the longest run of words that reads as one duration.
            for size in range(min(4, len(words)), 0, -1):
                if convert(option, " ".join(w.text for w in words[:size])) is not None:
                    return size
            return 0
        case Kind.WHEN:
            return 2 if len(words) > 1 and is_time(words[1].text) else 1
        case Kind.MEMBER | Kind.ID | Kind.TEXT:
            return 1
        case Kind.TAGS:  # `/follow tag pricing design`: the rest of the line
            return len(words)
    if convert(option, first) is None and not option.required:
        return 0
    return 1


def _more(option: Option, typed: dict[str, str], after: list[Word]) -> int:
    """Words after a keyed value that still belong to it: `start=2026-12-05 18:00`, `duration=1 h 30`."""
    if option.kind is Kind.WHEN and after and is_time(after[0].text) and \
            not any(is_time(p) for p in typed[option.name].split()):
        typed[option.name] += " " + after[0].text
        return 1
    if option.kind is Kind.TAGS:  # `tags=pricing, design`: a comma carries on to the next word
        taken = 0
        while taken < len(after) and after[taken].key is None and \
                (typed[option.name].endswith(",") or after[taken].text.startswith(",")):
            typed[option.name] += " " + after[taken].text
            taken += 1
        return taken
    if option.kind is Kind.DURATION:
        for size in range(min(3, len(after)), 0, -1):
            longer = " ".join([typed[option.name], *(w.text for w in after[:size])])
            if convert(option, longer) is not None:
                typed[option.name] = longer
                return size
    return 0


def _more_pairs(pairs: dict[str, str], key: str, after: list[Word]) -> int:
    """`hand_cooldown=2 heures`: a unit word after a number belongs to the value."""
    if after and after[0].key is None and seconds_of(pairs[key]) is not None and \
            seconds_of(f"{pairs[key]} {after[0].text}") is not None:
        pairs[key] += " " + after[0].text
        return 1
    return 0


def _as_typed(text: str, words: list[Word]) -> str:
    """The free text from its first word to the end of the line, quotes around it dropped."""
    if len(words) == 1:
        return words[0].text
    pieces = [text[words[0].start:words[0].end]]
    for before, word in zip(words, words[1:], strict=False):
        gap = text[before.end:word.start]
        pieces.append((gap if gap.strip() == "" and " " in gap else " ") + text[word.start:word.end])
    return "".join(pieces).strip()

