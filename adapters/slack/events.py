"""Events API: huddles, presence and App Home; every delivery acted on once.

Slack retries an event it thinks went unanswered (`X-Slack-Retry-Num`, the same `event_id`). The first
delivery claims its event_id in the shared inbox before anything is done; a retry finds it claimed and
is answered 200 without running any listener, in this process or another one on the same database.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt.response import BoltResponse

from adapters.slack import home
from adapters.slack.presence import Presence

if TYPE_CHECKING:
    from adapters.slack.adapter import SlackAdapter

log = logging.getLogger(__name__)


def register(bolt: Any, adapter: SlackAdapter) -> None:
    """Each event is worked on in a task of its own: bolt answers Slack once a listener returns
    (process_before_response), and an event is acknowledged at once, as Slack asks."""
    presence = Presence(adapter)

    @bolt.middleware
    async def once_per_event(body: dict[str, Any], next: Any) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id is not None:
            key = f"slack:{body.get('team_id', '')}:{event_id}"
            if not await adapter.app.inbox.first_time(key, adapter.app.clock.now()):
                log.info("slack event %s already handled; this delivery is a retry", event_id)
                return BoltResponse(status=200, body="")
        return await next()

    @bolt.event("message")
    async def message(event: dict[str, Any], body: dict[str, Any]) -> None:
        # Every message of the channels Podium is in arrives here; only huddle threads matter.
        team_id = body["team_id"]
        if event.get("subtype") == "huddle_thread" and "room" in event:
            adapter.spawn(_guard(presence.huddle_message(team_id, event["channel"], event), "huddle started"))
        elif event.get("subtype") == "message_changed":
            changed = event.get("message") or {}
            if changed.get("subtype") == "huddle_thread" and "room" in changed:
                adapter.spawn(_guard(presence.huddle_message(team_id, event["channel"], changed), "huddle changed"))

    @bolt.event("user_huddle_changed")
    async def user_huddle_changed(event: dict[str, Any], body: dict[str, Any]) -> None:
        adapter.spawn(_guard(presence.user_changed(body["team_id"], event["user"]), "user huddle changed"))

    @bolt.event("app_home_opened")
    async def app_home_opened(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab", "home") == "home":
            adapter.spawn(home.publish_quietly(adapter, body["team_id"], event["user"]))


async def _guard(work: Any, what: str) -> None:
    try:
        await work
    except Exception:  # one bad event must not stop the others
        log.exception("slack event (%s) failed", what)
