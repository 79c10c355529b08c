"""A component whose custom id no Podium item reads: answered with a refusal, never left to fail.

Discord sends a press of any component on a message, and a crafted or forwarded message can carry any custom
id. discord.py answers only the ids its dynamic items' templates match; anything else would leave the member
with "This interaction failed" after three seconds. This item's template is everything the others' are not.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from adapters.discord.buttons import BoardButton, QueuePicker
from adapters.discord.context import context_of
from adapters.discord.recording.consent import ConsentButton
from adapters.discord.replies import Outcome, respond
from bot.surface.errors import Unreadable

KNOWN = (BoardButton, QueuePicker, ConsentButton)
_OTHERS = "".join("(?!(?:{})$)".format(re.sub(r"\(\?P<\w+>", "(?:", item.__discord_ui_compiled_template__.pattern))
                  for item in KNOWN)


class UnknownComponent(discord.ui.DynamicItem[discord.ui.Item[Any]], template=re.compile(_OTHERS + r"(?s:.*)")):
    def __init__(self, item: discord.ui.Item[Any]) -> None:
        super().__init__(item)

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> UnknownComponent:
        return cls(item)

    async def callback(self, interaction: discord.Interaction) -> None:
        async def refuse() -> Outcome:
            raise Unreadable()
        await respond(context_of(interaction), interaction, refuse, what="an unknown component")
