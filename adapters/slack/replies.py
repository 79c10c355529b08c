"""Answers to the member who acted, in their language, and the one place where an adapter hands work to
the core: a refusal becomes an ephemeral sentence, an unexpected failure is logged with its context and
answered with an apology, and the app goes on serving every other stage.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from adapters.slack.directory import Directory
from adapters.slack.text import Say, sayer
from bot.domain.errors import StageError, Unexpected
from bot.i18n.message import Message

log = logging.getLogger(__name__)

Blocks = list[dict[str, Any]]
Send = Callable[[str, Blocks | None], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class Shaped:
    """A reply with markup, shaped once the reader's language is known: (text, blocks)."""

    build: Callable[[Say], tuple[str, Blocks | None]]


Outcome = Message | Shaped | None


def with_note(reply: Message, note: str) -> Shaped:
    """The core's answer and, on its own line, what Slack cannot do about it."""
    return Shaped(lambda say: (say(reply) + "\n" + say(Message(note)), None))


class Replies:
    def __init__(self, *, client: Any, directory: Directory) -> None:
        self._client, self._directory = client, directory

    async def run(self, work: Callable[[], Awaitable[Outcome]], *, send: Send, team_id: str, user_id: str,
                  what: str) -> None:
        """Runs `work` (after the ack) and answers `user_id` through `send` with its outcome."""
        try:
            outcome = await work()
        except StageError as refusal:
            outcome = Message(refusal.message, refusal.params)
        except Exception:
            log.exception("slack: %s by %s in team %s failed", what, user_id, team_id)
            outcome = Message(Unexpected.message)
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
