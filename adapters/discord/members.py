"""Discord members as the core sees them: a plain id plus the facts only Discord knows."""

from __future__ import annotations

from collections.abc import Iterable

import discord

from bot.domain.members import Actor
from bot.i18n.catalog import render
from bot.i18n.message import Message

PLATFORM = "discord"


def is_stage_moderator(permissions: discord.Permissions) -> bool:
    """What Discord itself requires of a stage moderator in the channel."""
    return permissions.manage_channels and permissions.mute_members and permissions.move_members


def actor_of(member: discord.Member, channel: discord.abc.GuildChannel, moderator_roles: Iterable[str]) -> Actor:
    """Roles are given by name and by id, so rules may name either; moderators per Discord or per `.env`."""
    own = [role for role in member.roles if not role.is_default()]
    configured = {name.strip().lstrip("@").lower() for name in moderator_roles}
    by_role = any(role.name.lower() in configured or str(role.id) in configured for role in own)
    return Actor(
        user_id=str(member.id),
        roles=frozenset(role.name for role in own) | frozenset(str(role.id) for role in own),
        platform_moderator=by_role or is_stage_moderator(channel.permissions_for(member)),
        guest=bool(member.flags.guest or member.pending))


def bot_actor(client: discord.Client) -> Actor:
    """The bot acting on what Discord reports (a speaker added outside the bot, a stage ended in Discord)."""
    assert client.user is not None
    return Actor(user_id=str(client.user.id), platform_moderator=True)


def mention(user_id: str) -> str:
    return f"<@{user_id}>" if user_id.isdigit() else user_id


def say(message: Message, locale: str) -> str:
    return render(message, locale, mention=mention)


def display_name(guild: discord.Guild | None, user_id: str) -> str:
    member = guild.get_member(int(user_id)) if guild is not None and user_id.isdigit() else None
    return member.display_name if member is not None else user_id
