"""Typed words to values, one kind at a time; None when the words are not a value of that kind."""

from __future__ import annotations

import re
from typing import Any

from bot.domain.durations import NEVER, seconds_of
from bot.domain.text import clean
from bot.i18n.markers import N_
from bot.i18n.message import Message
from bot.surface.rows import Kind, Option

_ON = frozenset({"on", "yes", "true", "1", "oui"})
_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}[:h]\d{2})?$")


def convert(option: Option, typed: str) -> Any:
    """The value of what was typed for an option, or None when it is not one."""
    text = typed.strip()
    match option.kind:
        case Kind.DURATION:
            seconds = seconds_of(text.removeprefix("+"))
            return seconds if seconds is not None and 0 <= seconds <= option.high else None
        case Kind.NUMBER:
            # ASCII digits only: int() reads any script's ("٣" is 3), which nobody typing a count means.
            return int(text) if re.fullmatch(r"[0-9]{1,9}", text) and option.low <= int(text) <= option.high else None
        case Kind.CHOICE:
            word = text.lower()
            word = option.aliases.get(word, word)
            return word if word in option.choices else None
        case Kind.FLAG:
            word = text.lower()
            return True if word in _ON else False if word in NEVER else None
        case Kind.WHEN:
            # Anything else goes to the core as typed: it refuses a date it cannot read, quoting it.
            return text.replace("T", " ").replace("h", ":") if _DATE.match(text) else text or None
    return clean(text) or None


def expected(option: Option) -> Message:
    """What an option takes, in words, for a refusal."""
    match option.kind:
        case Kind.DURATION:
            return Message.of(N_("a duration such as 90s, 5 min or 1h30"))
        case Kind.NUMBER:
            return Message.of(N_("a whole number from {low} to {high}"), low=option.low, high=option.high)
        case Kind.CHOICE:
            return Message.of(N_("one of {choices}"), choices=", ".join(option.choices))
        case Kind.FLAG:
            return Message.of(N_("on or off"))
        case Kind.WHEN:
            return Message.of(N_("a date and time such as 2026-12-05 18:00"))
        case Kind.TAGS:
            return Message.of(N_("tags such as pricing,design"))
    return Message.of(N_("some text"))


_REFERENCE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def reference(value: object) -> str | None:
    """A stage's or a series' id as Podium writes it into buttons and custom ids; None for anything else."""
    return value if isinstance(value, str) and _REFERENCE.fullmatch(value) else None
