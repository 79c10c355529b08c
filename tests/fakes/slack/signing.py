"""SlackSender: posts really signed requests to an app's Request URL, as Slack does.

Signature: `X-Slack-Signature: v0=` + hex HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`),
`X-Slack-Request-Timestamp: {unix seconds}`. Slash commands and interactivity are form posts
(interactivity as one `payload=` JSON field); Events API callbacks are JSON. Slack retries an event
it got no 2xx for within 3 s, with the same body (same event_id) and `X-Slack-Retry-Num` /
`X-Slack-Retry-Reason` headers.

`forge=` builds requests Slack never sends: "bad_signature", "missing_signature", "missing_timestamp",
"missing_headers", "stale" (timestamp 6 minutes old, correctly signed: a replay).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp

from . import payloads as pl
from .requests import SlackRequests
from .server import FakeSlack
from .state import Channel, Message, User, View

FORGERIES = frozenset({"bad_signature", "missing_signature", "missing_timestamp", "missing_headers", "stale"})
STALE_SECONDS = 6 * 60
ACK_DEADLINE_SECONDS = 3.0


def sign(secret: str, timestamp: str, body: str | bytes) -> str:
    base = f"v0:{timestamp}:".encode() + (body if isinstance(body, bytes) else body.encode())
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class AppResponse:
    status: int
    body: str
    headers: dict[str, str]
    ack_seconds: float  # from sending the request to the end of the app's response
    sent_body: str
    sent_headers: dict[str, str]
    payload: dict[str, Any] = field(default_factory=dict)  # what was sent, decoded

    @property
    def in_time(self) -> bool:
        """Acked within Slack's 3 s; later, Slack shows the user a timeout (commands, clicks) or retries
        the event with `X-Slack-Retry-Reason: http_timeout`. The sender itself waits up to 10 s."""
        return self.ack_seconds <= ACK_DEADLINE_SECONDS

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class SlackSender(SlackRequests):
    def __init__(self, app_url: str, signing_secret: str, fake: FakeSlack, *, api_app_id: str | None = None) -> None:
        super().__init__(fake, api_app_id=api_app_id)
        self.app_url = app_url
        self.signing_secret = signing_secret
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> SlackSender:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # ----- the requests Slack sends (what each one holds: SlackRequests)
    async def slash_command(self, command: str, text: str = "", *, user: User | str, channel: Channel | str,
                            forge: str | None = None) -> AppResponse:
        form = self.slash_command_form(command, text, user=user, channel=channel)
        return await self.post(urlencode(form), "application/x-www-form-urlencoded", payload=form, forge=forge)

    async def block_action(self, action_id: str, *, user: User | str, message: Message | None = None,
                           view: View | None = None, value: Any = None, forge: str | None = None) -> AppResponse:
        return await self._interactive(
            self.block_actions(action_id, user=user, message=message, view=view, value=value), forge)

    async def view_submission(self, view: View, *, user: User | str, values: dict[str, Any],
                              forge: str | None = None) -> AppResponse:
        response = await self._interactive(super().view_submission(view, user=user, values=values), forge)
        if response.status == 200 and not response.body:
            view.closed = True  # an empty ack closes the modal
        return response

    async def event(self, event: dict[str, Any], *, event_id: str | None = None,
                    forge: str | None = None) -> AppResponse:
        body = self.event_callback(event, event_id=event_id)
        return await self.post(json.dumps(body), "application/json", payload=body, forge=forge)

    async def retry(self, first: AppResponse, *, num: int = 1, reason: str = "http_timeout") -> AppResponse:
        """Slack's retry of an event delivery: same body and event_id, freshly signed, retry headers."""
        return await self.post(first.sent_body, "application/json", payload=first.payload,
                               extra_headers={"X-Slack-Retry-Num": str(num), "X-Slack-Retry-Reason": reason})

    async def url_verification(self, challenge: str = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
                               ) -> AppResponse:
        body = {"token": pl.VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        return await self.post(json.dumps(body), "application/json", payload=body)

    # ----- transport
    async def post(self, body: str | bytes, content_type: str, *, payload: dict[str, Any] | None = None,
                   forge: str | None = None, extra_headers: dict[str, str] | None = None) -> AppResponse:
        if forge is not None and forge not in FORGERIES:
            raise ValueError(f"forge must be one of {sorted(FORGERIES)}")
        timestamp = str(int(time.time()) - (STALE_SECONDS if forge == "stale" else 0))
        signature = sign(self.signing_secret, timestamp, body)
        if forge == "bad_signature":
            signature = sign(self.signing_secret + "-wrong", timestamp, body)
        headers = {"Content-Type": content_type, "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
                   "Accept": "application/json,*/*", "X-Slack-Request-Timestamp": timestamp,
                   "X-Slack-Signature": signature, **(extra_headers or {})}
        if forge in ("missing_signature", "missing_headers"):
            del headers["X-Slack-Signature"]
        if forge in ("missing_timestamp", "missing_headers"):
            del headers["X-Slack-Request-Timestamp"]
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        started = time.perf_counter()
        data = body if isinstance(body, bytes) else body.encode()
        async with self._session.post(self.app_url, data=data, headers=headers) as resp:
            text = await resp.text()
            elapsed = time.perf_counter() - started
            sent = body if isinstance(body, str) else body.decode("utf-8", "replace")
            return AppResponse(resp.status, text, dict(resp.headers), elapsed, sent, headers, payload or {})

    async def _interactive(self, payload: dict[str, Any], forge: str | None) -> AppResponse:
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded", payload=payload, forge=forge)
