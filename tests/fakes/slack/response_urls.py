"""response_url: where an app answers a slash command or a click after (or instead of) its ack.

The fake serves these URLs; a post is recorded and takes effect as in Slack: `delete_original` /
`replace_original` act on the message that was clicked, `response_type: in_channel` posts a message
as the app, anything else is an ephemeral message to the user who acted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .blockkit import with_block_ids
from .state import Ephemeral, Message, SlackState


@dataclass
class ResponseUrl:
    url: str
    kind: str  # "commands" or "actions"
    channel: str
    user: str
    message_ts: str | None = None
    posts: list[dict[str, Any]] = field(default_factory=list)


def apply_response(state: SlackState, hook: ResponseUrl, payload: dict[str, Any]) -> None:
    hook.posts.append(payload)
    ch = state.channels.get(hook.channel)
    original = ch.message(hook.message_ts) if ch and hook.message_ts else None
    if ch is not None and original is not None and payload.get("delete_original"):
        ch.messages.remove(original)
    elif original is not None and payload.get("replace_original"):
        original.text = payload.get("text", original.text)
        original.blocks = with_block_ids(payload.get("blocks", original.blocks))
        original.edited_ts = state.next_ts()
    elif ch is not None and payload.get("response_type") == "in_channel":
        bot = state.bot
        ch.messages.append(Message(ts=state.next_ts(), channel=ch.id, user=bot.id, text=payload.get("text", ""),
                                   blocks=with_block_ids(payload.get("blocks")), bot_id=bot.bot_id,
                                   app_id=bot.app_id, thread_ts=payload.get("thread_ts")))
    else:
        state.ephemerals.append(Ephemeral(state.next_ts(), hook.channel, hook.user, payload.get("text", ""),
                                          payload.get("blocks")))
