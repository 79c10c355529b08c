"""Running a row of the table from a Discord interaction: Discord's options become the row's values, the
gateway runs the core command, and the answer is shaped for Discord (commands_shown.py).

What is Discord's own here: which stage or channel an interaction is about, who acts with which roles in that
channel, members picked as Discord users, and the moderator who hears of Discord's later refusals.
"""

from __future__ import annotations

from typing import Any

import discord

from adapters.discord.context import context_of
from adapters.discord.commands_shown import shown
from adapters.discord.errors import NotAStageChannel, ScheduleWhere
from adapters.discord.members import PLATFORM
from adapters.discord.replies import Outcome, reader_locale, respond
from adapters.discord.targets import actor_in, guild_of, known_member, member_id, stage_channel_here, target
from bot.domain.members import Actor
from bot.surface.gateway import Place, act
from bot.surface.grammar import Grammar
from bot.surface.rows import Access, Kind, Row, Scope
from bot.surface.table import TABLE

GRAMMAR = Grammar(TABLE)  # its conversions and usage lines; Discord itself checks the options' shape
NEEDS_CHANNEL = {"stage open": NotAStageChannel, "stage schedule": ScheduleWhere}


async def run_row(row: Row, interaction: discord.Interaction, given: dict[str, Any]) -> None:
    ctx = context_of(interaction)

    async def work() -> Outcome:
        guild = guild_of(interaction)
        values = GRAMMAR.values_of(row, _typed(row, given), pairs=given.get("changes"))
        place, channel = await _place(ctx, interaction, row, given)

        async def actor(stage_id: str | None, channel_id: str) -> Actor:
            where = guild.get_channel(int(channel_id)) if channel_id.isdigit() else None
            return actor_in(ctx, interaction, where or channel or interaction.channel)  # type: ignore[arg-type]

        async def member(typed: str) -> str:
            return await known_member(guild, member_id(guild, typed), typed)

        spot = (place.space_id, place.channel_id)
        # Accepted, such a command shows its author runs the stage (or the place they created it in).
        moderates = row.build is not None and (row.access is not Access.EVERYONE or row.scope is Scope.NONE or (
            row.name == "speaker audience" and values.get("member") not in (None, str(interaction.user.id))))
        witness = ctx.reporter.witness(spot)
        if moderates:  # Discord's later refusals of the work this causes are theirs to hear
            ctx.reporter.remember(spot, interaction, await reader_locale(ctx, interaction))
        try:
            done = await act(ctx.app, row, values, place, actor=actor, member=member)
        except Exception:
            ctx.reporter.restore(spot, witness)
            raise
        if row.name == "stage open" and done.stage is not None:
            ctx.directory.opened(place.space_id, place.channel_id, done.stage.ref.stage_id)
        return shown(interaction, done)

    await respond(ctx, interaction, work, what="/" + row.name)


def _typed(row: Row, given: dict[str, Any]) -> dict[str, str]:
    """Discord's option values as the words a member would have typed."""
    typed: dict[str, str] = {}
    for option in row.options:
        value = given.get(option.name)
        if value is None or option.kind is Kind.PAIRS:
            continue
        if isinstance(value, bool):
            typed[option.name] = "on" if value else "off"
        elif isinstance(value, discord.abc.User):
            typed[option.name] = str(value.id)
        else:
            typed[option.name] = str(value)
    return typed


async def _place(ctx: Any, interaction: discord.Interaction, row: Row,
                 given: dict[str, Any]) -> tuple[Place, discord.abc.GuildChannel | None]:
    guild = guild_of(interaction)
    here = stage_channel_here(interaction)
    if row.scope is Scope.STAGE and not any(o.suggest == "replays" and given.get(o.name) for o in row.options):
        found = await target(ctx, interaction, given.get("stage"))
        return Place(platform=PLATFORM, space_id=str(guild.id), channel_id=str(found.channel.id),
                     stage_id=found.stage_id), found.channel
    channel = given.get("channel") or here
    if row.name in NEEDS_CHANNEL:
        if channel is None:
            raise NEEDS_CHANNEL[row.name]()
        channel = guild.get_channel(channel.id) or channel  # the cached channel knows who is in it
        present = frozenset(str(uid) for uid in getattr(channel, "voice_states", {})
                            if (m := guild.get_member(uid)) is None or not m.bot)
        return Place(platform=PLATFORM, space_id=str(guild.id), channel_id=str(channel.id), present=present), channel
    channel_id = str(channel.id) if channel is not None else str(interaction.channel_id or "")
    return Place(platform=PLATFORM, space_id=str(guild.id), channel_id=channel_id), channel
