"""`/stage …` on Slack: the core's table under one slash command (`/stage raise`), read by the core's grammar.

Slack adds one option of its own: `follow=on` on `/stage open` closes the stage when the huddle ends.
"""

from __future__ import annotations

from dataclasses import replace

from adapters.slack.text import unescape
from bot.i18n.markers import N_
from bot.surface.grammar import Grammar, Parsed
from bot.surface.rows import Kind, Option
from bot.surface.table import TABLE

FOLLOW = Option("follow", Kind.FLAG, N_("on: the stage closes when the huddle ends."), N_("on|off"), keyed=True,
                default=False)
ROWS = tuple(replace(row, options=(*row.options, FOLLOW)) if row.name == "stage open" else row for row in TABLE)
GRAMMAR = Grammar(ROWS, prefix="/stage ", flat=True, default="help")


def parse(text: str) -> Parsed:
    """Slack escapes `<`, `>` and `&` in a command's text; mentions arrive as <@U…|name>."""
    return GRAMMAR.parse(unescape(text))
