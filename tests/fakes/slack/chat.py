"""chat.* methods: messages in conversations, as Slack stores and refuses them."""

from __future__ import annotations

import re
from typing import Any

from .blockkit import BlockKitError, check_message, decode, with_block_ids
from .registry import Ctx, SlackError, method
from .state import Ephemeral, Message

_TS = re.compile(r"\d+\.\d+\Z")


def _content(ctx: Ctx, *, require: bool = True) -> tuple[Any, Any, Any]:
    text = ctx.get("text", ctx.get("markdown_text"))
    blocks = decode(ctx.get("blocks")) if "blocks" in ctx.args else None
    attachments = decode(ctx.get("attachments")) if "attachments" in ctx.args else None
    try:
        check_message(text, blocks, attachments, require_content=require)
    except BlockKitError as e:
        raise SlackError(e.error, **({"response_metadata": {"messages": e.messages}} if e.messages else {}))
    return text, with_block_ids(blocks), attachments


def _by_actor(ctx: Ctx, channel: str, ts: str, **fields: Any) -> Message:
    actor = ctx.actor
    return Message(ts=ts, channel=channel, user=actor.id, bot_id=actor.bot_id, app_id=actor.app_id, **fields)


@method("chat.postMessage")
def post_message(ctx: Ctx) -> dict[str, Any]:
    ch = ctx.channel()
    text, blocks, attachments = _content(ctx)
    thread_ts = ctx.get("thread_ts")
    if thread_ts is not None:
        if not _TS.match(str(thread_ts)):
            raise SlackError("invalid_thread_ts",
                             response_metadata={"messages": [f"[ERROR] {thread_ts!r} is not a valid thread_ts"]})
        if ch.message(str(thread_ts)) is None:
            raise SlackError("thread_not_found")  # e.g. the parent was deleted
    metadata = decode(ctx.get("metadata")) if "metadata" in ctx.args else None
    msg = _by_actor(ctx, ch.id, ctx.state.next_ts(), text=text or "", blocks=blocks, attachments=attachments,
                    thread_ts=str(thread_ts) if thread_ts else None,
                    metadata=metadata if isinstance(metadata, dict) else None)
    ch.messages.append(msg)
    return {"channel": ch.id, "ts": msg.ts, "message": ctx.state.message_object(msg)}


@method("chat.update")
def update(ctx: Ctx) -> dict[str, Any]:
    ch = ctx.channel(must_be_member=False)
    msg = ch.message(str(ctx.get("ts")))
    if msg is None:
        raise SlackError("message_not_found")
    if msg.user != ctx.actor.id:
        raise SlackError("cant_update_message")
    text, blocks, attachments = _content(ctx)
    # Slack keeps the previous blocks/attachments when the field is left out of chat.update.
    if text is not None:
        msg.text = text
    if blocks is not None:
        msg.blocks = blocks
    if attachments is not None:
        msg.attachments = attachments
    msg.edited_ts = ctx.state.next_ts()
    obj = ctx.state.message_object(msg)
    return {"channel": ch.id, "ts": msg.ts, "text": msg.text, "message": obj}


@method("chat.delete")
def delete(ctx: Ctx) -> dict[str, Any]:
    ch = ctx.channel(must_be_member=False)
    ts = str(ctx.get("ts"))
    msg = ch.message(ts)
    if msg is None:
        raise SlackError("message_not_found")
    if msg.user != ctx.actor.id and not ctx.actor.is_admin:
        raise SlackError("cant_delete_message")
    ch.messages.remove(msg)
    return {"channel": ch.id, "ts": ts}


@method("chat.postEphemeral")
def post_ephemeral(ctx: Ctx) -> dict[str, Any]:
    ch = ctx.channel()
    user = ctx.state.users.get(str(ctx.get("user")))
    if user is None or user.deleted or user.id not in ch.members:
        raise SlackError("user_not_in_channel")
    text, blocks, _ = _content(ctx)
    eph = Ephemeral(message_ts=ctx.state.next_ts(), channel=ch.id, user=user.id, text=text or "",
                    blocks=blocks, thread_ts=ctx.get("thread_ts"))
    ctx.state.ephemerals.append(eph)
    return {"message_ts": eph.message_ts}


@method("chat.getPermalink")
def get_permalink(ctx: Ctx) -> dict[str, Any]:
    ch = ctx.channel(must_be_member=False)
    ts = str(ctx.get("message_ts"))
    msg = ch.message(ts)
    if msg is None:
        raise SlackError("message_not_found")
    link = f"https://{ctx.state.team.domain}.slack.com/archives/{ch.id}/p{ts.replace('.', '')}"
    if msg.thread_ts and msg.thread_ts != msg.ts:
        link += f"?thread_ts={msg.thread_ts}&cid={ch.id}"
    return {"channel": ch.id, "permalink": link}
