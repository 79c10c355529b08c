"""A member's roles, as Discord grants them: the bot needs Manage Roles, and may only give a role below its own
highest role (otherwise 403 Missing Permissions, code 50013, even with Manage Roles); the owner of the guild
is above every rule."""

from __future__ import annotations

from . import errors
from . import permissions as perms
from .guild import Guild
from .routes import Call, route


def _highest(guild: Guild, role_ids: list[int]) -> int:
    return max((guild.roles[r].position for r in role_ids if r in guild.roles), default=0)


def _role_change(call: Call) -> tuple[Guild, int, int]:
    store = call.store
    guild = store.guild(call.params["guild_id"])
    member = store.member(guild, call.params["user_id"])
    role_id = int(call.params["role_id"])
    role = guild.roles.get(role_id)
    if role is None:
        raise errors.DiscordError(404, 10011, "Unknown Role")
    if not perms.has(store.bot_permissions(guild), perms.MANAGE_ROLES):
        raise errors.missing_permissions()
    bot = store.member(guild, store.bot.id)
    if guild.owner_id != store.bot.id and role.position >= _highest(guild, bot.roles):
        raise errors.missing_permissions()
    return guild, member.user.id, role_id


@route("PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}")
async def add_member_role(call: Call) -> None:
    guild, user_id, role_id = _role_change(call)
    member = guild.members[user_id]
    if role_id not in member.roles:
        member.roles.append(role_id)
        call.fake.dispatch("GUILD_MEMBER_UPDATE", {**member.payload(), "guild_id": str(guild.id)})


@route("DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}")
async def remove_member_role(call: Call) -> None:
    guild, user_id, role_id = _role_change(call)
    member = guild.members[user_id]
    if role_id in member.roles:
        member.roles.remove(role_id)
        call.fake.dispatch("GUILD_MEMBER_UPDATE", {**member.payload(), "guild_id": str(guild.id)})
