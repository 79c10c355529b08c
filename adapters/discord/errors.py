"""Refusals only Discord needs: where a command was typed. Shown like the core's, in the reader's language."""

from __future__ import annotations

from bot.domain.errors import StageError
from bot.i18n.markers import N_


class NotAStageChannel(StageError):
    message = N_("Open a stage from a stage channel's chat, or pick the stage channel in the command.")


class SeveralStages(StageError):
    message = N_("Several stages are live in this server; pick one with the stage option.")


class ServerOnly(StageError):
    message = N_("This works in a server only.")
