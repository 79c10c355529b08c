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

from . import events as ev
from . import payloads as pl
from .server import FakeSlack
from .state import Channel, Message, User, View

FORGERIES = frozenset({"bad_signature", "missing_signature", "missing_timestamp", "missing_headers", "stale"})
STALE_SECONDS = 6 * 60
ACK_DEADLINE_SECONDS = 3.0


def sign(secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
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


class SlackSender:
    def __init__(self, app_url: str, signing_secret: str, fake: FakeSlack, *, api_app_id: str | None = None) -> None:
        self.app_url = app_url
        self.signing_secret = signing_secret
        self.fake = fake
        self.api_app_id = api_app_id or fake.bot.app_id or "A0PODIUM1"
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> SlackSender:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # ----- the requests Slack sends
    async def slash_command(self, command: str, text: str = "", *, user: User | str, channel: Channel | str,
                            forge: str | None = None) -> AppResponse:
        """A slash command; its trigger_id is registered with the fake (views.open takes it for 3 s) and its
        response_url is served by the fake (what the app posts there lands in `fake.responses`)."""
        u, ch = self._user(user), self._channel(channel)
        form = pl.slash_command_form(
            self.fake.state, command=command, text=text, user=u, channel=ch, api_app_id=self.api_app_id,
            trigger_id=self.fake.issue_trigger(u.id),
            response_url=self.fake.new_response_url("commands", channel=ch.id, user=u.id))
        return await self.post(urlencode(form), "application/x-www-form-urlencoded", payload=form, forge=forge)

    async def block_action(self, action_id: str, *, user: User | str, message: Message | None = None,
                           view: View | None = None, value: Any = None, forge: str | None = None) -> AppResponse:
        """A click on the element `action_id` of a message the bot posted, or of a view it opened."""
        u = self._user(user)
        if message is not None:
            block_id, element = pl.find_element(message.blocks or [], action_id)
            response_url = self.fake.new_response_url("actions", channel=message.channel, user=u.id,
                                                      message_ts=message.ts)
            view_payload = None
        elif view is not None:
            block_id, element = pl.find_element(view.payload.get("blocks", []), action_id)
            response_url, view_payload = None, self._view_object(view)
        else:
            raise ValueError("a click happens in a message or in a view")
        payload = pl.block_actions(
            self.fake.state, action=pl.action_of(element, block_id, value=value), user=u,
            api_app_id=self.api_app_id, trigger_id=self.fake.issue_trigger(u.id), message=message,
            view=view_payload, response_url=response_url)
        return await self._interactive(payload, forge)

    async def view_submission(self, view: View, *, user: User | str, values: dict[str, Any],
                              forge: str | None = None) -> AppResponse:
        """Submit of the modal `view` with {action_id: value} typed into its inputs."""
        u = self._user(user)
        payload = pl.view_submission(self.fake.state, view=self._view_object(view),
                                     values=pl.input_values(view, values), user=u, api_app_id=self.api_app_id,
                                     trigger_id=self.fake.issue_trigger(u.id))
        response = await self._interactive(payload, forge)
        if response.status == 200 and not response.body:
            view.closed = True  # an empty ack closes the modal
        return response

    async def event(self, event: dict[str, Any], *, event_id: str | None = None,
                    forge: str | None = None) -> AppResponse:
        """An Events API `event_callback` wrapping `event` (build it with `tests.fakes.slack.events`)."""
        body = ev.envelope(self.fake.state, event, api_app_id=self.api_app_id,
                           event_id=event_id or ev.new_event_id(), event_time=int(self.fake.state.now()))
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
    async def post(self, body: str, content_type: str, *, payload: dict[str, Any] | None = None,
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
        async with self._session.post(self.app_url, data=body.encode(), headers=headers) as resp:
            text = await resp.text()
            elapsed = time.perf_counter() - started
            return AppResponse(resp.status, text, dict(resp.headers), elapsed, body, headers, payload or {})

    async def _interactive(self, payload: dict[str, Any], forge: str | None) -> AppResponse:
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded", payload=payload, forge=forge)

    def _user(self, user: User | str) -> User:
        return user if isinstance(user, User) else self.fake.state.users[user]

    def _channel(self, channel: Channel | str) -> Channel:
        return channel if isinstance(channel, Channel) else self.fake.state.channels[channel]

    def _view_object(self, view: View) -> dict[str, Any]:
        from .registry import Ctx
        from .views import view_object
        return view_object(Ctx(self.fake.state, {}, self.fake.bot), view)
