"""Refusals that come from Slack itself rather than from a stage's rules."""

from __future__ import annotations

from bot.domain.errors import StageError
from bot.i18n.markers import N_


class PrivateChannelRequired(StageError):
    message = N_("On Slack, an invite-only stage lives in a private channel: open it in one.")


class AppNotInChannel(StageError):
    message = N_("Podium is not in this channel: add the app to it first.")



class UnknownUser(StageError):
    message = N_("Slack knows no member {user} in this workspace; nothing was changed.")
