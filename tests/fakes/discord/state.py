"""The fake's world: one application and its bot user, guilds, DMs, messages, commands.

Lookups raise the :mod:`errors` Discord would answer with, so REST handlers
read as the rules they implement.
"""

from __future__ import annotations

import secrets
from typing import Any

from . import errors
from . import permissions as perms
from .guild import Guild
from .models import DM, STAGE, TEXT, VOICE, Channel, Member, Message, Role, User, snowflake


class Store:
    def __init__(self, *, bot_name: str = "Podium", token: str | None = None) -> None:
        self.application_id = snowflake()
        self.bot = User(self.application_id, bot_name, bot=True)
        self.owner = User(snowflake(), "app-owner")
        self.token = token or f"fake.{secrets.token_urlsafe(24)}"
        self.users: dict[int, User] = {self.bot.id: self.bot, self.owner.id: self.owner}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}  # every channel, guild or DM
        self.messages: dict[int, Message] = {}
        self.uploads: dict[int, bytes] = {}  # attachment id -> the bytes uploaded
        self.nonces: dict[tuple[int, int, str], tuple[int, float]] = {}  # (channel, author, nonce) -> message, when
        self.global_commands: dict[int, dict[str, Any]] = {}
        self.guild_commands: dict[int, dict[int, dict[str, Any]]] = {}
        self.dm_blocked: set[int] = set()
        # Privileged intents switched on in the Developer Portal; Discord closes an IDENTIFY asking for one that
        # is off with 4014, and shows them in the application's flags.
        self.privileged_intents: set[str] = {"members"}

    # -- building the world ---------------------------------------------
    def add_user(self, username: str, *, bot: bool = False, user_id: int | None = None) -> User:
        user = User(user_id or snowflake(), username, global_name=username.title(), bot=bot)
        self.users[user.id] = user
        return user

    def add_guild(
        self,
        name: str = "Podium Test Guild",
        *,
        owner: User | None = None,
        everyone_permissions: int = perms.EVERYONE_DEFAULT,
        bot_permissions: int = perms.STAGE_MODERATOR | perms.MANAGE_ROLES | perms.MANAGE_EVENTS | perms.VIEW_CHANNEL
        | perms.SEND_MESSAGES,
        locale: str = "en-US",
    ) -> Guild:
        owner = owner or self.add_user(f"owner-of-{name}".replace(" ", "-").lower()[:32])
        guild = Guild(snowflake(), name, owner.id, preferred_locale=locale)
        guild.roles[guild.id] = Role(guild.id, "@everyone", everyone_permissions)
        bot_role = Role(snowflake(), self.bot.username, bot_permissions, position=1)
        guild.roles[bot_role.id] = bot_role
        guild.members[owner.id] = Member(owner)
        guild.members[self.bot.id] = Member(self.bot, roles=[bot_role.id])
        self.guilds[guild.id] = guild
        return guild

    def add_role(self, guild: Guild, name: str, permissions: int) -> Role:
        role = Role(snowflake(), name, permissions, position=len(guild.roles))
        guild.roles[role.id] = role
        return role

    def add_member(self, guild: Guild, user: User | str, *, roles: list[Role] | None = None) -> Member:
        if isinstance(user, str):
            user = self.add_user(user)
        member = Member(user, roles=[r.id for r in roles or []])
        guild.members[user.id] = member
        return member

    def add_channel(self, guild: Guild, name: str, type: int, **fields: Any) -> Channel:
        channel = Channel(snowflake(), type, name=name, guild_id=guild.id, position=len(guild.channels), **fields)
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        return channel

    def dm_channel(self, user: User) -> Channel:
        for channel in self.channels.values():
            if channel.type == DM and channel.recipients and channel.recipients[0].id == user.id:
                return channel
        channel = Channel(snowflake(), DM, recipients=[user])
        self.channels[channel.id] = channel
        return channel

    # -- lookups (raising what Discord answers) --------------------------
    def guild(self, guild_id: int | str) -> Guild:
        guild = self.guilds.get(_int(guild_id))
        if guild is None:
            raise errors.unknown_guild()
        return guild

    def channel(self, channel_id: int | str) -> Channel:
        channel = self.channels.get(_int(channel_id))
        if channel is None:
            raise errors.unknown_channel()
        return channel

    def member(self, guild: Guild, user_id: int | str) -> Member:
        member = guild.members.get(_int(user_id))
        if member is None:
            raise errors.unknown_member()
        return member

    def user(self, user_id: int | str) -> User:
        user = self.users.get(_int(user_id))
        if user is None:
            raise errors.unknown_user()
        return user

    def message(self, channel: Channel, message_id: int | str) -> Message:
        message = self.messages.get(_int(message_id))
        if message is None or message.channel_id != channel.id:
            raise errors.unknown_message()
        return message

    def guild_of(self, channel: Channel) -> Guild | None:
        return self.guilds.get(channel.guild_id) if channel.guild_id is not None else None

    # -- permissions ----------------------------------------------------------
    def bot_permissions(self, guild: Guild, channel: Channel | None = None) -> int:
        if channel is None:
            return perms.base_permissions(guild, self.bot.id)
        return perms.channel_permissions(guild, channel, self.bot.id)

    def require(self, guild: Guild, wanted: int, channel: Channel | None = None) -> None:
        """Missing Access when the bot cannot see the channel, else Missing Permissions."""
        have = self.bot_permissions(guild, channel)
        if channel is not None and not have & perms.VIEW_CHANNEL:
            raise errors.missing_access()
        if not perms.has(have, wanted):
            raise errors.missing_permissions()

    def readable_channel(self, channel_id: int | str) -> Channel:
        channel = self.channel(channel_id)
        guild = self.guild_of(channel)
        if guild is not None and not self.bot_permissions(guild, channel) & perms.VIEW_CHANNEL:
            raise errors.missing_access()
        return channel


def _int(value: int | str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise errors.invalid_field([], "NUMBER_TYPE_COERCE", f'Value "{value}" is not snowflake.') from None


__all__ = ["Store", "TEXT", "VOICE", "STAGE", "DM"]
