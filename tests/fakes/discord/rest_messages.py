"""Channel messages and DM channels."""

from __future__ import annotations

import time
from typing import Any

from . import errors
from . import permissions as perms
from .models import CATEGORY, DM, Channel, Message, User, _emoji, iso, snowflake
from .routes import Call, route

NONCE_SECONDS = 300  # "the past few minutes"

MAX_CONTENT = 2000  # for bots; the description's 4000 is the Nitro user limit
# "The combined sum of characters in all title, description, field.name, field.value, footer.text, and
# author.name fields across all embeds attached to a message must not exceed 6000 characters" (the per-field
# limits are in the API description, checked before).
MAX_EMBEDS_TOTAL = 6000
EPHEMERAL, LOADING = 1 << 6, 1 << 7
_EDITABLE = ("content", "embeds", "components", "flags")


def check_content(body: dict[str, Any], *, path: tuple[str | int, ...] = ()) -> None:
    content = body.get("content")
    if isinstance(content, str) and len(content) > MAX_CONTENT:
        raise errors.invalid_field([*path, "content"], "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_CONTENT} or fewer in length.")
    embeds = body.get("embeds")
    if isinstance(embeds, list) and embeds_size(embeds) > MAX_EMBEDS_TOTAL:
        raise errors.invalid_field([*path, "embeds"], "BASE_TYPE_MAX_LENGTH",
                                   f"Embed size exceeds maximum size of {MAX_EMBEDS_TOTAL}")


def embeds_size(embeds: list[Any]) -> int:
    def text(value: Any) -> int:
        return len(value) if isinstance(value, str) else 0

    total = 0
    for embed in embeds:
        if not isinstance(embed, dict):
            continue
        total += text(embed.get("title")) + text(embed.get("description"))
        total += text((embed.get("footer") or {}).get("text")) + text((embed.get("author") or {}).get("name"))
        total += sum(text(f.get("name")) + text(f.get("value")) for f in embed.get("fields") or [] if isinstance(f, dict))
    return total


def is_empty(body: dict[str, Any]) -> bool:
    return not any(body.get(k) for k in ("content", "embeds", "components", "sticker_ids", "poll", "attachments"))


def components_with_ids(components: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Discord numbers every component (``id``) when it stores a message."""
    counter = iter(range(1, 10_000))

    def number(component: dict[str, Any]) -> dict[str, Any]:
        out = {**component}
        out.setdefault("id", next(counter))
        if isinstance(out.get("components"), list):
            out["components"] = [number(c) for c in out["components"]]
        return out

    return [number(c) for c in components or []]


def new_message(call: Call, channel: Channel, body: dict[str, Any], author: User, **extra: Any) -> Message:
    check_content(body)
    if is_empty(body):
        raise errors.empty_message()
    flags = int(body.get("flags") or 0) | int(extra.pop("flags", 0))
    message = Message(
        snowflake(),
        channel.id,
        author,
        body.get("content") or "",
        guild_id=channel.guild_id,
        embeds=body.get("embeds") or [],
        components=components_with_ids(body.get("components")),
        flags=flags,
        **extra,
    )
    call.store.messages[message.id] = message
    channel.last_message_id = message.id
    return message


def edit_message(message: Message, body: dict[str, Any]) -> Message:
    check_content(body)
    for key in _EDITABLE:
        if key in body:
            value = body[key]
            if key == "components":
                value = components_with_ids(value)
            elif key == "flags":
                value = (message.flags & EPHEMERAL) | int(value or 0)  # ephemeral stays ephemeral
            setattr(message, key, value if value is not None else ([] if key in ("embeds", "components") else ""))
    message.flags &= ~LOADING
    message.edited_timestamp = iso()
    return message


def emit(call: Call, event: str, message: Message) -> None:
    if message.flags & EPHEMERAL:
        return  # ephemeral messages never reach the gateway
    if event == "MESSAGE_DELETE":
        data = {"id": str(message.id), "channel_id": str(message.channel_id)}
        if message.guild_id:
            data["guild_id"] = str(message.guild_id)
        call.fake.dispatch(event, data)
    else:
        call.fake.emit_message(event, message)


@route("POST /channels/{channel_id}/messages")
async def create_message(call: Call) -> dict[str, Any]:
    store = call.store
    channel = store.readable_channel(call.params["channel_id"])
    guild = store.guild_of(channel)
    if channel.type == CATEGORY:
        raise errors.DiscordError(400, 50008, "Cannot send messages in a non-text channel")
    if guild is not None:
        store.require(guild, perms.SEND_MESSAGES, channel)
    elif channel.type == DM and channel.recipients and channel.recipients[0].id in store.dm_blocked:
        raise errors.cannot_dm()
    body = call.body()
    nonce = body.get("nonce")
    if nonce is not None and body.get("enforce_nonce"):
        # Discord: the same author's message with this nonce in the past few minutes is answered again
        # instead of a new one being created.
        seen = store.nonces.get((channel.id, store.bot.id, str(nonce)))
        if seen is not None and seen[1] > time.monotonic() - NONCE_SECONDS and seen[0] in store.messages:
            return store.messages[seen[0]].payload()
    attachments = uploaded(call, guild)
    message = new_message(call, channel, {**body, **({"attachments": attachments} if attachments else {})},
                          store.bot, attachments=attachments)
    if nonce is not None and body.get("enforce_nonce"):
        store.nonces[(channel.id, store.bot.id, str(nonce))] = (message.id, time.monotonic())
    emit(call, "MESSAGE_CREATE", message)
    return message.payload()


#: What a server's members may upload, by boost tier (10 MiB up to tier 1, then 50 and 100 MiB).
UPLOAD_LIMITS = {0: 10 * 2**20, 1: 10 * 2**20, 2: 50 * 2**20, 3: 100 * 2**20}


def uploaded(call: Call, guild: Any) -> list[dict[str, Any]]:
    """The files of the request as Discord lists them; one over the server's limit is refused whole (413)."""
    limit = UPLOAD_LIMITS[getattr(guild, "premium_tier", 0)] if guild is not None else UPLOAD_LIMITS[0]
    if any(len(content) > limit for _, content in call.files):
        raise errors.DiscordError(413, 40005, "Request entity too large")
    attachments = []
    for filename, content in call.files:
        attachment_id = snowflake()
        call.store.uploads[attachment_id] = content
        attachments.append({"id": str(attachment_id), "filename": filename, "size": len(content),
                            "url": f"https://cdn.discordapp.com/attachments/{attachment_id}/{filename}",
                            "proxy_url": f"https://media.discordapp.net/attachments/{attachment_id}/{filename}"})
    return attachments


@route("GET /channels/{channel_id}/messages")
async def list_messages(call: Call) -> list[dict[str, Any]]:
    channel = call.store.readable_channel(call.params["channel_id"])
    guild = call.store.guild_of(channel)
    if guild is not None and not call.store.bot_permissions(guild, channel) & perms.READ_MESSAGE_HISTORY:
        return []  # Discord answers, but shows no message to whoever may not read the history
    limit = int(call.query.get("limit", 50))
    found = [m for m in call.store.messages.values() if m.channel_id == channel.id and not m.flags & EPHEMERAL]
    return [m.payload() for m in sorted(found, key=lambda m: -m.id)[:limit]]


@route("GET /channels/{channel_id}/messages/{message_id}")
async def get_message(call: Call) -> dict[str, Any]:
    channel = call.store.readable_channel(call.params["channel_id"])
    return call.store.message(channel, call.params["message_id"]).payload()


@route("PATCH /channels/{channel_id}/messages/{message_id}")
async def patch_message(call: Call) -> dict[str, Any]:
    channel = call.store.readable_channel(call.params["channel_id"])
    message = call.store.message(channel, call.params["message_id"])
    if message.author.id != call.store.bot.id or message.webhook_id is not None:
        raise errors.not_author()
    edit_message(message, call.body())
    emit(call, "MESSAGE_UPDATE", message)
    return message.payload()


@route("DELETE /channels/{channel_id}/messages/{message_id}")
async def delete_message(call: Call) -> None:
    store = call.store
    channel = store.readable_channel(call.params["channel_id"])
    message = store.message(channel, call.params["message_id"])
    guild = store.guild_of(channel)
    if message.author.id != store.bot.id:
        if guild is None:
            raise errors.DiscordError(403, 50003, "Cannot execute action on a DM channel")
        store.require(guild, 1 << 13, channel)  # MANAGE_MESSAGES
    del store.messages[message.id]
    emit(call, "MESSAGE_DELETE", message)


@route("POST /users/@me/channels")
async def open_dm(call: Call) -> dict[str, Any]:
    recipient = call.body().get("recipient_id")
    if recipient is None:
        raise errors.invalid_field(["recipient_id"], "BASE_TYPE_REQUIRED", "This field is required")
    user = call.store.user(recipient)
    return call.store.dm_channel(user).payload()


@route("GET /channels/{channel_id}")
async def get_channel(call: Call) -> dict[str, Any]:
    return call.store.readable_channel(call.params["channel_id"]).payload()


@route("POST /channels/{channel_id}/typing")
async def typing(call: Call) -> None:
    channel = call.store.readable_channel(call.params["channel_id"])
    guild = call.store.guild_of(channel)
    if guild is not None:
        call.store.require(guild, perms.SEND_MESSAGES, channel)


@route("PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me")
async def add_reaction(call: Call) -> None:
    channel = call.store.readable_channel(call.params["channel_id"])
    message = call.store.message(channel, call.params["message_id"])
    guild = call.store.guild_of(channel)
    if guild is not None:
        call.store.require(guild, perms.READ_MESSAGE_HISTORY | perms.ADD_REACTIONS, channel)
    emoji = call.params["emoji_name"]
    reactors = message.reactions.setdefault(emoji, set())
    if call.store.bot.id not in reactors:
        reactors.add(call.store.bot.id)
        call.fake.dispatch("MESSAGE_REACTION_ADD", _reaction(call, message, emoji))


@route("DELETE /channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me")
async def remove_reaction(call: Call) -> None:
    channel = call.store.readable_channel(call.params["channel_id"])
    message = call.store.message(channel, call.params["message_id"])
    emoji = call.params["emoji_name"]
    if call.store.bot.id in message.reactions.get(emoji, set()):
        message.reactions[emoji].discard(call.store.bot.id)
        call.fake.dispatch("MESSAGE_REACTION_REMOVE", _reaction(call, message, emoji))


def _reaction(call: Call, message: Message, emoji: str) -> dict[str, Any]:
    data = {
        "user_id": str(call.store.bot.id),
        "channel_id": str(message.channel_id),
        "message_id": str(message.id),
        "emoji": _emoji(emoji),
        "burst": False,
        "type": 0,
    }
    if message.guild_id:
        data["guild_id"] = str(message.guild_id)
    return data
