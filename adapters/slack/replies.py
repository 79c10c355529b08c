"""Answers to the member who acted, in their language, and the one place where an adapter hands work to
the core: a refusal becomes an ephemeral sentence, an unexpected failure is logged with its context and
answered with an apology, and the app goes on serving every other stage.

An answer means it is stored: Slack gets its ack once the work committed. Slack never redelivers an acked
command or click, so an ack sent earlier would lose the command for good if the bot died before the commit.
When the work cannot finish within Slack's patience (a slow Slack API call before the command), the raw
request is kept in the durable inbox first and then acked; a restarted bot works it through once.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from adapters.slack.directory import Directory
from adapters.slack.text import Say, sayer
from bot.domain.errors import StageError, Unexpected
from bot.i18n.message import Message
from bot.services.platform_state import RequestInbox

log = logging.getLogger(__name__)

Blocks = list[dict[str, Any]]
Send = Callable[[str, Blocks | None], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class Shaped:
    """A reply with markup, shaped once the reader's language is known: (text, blocks)."""

    build: Callable[[Say], tuple[str, Blocks | None]]


Outcome = Message | Shaped | None
Ack = Callable[[], Awaitable[object]]

ACK_WITHIN = 2.0  # seconds before the request is kept and acked anyway (Slack gives up at 3)
REPLAYED = "podium_replayed"  # set on a kept request's body when a restarted bot works it through


def with_note(reply: Message, *notes: str) -> Shaped:
    """The core's answer and, each on its own line, what Slack cannot do about it."""
    return Shaped(lambda say: ("\n".join([say(reply), *(say(Message(note)) for note in notes)]), None))


def request_key(body: dict[str, Any]) -> str:
    """One key per Slack request: its trigger_id when it has one, else a digest of what it says."""
    team = (body.get("team") or {}).get("id") if isinstance(body.get("team"), dict) else body.get("team_id")
    trigger = body.get("trigger_id") or hashlib.sha256(
        json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:40]
    return f"slack:{team or ''}:{trigger}"


class Replies:
    def __init__(self, *, client: Any, directory: Directory, inbox: RequestInbox, now: Callable[[], Any],
                 ack_within: float = ACK_WITHIN) -> None:
        self._client, self._directory, self._inbox, self._now = client, directory, inbox, now
        self.ack_within = ack_within
        self._working: set[asyncio.Future[Outcome]] = set()

    async def run(self, work: Callable[[], Awaitable[Outcome]], *, send: Send, team_id: str, user_id: str,
                  what: str, ack: Ack | None = None, request: dict[str, Any] | None = None) -> None:
        """Runs `work`, acks once it committed (or once `request` is kept), and answers `user_id` through
        `send` with its outcome."""
        task = asyncio.ensure_future(self._outcome(work, team_id=team_id, user_id=user_id, what=what))
        self._working.add(task)
        task.add_done_callback(self._working.discard)
        replayed = (request or {}).get(REPLAYED)
        kept: str | None = None
        if ack is not None:
            if replayed is None:
                done, _ = await asyncio.wait({task}, timeout=self.ack_within)
                if not done and request is not None:
                    kept = request_key(request)
                    await self._inbox.keep(kept, "slack", request, self._now())
            await ack()
        outcome = await task
        for key in (kept, replayed):
            if key is not None:
                await self._inbox.done(key)
        await self._answer(outcome, send=send, team_id=team_id, user_id=user_id, what=what)

    def abandon(self) -> None:
        """Drops the work still running (a stop): requests it was kept for stay in the inbox."""
        for task in list(self._working):
            task.cancel()

    async def _outcome(self, work: Callable[[], Awaitable[Outcome]], *, team_id: str, user_id: str,
                       what: str) -> Outcome:
        try:
            return await work()
        except StageError as refusal:
            return Message(refusal.message, refusal.params)
        except Exception:
            log.exception("slack: %s by %s in team %s failed", what, user_id, team_id)
            return Message(Unexpected.message)

    async def _answer(self, outcome: Outcome, *, send: Send, team_id: str, user_id: str, what: str) -> None:
        if outcome is None:
            return
        try:
            say = sayer(await self._directory.locale(team_id, user_id))
            text, blocks = (say(outcome), None) if isinstance(outcome, Message) else outcome.build(say)
            await send(text, blocks)
        except Exception:
            log.exception("slack: answering %s to %s failed", what, user_id)

    def by_response_url(self, respond: Any) -> Send:
        """Slash commands and clicks in messages: the response_url shows the answer to the member only."""
        async def send(text: str, blocks: Blocks | None) -> None:
            await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
        return send

    def in_channel(self, channel_id: str | None, user_id: str, thread_ts: str | None = None) -> Send:
        """Modals and App Home have no response_url: an ephemeral in the stage's channel, or a direct
        message when the member is not in that channel."""
        async def send(text: str, blocks: Blocks | None) -> None:
            content: dict[str, Any] = {"text": text, **({"blocks": blocks} if blocks else {})}
            if channel_id:
                try:
                    await self._client.chat_postEphemeral(channel=channel_id, user=user_id, **content,
                                                          **({"thread_ts": thread_ts} if thread_ts else {}))
                    return
                except SlackApiError as error:
                    if error.response.get("error") not in ("user_not_in_channel", "channel_not_found",
                                                           "not_in_channel"):
                        raise
            await self._client.chat_postMessage(channel=user_id, **content)
        return send
