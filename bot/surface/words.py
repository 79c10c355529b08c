"""Splitting a typed line into words, the way people type: quotes of every kind, apostrophes inside words.

Each word keeps where it was in the line, so the free-text tail can be taken exactly as it was typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Opening quote -> the closing quotes that may end it (phones and macOS type curly ones, French guillemets).
QUOTES = {'"': '"”“', "“": "”“\"", "”": "”\"", "«": "»", "„": "“”\"", "'": "'’", "‘": "’'"}
_TIME = re.compile(r"^\d{1,2}[:h]\d{2}$")


@dataclass(frozen=True)
class Word:
    text: str  # quotes around it dropped
    start: int
    end: int
    quoted: bool = False

    @property
    def key(self) -> str | None:
        """`name` of a `name=value` word, lowercased; None for any other word."""
        if self.quoted or "=" not in self.text:
            return None
        name = self.text.split("=", 1)[0]
        return name.lower() if re.fullmatch(r"[A-Za-z_]+", name) else None

    @property
    def value(self) -> str:
        value = self.text.split("=", 1)[1]
        head, sep, quoted = value.partition(":")
        if sep and quoted[:1] in QUOTES and not value[:1] in QUOTES:  # repeat=cron:"0 18 * * 1"
            return head + sep + unquote(quoted)
        return unquote(value)


def split(line: str) -> list[Word]:
    words, i, n = [], 0, len(line)
    while i < n:
        if line[i].isspace():
            i += 1
            continue
        start = i
        if line[i] in QUOTES and (end := _closing(line, i + 1, line[i])) is not None:
            words.append(Word(line[i + 1:end], start, end + 1, quoted=True))
            i = end + 1
            continue
        while i < n and not line[i].isspace():
            # `start="2026-12-05 18:00"`: a quoted value after `=` belongs to its word.
            if line[i] in QUOTES and i > start and line[i - 1] in "=:" and "=" in line[start:i] and \
                    (end := _closing(line, i + 1, line[i])) is not None:
                i = end
            i += 1
        words.append(Word(line[start:i], start, i))
    return words


def _closing(line: str, at: int, opener: str) -> int | None:
    """Where a quote opened just before `at` closes: a closing quote followed by a space or the end."""
    for j in range(at, len(line)):
        if line[j] in QUOTES[opener] and (j + 1 == len(line) or line[j + 1].isspace()):
            return j
    return None


def unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] in QUOTES and text[-1] in QUOTES[text[0]]:
        return text[1:-1].strip()
    return text


def is_time(text: str) -> bool:
    return bool(_TIME.match(text))
