"""Refusals of what was typed: each quotes the member's own words and the command's real usage."""

from __future__ import annotations

from bot.domain.errors import StageError
from bot.i18n.markers import N_


class DidYouMean(StageError):
    message = N_("Unknown command “{command}”. Did you mean “{suggestion}”?")


class LeftOver(StageError):
    message = N_("I did not understand “{words}”; nothing was changed. Usage: {usage}")


class MissingOption(StageError):
    message = N_("Missing {option}. Usage: {usage}")


class BadValue(StageError):
    message = N_("“{value}” is not {expected} (for {option}). Usage: {usage}")


class AmbiguousMember(StageError):
    message = N_("“{name}” could be {candidates}; type more of the name.")


class AmbiguousId(StageError):
    message = N_("“{value}” could be {candidates}; type more of the id.")


class NoScheduleHere(StageError):
    message = N_("No stage is scheduled in this channel: name the series by its id (see /stage schedules).")


class NothingToChange(StageError):
    message = N_("Say what to change: title, start, time zone, duration, repeat or topic.")


class Unreadable(StageError):
    message = N_("Podium could not read that request; nothing was changed.")
