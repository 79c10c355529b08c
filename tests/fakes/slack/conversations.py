"""conversations.* methods: DMs, channel info and membership, as Slack allows and refuses them."""

from __future__ import annotations

import base64
from typing import Any

from .registry import Ctx, SlackError, method, split_ids
from .state import Channel

MAX_MPIM_USERS = 8


def _not_for_dms(ch: Channel) -> None:
    if ch.is_im or ch.is_mpim:
        raise SlackError("method_not_supported_for_channel_type")


@method("conversations.open")
def conversations_open(ctx: Ctx) -> dict[str, Any]:
    state = ctx.state
    if ctx.get("channel"):
        ch = state.channels.get(str(ctx.get("channel")))
        if ch is None or not (ch.is_im or ch.is_mpim) or ctx.actor.id not in ch.members:
            raise SlackError("channel_not_found")
        opened, existed = ch, True
    else:
        ids = split_ids(ctx.get("users"))
        if not ids:
            raise SlackError("users_list_not_supplied")
        if len(ids) > MAX_MPIM_USERS:
            raise SlackError("too_many_users")
        for uid in ids:
            if uid not in state.users:
                raise SlackError("user_not_found")
            if state.users[uid].deleted:
                raise SlackError("user_disabled")
        others = [u for u in dict.fromkeys(ids) if u != ctx.actor.id] or [ctx.actor.id]
        if len(others) == 1:
            existed = any(c.is_im and c.im_user == others[0] for c in state.channels.values())
            opened = state.open_dm(others[0])
        else:
            wanted = {*others, ctx.actor.id}
            found = next((c for c in state.channels.values() if c.is_mpim and set(c.members) == wanted), None)
            existed = found is not None
            if found is None and ctx.flag("prevent_creation"):
                return {"no_op": True, "already_open": False, "channel": {}}
            opened = found or state.add_channel(
                "mpdm-" + "--".join(state.users[u].name for u in sorted(wanted)) + "-1",
                members=sorted(wanted), bot_member=False, is_mpim=True, is_private=True,
                id=state.new_id("G"))
    channel = state.channel_object(opened) if ctx.flag("return_im") else {"id": opened.id}
    return {"no_op": existed, "already_open": existed, "channel": channel}


@method("conversations.info")
def conversations_info(ctx: Ctx) -> dict[str, Any]:
    ch = ctx.channel(must_be_member=False)
    return {"channel": ctx.state.channel_object(ch, include_num_members=ctx.flag("include_num_members"),
                                                include_locale=ctx.flag("include_locale"))}


def _cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


@method("conversations.members")
def conversations_members(ctx: Ctx) -> dict[str, Any]:
    ch = ctx.channel(must_be_member=False)
    limit = int(ctx.get("limit", 100) or 100)
    if not 1 <= limit <= 1000:
        raise SlackError("invalid_limit")
    offset = 0
    if ctx.get("cursor"):
        try:
            offset = int(base64.b64decode(str(ctx.get("cursor"))).decode().split(":", 1)[1])
        except (ValueError, IndexError):
            raise SlackError("invalid_cursor")
    members = ch.members[offset:offset + limit]
    more = offset + limit < len(ch.members)
    return {"members": members, "response_metadata": {"next_cursor": _cursor(offset + limit) if more else ""}}


@method("conversations.invite")
def conversations_invite(ctx: Ctx) -> dict[str, Any]:
    ch = ctx.channel()
    _not_for_dms(ch)
    ids = split_ids(ctx.get("users"))
    if not ids:
        raise SlackError("no_user")
    if len(ids) > 1000:
        raise SlackError("too_many_users")
    for uid in ids:
        user = ctx.state.users.get(uid)
        if user is None or user.deleted:
            raise SlackError("user_not_found")
        if uid == ctx.actor.id:
            raise SlackError("cant_invite_self")
        if uid in ch.members:
            raise SlackError("already_in_channel")
    ch.members.extend(ids)
    return {"channel": ctx.state.channel_object(ch)}


@method("conversations.kick")
def conversations_kick(ctx: Ctx) -> dict[str, Any]:
    ch = ctx.channel()
    _not_for_dms(ch)
    user = ctx.user()
    if user.id == ctx.actor.id:
        raise SlackError("cant_kick_self")
    if ch.is_general:
        raise SlackError("cant_kick_from_general")
    if ch.kick_restricted and not (ctx.actor.is_admin or ctx.actor.is_owner):
        raise SlackError("restricted_action")
    if user.id not in ch.members:
        raise SlackError("not_in_channel")
    ch.members.remove(user.id)
    return {}


@method("conversations.join")
def conversations_join(ctx: Ctx) -> dict[str, Any]:
    ch = ctx.channel(must_be_member=False)
    _not_for_dms(ch)
    if ch.is_archived:
        raise SlackError("is_archived")
    extra: dict[str, Any] = {}
    if ctx.actor.id in ch.members:
        extra = {"warning": "already_in_channel", "response_metadata": {"warnings": ["already_in_channel"]}}
    else:
        ch.members.append(ctx.actor.id)
    return {"channel": ctx.state.channel_object(ch), **extra}


def _page(ctx: Ctx, found: list[Any]) -> dict[str, Any]:
    """Newest first between `oldest` and `latest`, `limit` at a time, with metadata shown only to the app
    that posted it unless `include_all_metadata` (as Slack does)."""
    limit = int(ctx.get("limit", 100) or 100)
    if not 1 <= limit <= 999:
        raise SlackError("invalid_limit")
    oldest, latest = float(ctx.get("oldest", 0) or 0), ctx.get("latest")
    found = [m for m in found if float(m.ts) >= oldest and (latest is None or float(m.ts) <= float(latest))]
    found.sort(key=lambda m: float(m.ts), reverse=True)
    offset = 0
    if ctx.get("cursor"):
        try:
            offset = int(base64.b64decode(str(ctx.get("cursor"))).decode().split(":", 1)[1])
        except (ValueError, IndexError):
            raise SlackError("invalid_cursor")
    shown = []
    for msg in found[offset:offset + limit]:
        obj = ctx.state.message_object(msg)
        if "metadata" in obj and not ctx.flag("include_all_metadata") and msg.app_id != ctx.actor.app_id:
            del obj["metadata"]
        shown.append(obj)
    more = offset + limit < len(found)
    return {"messages": shown, "has_more": more,
            "response_metadata": {"next_cursor": _cursor(offset + limit) if more else ""}}


@method("conversations.history")
def conversations_history(ctx: Ctx) -> dict[str, Any]:
    ch = ctx.channel()
    return _page(ctx, [m for m in ch.messages if m.thread_ts is None or m.thread_ts == m.ts])


@method("conversations.replies")
def conversations_replies(ctx: Ctx) -> dict[str, Any]:
    ch = ctx.channel()
    ts = str(ctx.get("ts") or "")
    if ch.message(ts) is None:
        raise SlackError("thread_not_found")
    return _page(ctx, [m for m in ch.messages if m.ts == ts or m.thread_ts == ts])
