"""The board's consent button of a recorded stage: one press records the member's answer for the server.

A dynamic item like the board's other buttons (its custom id carries the answer), so it works after a restart.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from adapters.discord.context import context_of
from adapters.discord.members import PLATFORM
from adapters.discord.replies import respond
from bot.domain.members import Actor
from bot.domain.recording import RecordConsent
from bot.i18n.message import Message


class ConsentButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                    template=r"podium:consent:(?P<answer>on|off)"):
    def __init__(self, answer: str, *, label: str | None = None, row: int | None = None) -> None:
        super().__init__(discord.ui.Button(label=label, emoji="🔴" if answer == "on" else None, row=row,
                                           style=discord.ButtonStyle.secondary,
                                           custom_id=f"podium:consent:{answer}"))
        self.answer = answer

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> ConsentButton:
        return cls(match["answer"])

    async def callback(self, interaction: discord.Interaction) -> None:
        ctx = context_of(interaction)

        async def answer() -> Message:
            if interaction.guild is None:  # a consent is for a server; a button copied into a DM is refused
                from bot.domain.errors import StageNotFound

                raise StageNotFound()
            return await ctx.app.bus.handle(RecordConsent(actor=Actor(str(interaction.user.id)), platform=PLATFORM,
                                                          space_id=str(interaction.guild.id),
                                                          accepted=self.answer == "on"))
        await respond(ctx, interaction, answer, what=f"consent {self.answer}")
