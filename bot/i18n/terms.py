"""The words for the values a board shows (states, visibilities, modes), so they read in every locale."""

from __future__ import annotations

from bot.i18n.markers import N_
from bot.i18n.message import Message

_TERMS = {
    "scheduled": N_("scheduled"),
    "live": N_("live"),
    "ended": N_("ended"),
    "public": N_("public"),
    "members": N_("members only"),
    "invite-only": N_("invite only"),
    "fifo": N_("first come, first served"),
    "fair": N_("fair"),
    "everyone": N_("everyone"),
    "role": N_("by role"),
    "invited": N_("invited members"),
    "off": N_("nobody"),
}


def term(value: str) -> Message | str:
    """The catalogue word for a stored value; an unknown value is shown as it is."""
    return Message(_TERMS[value]) if value in _TERMS else value
