"""Suggestions while a member types: stages live in the server, hands in the queue, speakers on the floor."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from adapters.discord.buttons import context_of
from adapters.discord.members import PLATFORM, display_name
from adapters.discord.targets import target
from bot.domain.errors import StageError

log = logging.getLogger(__name__)

LIMIT = 25  # Discord shows at most 25 choices
SCANNED = 200  # queue entries searched for what was typed


async def stages(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    if interaction.guild is None:
        return []
    live = await context_of(interaction).app.queries.live_stages(PLATFORM, str(interaction.guild.id))
    typed = current.lower()
    choices = []
    for ref in live:
        channel = interaction.guild.get_channel(int(ref.channel_id))
        label = f"{ref.title} · #{channel.name}" if channel is not None else ref.title
        if typed in label.lower():
            choices.append(app_commands.Choice(name=label[:100], value=ref.stage_id))
    return choices[:LIMIT]


async def queued(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    board = await _board(interaction, SCANNED)
    if board is None:
        return []
    typed = current.lower().lstrip("@#")
    choices = []
    for line in board.queue:
        name = display_name(interaction.guild, line.user_id)
        if not typed or typed in name.lower() or line.user_id.startswith(typed) or str(line.position) == typed:
            choices.append(app_commands.Choice(name=f"#{line.position} {name}"[:100], value=line.user_id))
    return choices[:LIMIT]


async def speakers(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    board = await _board(interaction, 1)
    if board is None:
        return []
    typed = current.lower().lstrip("@")
    names = [(display_name(interaction.guild, line.user_id), line.user_id) for line in board.speakers]
    return [app_commands.Choice(name=name[:100], value=user_id) for name, user_id in names
            if not typed or typed in name.lower()][:LIMIT]


async def _board(interaction: discord.Interaction, lines: int):  # type: ignore[no-untyped-def]
    ctx = context_of(interaction)
    try:
        found = await target(ctx, interaction, getattr(interaction.namespace, "stage", None))
        return await ctx.app.queries.board(found.stage_id, lines=lines)
    except StageError:
        return None
