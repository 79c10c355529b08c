"""The fake workspace: team, users, conversations, messages, views, user groups, triggers.

Plain data plus the few lookups the Web API methods share. Times come from `SlackState.now()`,
real time shifted by `advance()`, so tests can expire a trigger_id without sleeping.
"""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

TRIGGER_TTL_SECONDS = 3.0  # Slack: a trigger_id expires 3 s after it was issued, and is single use.


@dataclass
class Team:
    id: str = "T0PODIUM1"
    name: str = "Podium Test"
    domain: str = "podium-test"
    email_domain: str = ""


@dataclass
class User:
    id: str
    name: str
    real_name: str = ""
    is_admin: bool = False
    is_owner: bool = False
    is_primary_owner: bool = False
    is_bot: bool = False
    is_restricted: bool = False
    deleted: bool = False
    locale: str = "en-US"
    tz: str = "Europe/Paris"
    bot_id: str | None = None
    app_id: str | None = None
    huddle_state: str = "default_unset"
    huddle_call_id: str | None = None


@dataclass
class Message:
    ts: str
    channel: str
    user: str
    text: str = ""
    blocks: list[dict[str, Any]] | None = None
    attachments: list[dict[str, Any]] | None = None
    thread_ts: str | None = None
    bot_id: str | None = None
    app_id: str | None = None
    subtype: str | None = None
    edited_ts: str | None = None
    metadata: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Ephemeral:
    message_ts: str
    channel: str
    user: str
    text: str = ""
    blocks: list[dict[str, Any]] | None = None
    thread_ts: str | None = None


@dataclass
class Channel:
    id: str
    name: str = ""
    is_private: bool = False
    is_im: bool = False
    is_mpim: bool = False
    is_archived: bool = False
    is_general: bool = False
    members: list[str] = field(default_factory=list)
    creator: str = ""
    created: int = 0
    topic: str = ""
    purpose: str = ""
    im_user: str | None = None  # the other party of a DM
    kick_restricted: bool = False  # workspace setting: only admins may remove members
    messages: list[Message] = field(default_factory=list)

    def message(self, ts: str) -> Message | None:
        return next((m for m in self.messages if m.ts == ts), None)


@dataclass
class View:
    id: str
    user: str
    type: str
    payload: dict[str, Any]
    hash: str
    external_id: str = ""
    root_view_id: str = ""
    previous_view_id: str | None = None
    closed: bool = False


@dataclass
class UserGroup:
    id: str
    handle: str
    name: str = ""
    users: list[str] = field(default_factory=list)
    disabled: bool = False


@dataclass
class Trigger:
    id: str
    user: str
    issued_at: float
    used: bool = False


class SlackState:
    def __init__(self, team: Team | None = None) -> None:
        self.team = team or Team()
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.views: dict[str, View] = {}
        self.usergroups: dict[str, UserGroup] = {}
        self.triggers: dict[str, Trigger] = {}
        self.tickets: set[str] = set()  # Socket Mode tickets apps.connections.open handed out, each good once
        self.ephemerals: list[Ephemeral] = []
        self._offset = 0.0
        self._last_ts = 0.0
        self._seq = itertools.count(1)
        self.bot = self.add_user(
            "podium", id="U0BOT0001", real_name="Podium", is_bot=True, bot_id="B0BOT0001", app_id="A0PODIUM1"
        )

    # ----- time
    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds

    def next_ts(self) -> str:
        """A message ts, unique and increasing like Slack's: seconds and six digits."""
        t = max(self.now(), self._last_ts + 0.000001)
        self._last_ts = round(t, 6)
        return f"{self._last_ts:.6f}"

    def new_id(self, prefix: str) -> str:
        return f"{prefix}0{next(self._seq):07d}{secrets.token_hex(1).upper()}"

    # ----- hooks
    def add_user(self, name: str, *, id: str | None = None, **attrs: Any) -> User:
        user = User(id=id or self.new_id("U"), name=name, **attrs)
        user.real_name = user.real_name or name.title()
        self.users[user.id] = user
        return user

    def add_channel(
        self, name: str, *, members: list[str] | tuple[str, ...] = (), bot_member: bool = True, **attrs: Any
    ) -> Channel:
        channel = Channel(id=attrs.pop("id", None) or self.new_id("C"), name=name, **attrs)
        channel.created = channel.created or int(self.now())
        channel.creator = channel.creator or (members[0] if members else self.bot.id)
        channel.members = list(dict.fromkeys([*members, *([self.bot.id] if bot_member else [])]))
        self.channels[channel.id] = channel
        return channel

    def add_usergroup(self, handle: str, users: list[str], **attrs: Any) -> UserGroup:
        group = UserGroup(id=attrs.pop("id", None) or self.new_id("S"), handle=handle, users=list(users), **attrs)
        group.name = group.name or handle
        self.usergroups[group.id] = group
        return group

    def post_as(self, user_id: str, channel_id: str, text: str, thread_ts: str | None = None) -> Message:
        """A message a person wrote (not through the bot's token)."""
        msg = Message(ts=self.next_ts(), channel=channel_id, user=user_id, text=text, thread_ts=thread_ts)
        self.channels[channel_id].messages.append(msg)
        return msg

    def issue_trigger(self, user_id: str) -> str:
        trigger_id = f"{int(self.now())}{next(self._seq):04d}.{self.team.id[1:]}.{secrets.token_hex(16)}"
        self.triggers[trigger_id] = Trigger(trigger_id, user_id, self.now())
        return trigger_id

    def issue_ticket(self) -> str:
        ticket = secrets.token_hex(16)
        self.tickets.add(ticket)
        return ticket

    # ----- lookups
    def resolve_channel(self, ref: str) -> Channel | None:
        """A channel by ID or name (`#general`, `general`); a user ID means the bot's DM with that user."""
        if ref in self.channels:
            return self.channels[ref]
        if ref.startswith(("U", "W")) and ref in self.users:
            return self.open_dm(ref)
        name = ref.removeprefix("#")
        return next((c for c in self.channels.values() if c.name == name and not c.is_im), None)

    def open_dm(self, user_id: str) -> Channel:
        for c in self.channels.values():
            if c.is_im and c.im_user == user_id:
                return c
        dm = Channel(id=self.new_id("D"), is_im=True, is_private=True, im_user=user_id, created=int(self.now()))
        dm.members = [user_id, self.bot.id]
        self.channels[dm.id] = dm
        return dm

    def dms(self) -> dict[str, list[Message]]:
        """Messages the bot sent in DMs, by the user they went to."""
        return {c.im_user: [m for m in c.messages if m.user == self.bot.id]
                for c in self.channels.values() if c.is_im and c.im_user}

    # ----- Slack-shaped objects
    def user_object(self, user: User, *, include_locale: bool = False) -> dict[str, Any]:
        zone = datetime.now(ZoneInfo(user.tz))
        offset = zone.utcoffset()
        profile: dict[str, Any] = {
            "title": "", "phone": "", "skype": "", "real_name": user.real_name,
            "real_name_normalized": user.real_name, "display_name": user.name,
            "display_name_normalized": user.name, "fields": None, "status_text": "", "status_emoji": "",
            "status_emoji_display_info": [], "status_expiration": 0, "avatar_hash": "g" + user.id[-8:].lower(),
            "huddle_state": user.huddle_state,
            "huddle_state_expiration_ts": 0 if user.huddle_state == "default_unset" else int(self.now()) + 3600,
            "first_name": user.real_name.split(" ")[0], "last_name": " ".join(user.real_name.split(" ")[1:]),
            "image_24": f"https://avatars.example/{user.id}_24.png",
            "image_48": f"https://avatars.example/{user.id}_48.png",
            "image_72": f"https://avatars.example/{user.id}_72.png",
            "team": self.team.id,
        }
        if user.huddle_state == "in_a_huddle" and user.huddle_call_id:
            profile["huddle_state_call_id"] = user.huddle_call_id
        if user.is_bot:
            profile.update({"bot_id": user.bot_id, "api_app_id": user.app_id, "always_active": True})
        obj: dict[str, Any] = {
            "id": user.id, "team_id": self.team.id, "name": user.name, "deleted": user.deleted,
            "color": "4bbe2e", "real_name": user.real_name, "tz": user.tz, "tz_label": zone.tzname(),
            "tz_offset": int(offset.total_seconds()) if offset else 0, "profile": profile,
            "is_admin": user.is_admin, "is_owner": user.is_owner, "is_primary_owner": user.is_primary_owner,
            "is_restricted": user.is_restricted, "is_ultra_restricted": False, "is_bot": user.is_bot,
            "is_app_user": False, "updated": int(self.now()), "is_email_confirmed": not user.is_bot,
            "who_can_share_contact_card": "EVERYONE",
        }
        if include_locale:
            obj["locale"] = user.locale
        return obj

    def message_object(self, msg: Message) -> dict[str, Any]:
        obj: dict[str, Any] = {"type": "message", "text": msg.text, "user": msg.user, "ts": msg.ts,
                               "team": self.team.id}
        if msg.subtype:
            obj["subtype"] = msg.subtype
        if msg.bot_id:
            obj.update({"bot_id": msg.bot_id, "app_id": msg.app_id, "bot_profile": {
                "id": msg.bot_id, "app_id": msg.app_id, "name": self.bot.real_name, "deleted": False,
                "team_id": self.team.id, "updated": int(self.now()),
                "icons": {f"image_{n}": f"https://avatars.example/bot_{n}.png" for n in (36, 48, 72)}}})
        if msg.blocks is not None:
            obj["blocks"] = msg.blocks
        if msg.attachments is not None:
            obj["attachments"] = msg.attachments
        if msg.thread_ts:
            obj["thread_ts"] = msg.thread_ts
        if msg.edited_ts:
            obj["edited"] = {"user": msg.user, "ts": msg.edited_ts}
        if msg.metadata:
            obj["metadata"] = msg.metadata
        obj.update(msg.extra)
        return obj

    def channel_object(self, ch: Channel, *, include_num_members: bool = False,
                       include_locale: bool = False) -> dict[str, Any]:
        if ch.is_im:
            return {"id": ch.id, "created": ch.created, "is_archived": False, "is_im": True, "is_org_shared": False,
                    "context_team_id": self.team.id, "updated": ch.created * 1000, "user": ch.im_user,
                    "is_user_deleted": self.users[ch.im_user].deleted if ch.im_user in self.users else False,
                    "priority": 0}
        obj: dict[str, Any] = {
            "id": ch.id, "name": ch.name, "is_channel": not ch.is_mpim, "is_group": False, "is_im": False,
            "is_mpim": ch.is_mpim, "is_private": ch.is_private, "created": ch.created,
            "is_archived": ch.is_archived, "is_general": ch.is_general, "unlinked": 0, "name_normalized": ch.name,
            "is_shared": False, "is_org_shared": False, "is_pending_ext_shared": False, "pending_shared": [],
            "context_team_id": self.team.id, "updated": ch.created * 1000, "parent_conversation": None,
            "creator": ch.creator, "is_ext_shared": False, "shared_team_ids": [self.team.id],
            "pending_connected_team_ids": [], "is_member": self.bot.id in ch.members,
            "topic": {"value": ch.topic, "creator": ch.creator if ch.topic else "", "last_set": 0},
            "purpose": {"value": ch.purpose, "creator": ch.creator if ch.purpose else "", "last_set": 0},
            "previous_names": [],
        }
        if include_num_members:
            obj["num_members"] = len(ch.members)
        if include_locale:
            obj["locale"] = "en-US"
        return obj
