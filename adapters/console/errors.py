"""Refusals of the console's own simulation."""

from __future__ import annotations

from bot.domain.errors import StageError
from bot.i18n.markers import N_


class UnknownChannel(StageError):
    message = N_("There is no channel #{channel} here; the channels are {channels}.")
