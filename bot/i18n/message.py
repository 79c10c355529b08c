"""A sentence from the catalogues with its named values, rendered later in the reader's locale."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Message:
    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, msgid: str, /, **params: Any) -> Message:
        return cls(msgid, params)


@dataclass(frozen=True, slots=True)
class Mention:
    """A member named in a sentence; each adapter shows it its own way (<@id>, <@U…>, a name)."""

    user_id: str


@dataclass(frozen=True, slots=True)
class Weekdays:
    """Days of the week in a sentence (0 = Monday), named the reader's way (`Monday, Thursday`, `lundi, jeudi`)."""

    days: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Duration:
    """A length of time in a sentence; shown the reader's way (`2 min`, `1 h 30 min`, `2 min 5 s`)."""

    seconds: float
    zero: str = ""  # a catalogue msgid shown for 0 ("none", "never"); empty: `0 s`
