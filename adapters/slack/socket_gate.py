"""Slack's requests over Socket Mode, checked as the HTTP gate checks them (gate.py) before bolt reads them.

The link is authenticated when it opens (an app-level token), so there is no signature to check; what is left
is the shape. slack_sdk parses each frame itself and logs a traceback for one that is not JSON, passes frames
without an envelope on silently, and bolt leaves an envelope it could not route (404) or whose listener failed
(500) without an ack, so Slack shows the member a timeout. Here a frame that is no envelope is dropped with one
log line; an envelope Podium cannot act on is acked with one log line and, where Slack shows the ack's
payload, the same localized refusal as over HTTP. The socket loop itself never sees an exception.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from slack_bolt.adapter.socket_mode.async_base_handler import AsyncBaseSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import send_async_response
from slack_bolt.adapter.socket_mode.internals import build_headers
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.gate import problem, reason, refused, unanswered

log = logging.getLogger(__name__)

ENVELOPES = frozenset({"slash_commands", "interactive", "events_api"})
_LINK = frozenset({"hello", "disconnect"})  # the link's own messages, which slack_sdk handles


def envelope_of(raw: str) -> dict[str, Any] | None:
    """The message a frame carries, or None (logged once) when it is neither an envelope nor the link's own."""
    try:
        message = json.loads(raw)
    except ValueError:
        message = None
    kind = message.get("type") if isinstance(message, dict) else None
    if kind in _LINK:
        return message  # type: ignore[return-value]
    if kind in ENVELOPES and isinstance(message, dict) and isinstance(message.get("envelope_id"), str) \
            and message["envelope_id"] and "payload" in message:
        return message
    log.warning("slack: dropped a Socket Mode frame that is no envelope (%d characters, type %.40r)", len(raw),
                kind if isinstance(kind, str) else type(message).__name__)
    return None


class GatedSocketModeClient(SocketModeClient):
    async def process_message(self) -> None:
        raw = await self.message_queue.get()
        if raw is None:
            return
        message = envelope_of(raw)
        if message is not None and message.get("type") in ENVELOPES and not isinstance(message["payload"], dict):
            # slack_sdk would raise on it (or take a string for text): acked, so Slack does not send it again.
            log.warning("slack: refused a Socket Mode %s envelope that cannot be read: a payload that is not an "
                        "object", message["type"])
            await self.send_socket_mode_response(SocketModeResponse(envelope_id=message["envelope_id"]))
        elif message is not None:
            # As slack_sdk does: listeners run on their own, so a slow one does not hold up the next frame.
            task = asyncio.ensure_future(self.run_message_listeners(message, raw))
            _running.add(task)
            task.add_done_callback(_running.discard)


_running: set[asyncio.Future[None]] = set()


class GatedSocketModeHandler(AsyncBaseSocketModeHandler):
    """bolt's AsyncSocketModeHandler, with the checks above around its dispatch."""

    app: AsyncApp
    client: GatedSocketModeClient

    def __init__(self, app: AsyncApp, app_token: str, *, web_client: AsyncWebClient,
                 locale: Callable[[], str]) -> None:
        self.app, self.app_token, self._locale = app, app_token, locale
        link = self.client = GatedSocketModeClient(app_token=app_token, logger=app.logger, web_client=web_client)
        link.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]

    async def handle(self, link: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        started = time.time()
        found = problem(req.payload)
        if found is None:
            try:  # bolt reads who and where as it builds the request: a shape it cannot read is refused here
                request = AsyncBoltRequest(mode="socket_mode", body=req.payload, headers=build_headers(req))
            except Exception as error:
                found = reason(error)
        if found is not None:
            log.warning("slack: refused a Socket Mode %s envelope that cannot be read: %s", req.type, found)
            await self._refuse(link, req)
            return
        answer = await self.app.async_dispatch(request)
        if unanswered(answer.status, event=req.type == "events_api"):
            await self._refuse(link, req)
            return
        await send_async_response(link, req, answer, started)

    async def _refuse(self, link: SocketModeClient, req: SocketModeRequest) -> None:
        payload = refused(self._locale()) if req.accepts_response_payload and req.type != "events_api" else None
        await link.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id, payload=payload))
