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


class ScheduleWhere(StageError):
    message = N_("Schedule a stage from a stage channel's chat, or pick the stage channel in the command.")


class NoSchedules(StageError):
    message = N_("No stage is scheduled in this server.")


class SeveralSchedules(StageError):
    message = N_("Several stages are scheduled; pick one with the series option.")


class NothingToChange(StageError):
    message = N_("Say what to change: title, start, time zone, duration, repeat or topic.")
