"""Checks on free-form arguments (titles, notes, reasons, capacity) shared by the commands."""

from __future__ import annotations

from bot.domain.errors import InvalidArgument
from bot.domain.text import clean, length
from bot.i18n.markers import N_
from bot.i18n.message import Message


class Visibility:
    PUBLIC = "public"
    MEMBERS = "members"
    INVITE_ONLY = "invite-only"
    ALL = (PUBLIC, MEMBERS, INVITE_ONLY)


def check_text(name: str, value: str, *, low: int, high: int) -> str:
    """The text as it is kept (bot.domain.text.clean), refused when it is shorter than `low` or longer than
    `high` once cleaned, counted as the platforms count it."""
    kept = clean(value)
    if not low <= length(kept) <= high:
        raise InvalidArgument(name=name, value=kept[:40], expected=Message.of(
            N_("between {low} and {high} characters"), low=low, high=high))
    return kept


def check_visibility(visibility: str) -> None:
    if visibility not in Visibility.ALL:
        raise InvalidArgument(name="visibility", value=visibility, expected=Message.of(
            N_("one of {choices}"), choices=", ".join(Visibility.ALL)))


def check_capacity(capacity: int) -> None:
    if not 0 <= capacity <= 10_000:
        raise InvalidArgument(name="capacity", value=str(capacity), expected=Message.of(
            N_("a whole number from {low} to {high}"), low=0, high=10_000))
