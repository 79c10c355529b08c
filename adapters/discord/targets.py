"""Which stage an interaction is about, who is acting, and which member a typed name means."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord

from adapters.discord.errors import SeveralStages, ServerOnly
from adapters.discord.members import PLATFORM, actor_of
from bot.domain.errors import StageNotFound, UnknownMember
from bot.domain.members import Actor
from bot.surface.gateway import Place, judged
from bot.surface.members import pick

if TYPE_CHECKING:
    from adapters.discord.context import Context

_MENTION = re.compile(r"^(?:<@!?(\d{15,21})>|(\d{15,21}))$")


@dataclass(frozen=True, slots=True)
class Target:
    stage_id: str
    channel: discord.StageChannel
    actor: Actor


def guild_of(interaction: discord.Interaction) -> discord.Guild:
    if interaction.guild is None:
        raise ServerOnly()
    return interaction.guild


def actor_in(ctx: Context, interaction: discord.Interaction, channel: discord.abc.GuildChannel) -> Actor:
    member = interaction.user
    if not isinstance(member, discord.Member):
        found = guild_of(interaction).get_member(member.id)
        if found is None:
            raise ServerOnly()
        member = found
    return actor_of(member, channel, ctx.settings.moderator_roles)


def stage_channel_here(interaction: discord.Interaction) -> discord.StageChannel | None:
    channel = interaction.channel
    return channel if isinstance(channel, discord.StageChannel) else None


async def target(ctx: Context, interaction: discord.Interaction, stage: str | None = None) -> Target:
    """The stage picked in the command, else the one whose chat this is, else the server's only live stage."""
    guild = guild_of(interaction)
    here = stage_channel_here(interaction)
    if not stage and here is not None:
        stage_id = await ctx.app.queries.live_stage(PLATFORM, str(guild.id), str(here.id))
        return Target(stage_id, here, actor_in(ctx, interaction, here))
    live = await ctx.app.queries.live_stages(PLATFORM, str(guild.id))
    if stage:
        live = [ref for ref in live if stage in (ref.stage_id, ref.title)]
    if not live:
        raise StageNotFound()
    if len(live) > 1:
        raise SeveralStages()
    channel = guild.get_channel(int(live[0].channel_id))
    if not isinstance(channel, discord.StageChannel):
        raise StageNotFound()
    return Target(live[0].stage_id, channel, actor_in(ctx, interaction, channel))


async def target_of_stage(ctx: Context, interaction: discord.Interaction, stage_id: str) -> Target:
    """For buttons and menus, whose custom id names the stage: the presser is judged with the roles they hold
    in that stage's own channel, wherever they pressed (a custom id can be sent from any channel). A stage
    already closed is refused by the core."""
    guild = guild_of(interaction)
    place = Place(platform=PLATFORM, space_id=str(guild.id), channel_id=str(interaction.channel_id or ""))
    channels: list[discord.StageChannel] = []

    async def actor(_: str | None, channel_id: str) -> Actor:
        channel = guild.get_channel(int(channel_id)) if channel_id.isdigit() else None
        if not isinstance(channel, discord.StageChannel):
            raise StageNotFound()
        channels.append(channel)
        return actor_in(ctx, interaction, channel)

    who = await judged(ctx.app, stage_id, place, actor)
    return Target(stage_id, channels[-1], who)


async def known_member(guild: discord.Guild, user_id: str, typed: str | None = None) -> str:
    """The id of a member of this server, checked with Discord (the cache, else one member fetch) before
    anything names them; UnknownMember otherwise."""
    if not user_id.isascii() or not user_id.isdigit() or len(user_id) > 21:
        raise UnknownMember(name=typed or user_id)
    if guild.get_member(int(user_id)) is None:
        try:
            await guild.fetch_member(int(user_id))
        except (discord.NotFound, discord.Forbidden):
            raise UnknownMember(name=typed or user_id) from None
    return user_id


def member_id(guild: discord.Guild, typed: str) -> str:
    """A member's id from an autocomplete value, a mention, an id, a name or an unambiguous start of one."""
    text = typed.strip()
    match = _MENTION.match(text)
    if match:
        return match.group(1) or match.group(2)
    people = [m for m in guild.members if not m.bot]
    named = [m for m in people if text.lstrip("@").lower() in (m.name.lower(), m.display_name.lower())]
    if len(named) == 1:
        return str(named[0].id)
    return pick(text, [(str(m.id), m.display_name) for m in people])
