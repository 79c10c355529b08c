"""Posts that a retry never repeats.

Every message Podium posts for a platform effect carries Slack message metadata naming it (the effect's
id from the outbox, or for a board the stage it shows). When the effect may already have reached Slack (a
retry after a timeout or a 5xx, or the first delivery after a restart), the conversation is searched for
that tag first and the message found is taken for the post; so a kill between Slack's answer and the outbox
mark repeats nothing a member can see.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.services.effects import current

log = logging.getLogger(__name__)

EVENT_TYPE = "podium_post"
SEARCHED = 200  # messages back in the conversation; an effect retried after a restart is recent


def tag(**marker: str) -> dict[str, Any]:
    return {"event_type": EVENT_TYPE, "event_payload": marker}


def effect_marker() -> dict[str, str] | None:
    delivery = current()
    return {"effect": delivery.id} if delivery is not None else None


def may_be_done() -> bool:
    delivery = current()
    return delivery is not None and delivery.maybe_done


async def post_once(client: Any, *, channel: str, marker: dict[str, str] | None = None, search: bool | None = None,
                    **content: Any) -> str:
    """chat.postMessage unless the message is already there; its ts."""
    marker = marker or effect_marker()
    if marker is not None:
        content["metadata"] = tag(**marker)
        if search if search is not None else may_be_done():
            found = await find(client, channel=channel, thread_ts=content.get("thread_ts"), marker=marker)
            if found is not None:
                log.info("slack: %s was posted already (%s); not posted again", marker, found)
                return found
    return str((await client.chat_postMessage(channel=channel, **content))["ts"])


async def find(client: Any, *, channel: str, marker: dict[str, str], thread_ts: str | None = None) -> str | None:
    """The ts of the newest message in the conversation (or thread) tagged with `marker`."""
    try:
        if channel.startswith(("U", "W")):  # a direct message: history lives in the IM's own id
            channel = (await client.conversations_open(users=channel))["channel"]["id"]
        if thread_ts:
            found = await client.conversations_replies(channel=channel, ts=thread_ts, limit=SEARCHED,
                                                       include_all_metadata=True)
        else:
            found = await client.conversations_history(channel=channel, limit=SEARCHED, include_all_metadata=True)
    except SlackApiError as error:
        if error.response.get("error") in ("channel_not_found", "not_in_channel", "thread_not_found"):
            return None
        raise
    for message in found.get("messages", []):
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if metadata.get("event_type") == EVENT_TYPE and all(payload.get(k) == v for k, v in marker.items()):
            return str(message["ts"])
    return None
