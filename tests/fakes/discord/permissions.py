"""Discord permission bits and the documented computation (base, then overwrites)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .guild import Guild
    from .models import Channel

CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
READ_MESSAGE_HISTORY = 1 << 16
CONNECT = 1 << 20
SPEAK = 1 << 21
MUTE_MEMBERS = 1 << 22
DEAFEN_MEMBERS = 1 << 23
MOVE_MEMBERS = 1 << 24
MANAGE_ROLES = 1 << 28
REQUEST_TO_SPEAK = 1 << 32
MANAGE_EVENTS = 1 << 33
USE_APPLICATION_COMMANDS = 1 << 31
CREATE_EVENTS = 1 << 44
ALL = (1 << 51) - 1

#: What a stage moderator needs in the stage channel.
STAGE_MODERATOR = MANAGE_CHANNELS | MUTE_MEMBERS | MOVE_MEMBERS

#: A plain @everyone: see, talk, join voice, ask to speak.
EVERYONE_DEFAULT = (
    CREATE_INSTANT_INVITE | ADD_REACTIONS | VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | READ_MESSAGE_HISTORY
    | CONNECT | SPEAK | REQUEST_TO_SPEAK | USE_APPLICATION_COMMANDS
)


def base_permissions(guild: Guild, user_id: int) -> int:
    if user_id == guild.owner_id:
        return ALL
    member = guild.members.get(user_id)
    perms = guild.roles[guild.id].permissions
    if member is not None:
        for role_id in member.roles:
            role = guild.roles.get(role_id)
            if role is not None:
                perms |= role.permissions
    if perms & ADMINISTRATOR:
        return ALL
    return perms


def channel_permissions(guild: Guild, channel: Channel, user_id: int) -> int:
    perms = base_permissions(guild, user_id)
    if perms & ADMINISTRATOR:
        return ALL
    overwrites = {(o["id"], o["type"]): o for o in channel.permission_overwrites}
    everyone = overwrites.get((guild.id, 0))
    if everyone:
        perms = (perms & ~everyone["deny"]) | everyone["allow"]
    member = guild.members.get(user_id)
    roles = member.roles if member is not None else []
    allow = deny = 0
    for role_id in roles:
        o = overwrites.get((role_id, 0))
        if o:
            allow |= o["allow"]
            deny |= o["deny"]
    perms = (perms & ~deny) | allow
    own = overwrites.get((user_id, 1))
    if own:
        perms = (perms & ~own["deny"]) | own["allow"]
    if not perms & VIEW_CHANNEL:
        return 0
    return perms


def has(perms: int, wanted: int) -> bool:
    return perms & wanted == wanted
