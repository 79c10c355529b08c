"""Interactions the fake dispatches, and what the bot answered to each.

Payloads follow Discord's Interaction object (id, application_id, type, data,
guild, guild_id, channel, channel_id, member with ``permissions``, token,
version, app_permissions, locale, guild_locale, entitlements,
authorizing_integration_owners, context, attachment_size_limit).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import permissions as perms
from .guild import Guild
from .models import Channel, Message, User, snowflake

if TYPE_CHECKING:
    from .server import FakeDiscord

PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
TOKEN_LIFETIME = 15 * 60.0


@dataclass
class Response:
    type: int
    data: dict[str, Any] | None
    delay: float  # seconds between INTERACTION_CREATE and this callback
    status: int


@dataclass
class InteractionRecord:
    id: int
    token: str
    type: int
    user: User
    guild: Guild | None
    channel: Channel
    data: dict[str, Any]
    payload: dict[str, Any]
    dispatched_at: float = field(default_factory=time.monotonic)
    message: Message | None = None  # the message a component sits on
    responses: list[Response] = field(default_factory=list)  # accepted callbacks (at most one)
    refused: list[Response] = field(default_factory=list)  # callbacks Discord refused
    original: Message | None = None
    followups: list[Message] = field(default_factory=list)

    @property
    def acked(self) -> bool:
        return bool(self.responses)

    @property
    def response(self) -> Response | None:
        return self.responses[0] if self.responses else None

    @property
    def ack_delay(self) -> float | None:
        return self.responses[0].delay if self.responses else None

    @property
    def modal(self) -> dict[str, Any] | None:
        """The modal the bot opened in answer (callback type 9), if any."""
        return self.responses[0].data if self.responses and self.responses[0].type == 9 else None

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        """The autocomplete choices the bot answered (callback type 8), if any."""
        if self.responses and self.responses[0].type == 8:
            return (self.responses[0].data or {}).get("choices", [])
        return None

    def expired(self, timeout: float) -> bool:
        return time.monotonic() - self.dispatched_at > timeout

    def token_expired(self) -> bool:
        return time.monotonic() - self.dispatched_at > TOKEN_LIFETIME


class InteractionLog:
    def __init__(self, fake: FakeDiscord, timeout: float) -> None:
        self.fake = fake
        self.timeout = timeout
        self.records: list[InteractionRecord] = []
        self.by_id: dict[int, InteractionRecord] = {}
        self.by_token: dict[str, InteractionRecord] = {}

    def create(
        self,
        type: int,
        *,
        user: User,
        guild: Guild | None,
        channel: Channel,
        data: dict[str, Any],
        message: Message | None = None,
        locale: str = "en-US",
    ) -> InteractionRecord:
        store = self.fake.store
        iid = snowflake()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(store.application_id),
            "type": type,
            "data": data,
            "channel": _partial_channel(channel, guild, store, user),
            "channel_id": str(channel.id),
            "token": token,
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild is not None:
            member = store.member(guild, user.id)
            payload["guild"] = {"id": str(guild.id), "locale": guild.preferred_locale, "features": []}
            payload["guild_id"] = str(guild.id)
            payload["guild_locale"] = guild.preferred_locale
            payload["member"] = {
                **member.payload(),
                "permissions": str(perms.channel_permissions(guild, channel, user.id)),
            }
            payload["app_permissions"] = str(store.bot_permissions(guild, channel))
            payload["authorizing_integration_owners"] = {"0": str(guild.id)}
            payload["context"] = 0
        else:
            payload["user"] = user.payload()
            payload["app_permissions"] = str(perms.VIEW_CHANNEL | perms.SEND_MESSAGES | perms.EMBED_LINKS)
            payload["authorizing_integration_owners"] = {"0": "0"}
            payload["context"] = 1
        if message is not None:
            payload["message"] = message.payload()
        record = InteractionRecord(iid, token, type, user, guild, channel, data, payload, message=message)
        self.records.append(record)
        self.by_id[iid] = record
        self.by_token[token] = record
        record.dispatched_at = time.monotonic()
        self.fake.dispatch("INTERACTION_CREATE", payload)
        return record

    async def wait_response(self, record: InteractionRecord, timeout: float = 3.0) -> Response:
        await self.fake.wait_for(lambda: record.acked, timeout=timeout)
        assert record.response is not None
        return record.response


def _partial_channel(channel: Channel, guild: Guild | None, store: Any, user: User) -> dict[str, Any]:
    data = channel.payload()
    if guild is not None:
        data["permissions"] = str(perms.channel_permissions(guild, channel, user.id))
    return data
