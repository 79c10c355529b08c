"""Who may connect to a stage channel, as Discord permission overwrites, and how many (the user limit).

Only the CONNECT bit of an overwrite is touched, so what administrators set otherwise stays as it was. An
invite-only stage denies CONNECT to @everyone and allows it to the bot, the host, the moderator roles and each
invited member; a blocked member is denied it. Closing the stage clears those bits and the user limit.
"""

from __future__ import annotations

from collections.abc import Iterable

import discord

from adapters.discord.members import is_stage_moderator
from bot.domain.validation import Visibility
from bot.services.board import Board
from bot.services.queries import Roster

REASON = "Podium stage access"


def member_target(channel: discord.StageChannel, user_id: str) -> discord.abc.Snowflake:
    member = channel.guild.get_member(int(user_id))
    return member if member is not None else discord.Object(id=int(user_id), type=discord.Member)


async def set_connect(channel: discord.StageChannel, target: discord.abc.Snowflake, allowed: bool | None) -> None:
    current = next((o for t, o in channel.overwrites.items() if t.id == target.id), None)
    overwrite = discord.PermissionOverwrite() if current is None else discord.PermissionOverwrite(**dict(current))
    if overwrite.connect is allowed:
        return
    overwrite.update(connect=allowed)
    if overwrite.is_empty():
        if current is not None:
            await channel.set_permissions(target, overwrite=None, reason=REASON)  # type: ignore[call-overload]
        return
    await channel.set_permissions(target, overwrite=overwrite, reason=REASON)  # type: ignore[call-overload]


def moderator_roles(channel: discord.StageChannel, configured: Iterable[str]) -> list[discord.Role]:
    wanted = {name.strip().lstrip("@").lower() for name in configured}
    return [role for role in channel.guild.roles if not role.is_default() and (
        role.name.lower() in wanted or str(role.id) in wanted or is_stage_moderator(channel.permissions_for(role)))]


async def open_room(channel: discord.StageChannel, board: Board, configured: Iterable[str]) -> None:
    if board.visibility == Visibility.INVITE_ONLY:
        # A bot may only deny or grant what it holds in the channel: it keeps CONNECT before @everyone loses it.
        await set_connect(channel, channel.guild.me, True)
        await set_connect(channel, member_target(channel, board.host_id), True)
        for role in moderator_roles(channel, configured):
            await set_connect(channel, role, True)
        await set_connect(channel, channel.guild.default_role, False)
    if board.capacity and channel.user_limit != board.capacity:
        await channel.edit(user_limit=board.capacity, reason=REASON)


async def member_access(channel: discord.StageChannel, user_id: str, *, allowed: bool) -> None:
    await set_connect(channel, member_target(channel, user_id), allowed)


async def close_room(channel: discord.StageChannel, board: Board, roster: Roster, configured: Iterable[str]) -> None:
    for user_id in sorted(roster.invited | roster.blocked):
        await set_connect(channel, member_target(channel, user_id), None)
    if board.visibility == Visibility.INVITE_ONLY:
        await set_connect(channel, channel.guild.default_role, None)
        for role in moderator_roles(channel, configured):
            await set_connect(channel, role, None)
        await set_connect(channel, member_target(channel, board.host_id), None)
        await set_connect(channel, channel.guild.me, None)
    if board.capacity and channel.user_limit:
        await channel.edit(user_limit=0, reason=REASON)
