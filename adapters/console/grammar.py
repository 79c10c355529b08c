"""The console's command lines: the core's table, plus the rows that play the simulated space.

The simulation's rows (who you are, where you are, the clock) are the console's own; everything else, and
how every line is read, comes from the core's table and grammar.
"""

from __future__ import annotations

from bot.i18n.catalog import LOCALES
from bot.i18n.markers import N_
from bot.surface.grammar import Grammar
from bot.surface.rows import Access, Kind, Option, Row, Scope
from bot.surface.table import TABLE

LOCALE = Option("locale", Kind.CHOICE, N_("A language."), "|".join(LOCALES), required=True, choices=LOCALES)


def _own(path: tuple[str, ...], help: str, *options: Option, access: Access = Access.EVERYONE) -> Row:
    return Row(path, " ".join(path), help, options, access=access, scope=Scope.NONE, effect=" ".join(path))


CONSOLE_ROWS: tuple[Row, ...] = (
    _own(("as",), N_("Act as another member of the space."),
         Option("member", Kind.MEMBER, N_("Who it is about."), N_("MEMBER"), required=True)),
    _own(("members",), N_("List the members of the space and who is in the room.")),
    _own(("channel",), N_("Move to another channel."),
         Option("channel", Kind.TEXT, N_("A channel of the space."), N_("CHANNEL"), required=True)),
    _own(("join",), N_("Join the audio room of this channel.")),
    _own(("leave",), N_("Leave the audio room of this channel.")),
    _own(("clock",), N_("Show the time, or move it forward (e.g. +90s, +5 min, +1h30)."),
         Option("step", Kind.DURATION, N_("How far to move the clock."), N_("+DURATION"), high=366 * 24 * 3600)),
    _own(("locale",), N_("Choose your language."), LOCALE),
    _own(("space", "locale"), N_("Choose the space's language (administrators)."), LOCALE, access=Access.ADMINS),
    _own(("restart",), N_("Restart the bot, keeping the database.")),
    _own(("quit",), N_("Leave the console.")),
)

ROWS = (*CONSOLE_ROWS, *TABLE)
GRAMMAR = Grammar(ROWS)
