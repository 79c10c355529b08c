"""In-memory Discord objects and their documented JSON shapes."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

DISCORD_EPOCH_MS = 1420070400000
_increment = itertools.count()

TEXT, DM, VOICE, CATEGORY, STAGE = 0, 1, 2, 4, 13


def snowflake() -> int:
    """A realistic, increasing snowflake (discord.py derives timestamps from ids)."""
    ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return (ms << 22) | (1 << 17) | (next(_increment) & 0xFFF)


def iso(moment: dt.datetime | None = None) -> str:
    return (moment or dt.datetime.now(dt.timezone.utc)).isoformat()


def parse_iso(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


@dataclass
class User:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass
class Role:
    id: int
    name: str
    permissions: int
    position: int = 0
    color: int = 0

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }


@dataclass
class Member:
    user: User
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso)
    deaf: bool = False
    mute: bool = False
    flags: int = 0  # GUILD_MEMBER flags: 1 << 4 is a guest (joined through a voice-only invite)

    def payload(self) -> dict[str, Any]:
        return {
            "user": self.user.payload(),
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in self.roles],
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": self.deaf,
            "mute": self.mute,
            "flags": self.flags,
            "pending": False,
            "communication_disabled_until": None,
        }


@dataclass
class Channel:
    id: int
    type: int
    name: str | None = None
    guild_id: int | None = None
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    user_limit: int = 0
    bitrate: int = 64000
    #: [{"id": int, "type": 0 role / 1 member, "allow": int, "deny": int}]
    permission_overwrites: list[dict[str, int]] = field(default_factory=list)
    recipients: list[User] = field(default_factory=list)
    last_message_id: int | None = None

    def payload(self) -> dict[str, Any]:
        if self.type == DM:
            return {
                "id": str(self.id),
                "type": DM,
                "last_message_id": _opt(self.last_message_id),
                "recipients": [u.payload() for u in self.recipients],
                "flags": 0,
            }
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "parent_id": _opt(self.parent_id),
            "flags": 0,
            "permission_overwrites": [
                {"id": str(o["id"]), "type": o["type"], "allow": str(o["allow"]), "deny": str(o["deny"])}
                for o in self.permission_overwrites
            ],
        }
        if self.type == TEXT:
            data.update(topic=self.topic, nsfw=False, rate_limit_per_user=0, last_message_id=_opt(self.last_message_id))
        if self.type in (VOICE, STAGE):
            data.update(
                bitrate=self.bitrate,
                user_limit=self.user_limit,
                rtc_region=None,
                nsfw=False,
                rate_limit_per_user=0,
                last_message_id=_opt(self.last_message_id),
            )
            if self.type == STAGE:
                data["topic"] = self.topic
            else:
                data["video_quality_mode"] = 1
        return data


@dataclass
class VoiceState:
    guild_id: int
    user_id: int
    channel_id: int | None
    session_id: str
    suppress: bool = False
    request_to_speak_timestamp: str | None = None
    self_mute: bool = False
    self_deaf: bool = False
    mute: bool = False
    deaf: bool = False

    def payload(self, member: Member | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "guild_id": str(self.guild_id),
            "channel_id": _opt(self.channel_id),
            "user_id": str(self.user_id),
            "session_id": self.session_id,
            "deaf": self.deaf,
            "mute": self.mute,
            "self_deaf": self.self_deaf,
            "self_mute": self.self_mute,
            "self_video": False,
            "suppress": self.suppress,
            "request_to_speak_timestamp": self.request_to_speak_timestamp,
        }
        if member is not None:
            data["member"] = member.payload()
        return data


@dataclass
class Message:
    id: int
    channel_id: int
    author: User
    content: str = ""
    guild_id: int | None = None
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    timestamp: str = field(default_factory=iso)
    edited_timestamp: str | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: dict[str, Any] | None = None
    type: int = 0
    reactions: dict[str, set[int]] = field(default_factory=dict)  # "name" or "name:id" → user ids
    attachments: list[dict[str, Any]] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "author": self.author.payload(),
            "content": self.content,
            "timestamp": self.timestamp,
            "edited_timestamp": self.edited_timestamp,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self.attachments,
            "embeds": self.embeds,
            "components": self.components,
            "pinned": False,
            "reactions": [
                {"emoji": _emoji(e), "count": len(u), "me": False, "me_burst": False, "burst_colors": [],
                 "count_details": {"burst": 0, "normal": len(u)}}
                for e, u in self.reactions.items() if u
            ],
            "type": self.type,
            "flags": self.flags,
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
        if self.application_id is not None:
            data["application_id"] = str(self.application_id)
        if self.interaction_metadata is not None:
            data["interaction_metadata"] = self.interaction_metadata
        return data


def _emoji(url_form: str) -> dict[str, Any]:
    from urllib.parse import unquote

    name = unquote(url_form)
    if ":" in name:
        name, emoji_id = name.split(":", 1)
        return {"id": emoji_id, "name": name}
    return {"id": None, "name": name}


def _opt(value: int | None) -> str | None:
    return None if value is None else str(value)
