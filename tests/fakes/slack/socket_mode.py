"""Socket Mode: `apps.connections.open` and the WebSocket it hands out, as slack_sdk's client meets them.

- `apps.connections.open` takes an app-level token (`xapp-...`) and answers a `ws://` URL with a ticket
  that opens one connection, once. A bot or user token is refused `not_allowed_token_type` (the server
  refuses an app-level token on every other method the same way). The vendored API description lacks the
  method; it takes no argument but the token.
- The WebSocket says `hello` (open connections, debug_info, connection_info.app_id), then carries
  envelopes `{"envelope_id", "type": "slash_commands" | "interactive" | "events_api", "payload",
  "accepts_response_payload"}` (events also `retry_attempt`, `retry_reason`). The app acks each with
  `{"envelope_id": ...}`, plus a `payload` where one is accepted; Slack wants it within 3 s.
- Slack ends connections on its own, and a client must open a new one with apps.connections.open:
  `refresh()` sends `{"type": "disconnect", "reason": "refresh_requested"}` and closes the old connection
  once the client has a new one; `drop()` closes with no warning; `cut()` loses the TCP connection without
  a close frame, which a client notices only by its pings (slack_sdk checks every `ping_interval`).

The test sends envelopes with `SocketSender` (socket_sender.py); `fake.socket` records what happened.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from .registry import Ctx, method
from .state import SlackState

ACK_DEADLINE_SECONDS = 3.0
HOST = "applink-fake-0"  # Slack names the server behind the link in debug_info


@method("apps.connections.open", app_level=True)
def connections_open(ctx: Ctx) -> dict[str, Any]:
    ws_origin = "ws" + ctx.origin.removeprefix("http")
    return {"url": f"{ws_origin}/link/?ticket={ctx.state.issue_ticket()}&app_id={ctx.state.bot.app_id}"}


@dataclass
class Connection:
    number: int  # 1 for the first connection the fake accepted, and so on
    ws: web.WebSocketResponse
    transport: Any
    closed: bool = False


@dataclass
class Delivery:
    """One envelope sent to the app, and its ack."""

    envelope: dict[str, Any]
    connection: int  # the number of the connection it went out on
    sent_at: float  # time.perf_counter()
    ack: dict[str, Any] | None = None
    ack_seconds: float | None = None

    @property
    def envelope_id(self) -> str:
        return self.envelope["envelope_id"]

    @property
    def payload(self) -> dict[str, Any]:
        """What was delivered: the content Slack would POST over HTTP, as a JSON object."""
        return self.envelope["payload"]

    @property
    def in_time(self) -> bool:
        return self.ack_seconds is not None and self.ack_seconds <= ACK_DEADLINE_SECONDS

    @property
    def response(self) -> dict[str, Any] | None:
        """The ack's payload: a command's visible answer, a view_submission's response_action."""
        return (self.ack or {}).get("payload")


class SocketMode:
    def __init__(self, state: SlackState) -> None:
        self.state = state
        self.connections: list[Connection] = []  # every connection accepted, in order
        self.deliveries: list[Delivery] = []
        self.refused_tickets: list[str] = []
        self.stray_frames: list[str] = []  # frames from the app that ack nothing the fake sent
        self._changed = asyncio.Condition()

    # ----- the endpoint
    async def serve(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self.state.tickets:
            # A ticket is spent by its first connection; anything else never gets a WebSocket.
            self.refused_tickets.append(ticket)
            return web.Response(status=401, text="invalid_ticket")
        self.state.tickets.discard(ticket)
        ws = web.WebSocketResponse()  # autoping: answers the client's pings with pongs, as Slack does
        await ws.prepare(request)
        conn = Connection(len(self.connections) + 1, ws, request.transport)
        self.connections.append(conn)
        started = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(self.state.now()))
        await ws.send_json({"type": "hello", "num_connections": len(self.open_connections),
                            "debug_info": {"host": HOST, "started": started, "build_number": 1,
                                           "approximate_connection_time": 18060},
                            "connection_info": {"app_id": self.state.bot.app_id}})
        await self._notify()
        try:
            async for frame in ws:
                if frame.type == WSMsgType.TEXT and self._acked(frame.data):
                    await self._notify()
        finally:
            conn.closed = True
            await self._notify()
        return ws

    def _acked(self, text: str) -> bool:
        try:
            ack = json.loads(text)
        except ValueError:
            ack = None
        delivery = next((d for d in self.deliveries if isinstance(ack, dict)
                         and d.envelope_id == ack.get("envelope_id") and d.ack is None), None)
        if delivery is None:
            self.stray_frames.append(text)
            return False
        delivery.ack, delivery.ack_seconds = ack, time.perf_counter() - delivery.sent_at
        return True

    # ----- what a test does
    @property
    def open_connections(self) -> list[Connection]:
        return [c for c in self.connections if not c.closed]

    async def wait_open(self, *, count: int = 1, timeout: float = 5.0) -> Connection:
        """The newest open connection, once the fake has accepted at least `count` connections in all."""
        if not await self._until(lambda: len(self.connections) >= count and bool(self.open_connections), timeout):
            raise AssertionError(f"Socket Mode: no connection #{count} within {timeout} s; connections (number, "
                                 f"closed): {[(c.number, c.closed) for c in self.connections]}")
        return self.open_connections[-1]

    async def deliver(self, kind: str, payload: Any, *, accepts_response_payload: bool,
                      retry_attempt: int | None = None, retry_reason: str = "", timeout: float = 5.0) -> Delivery:
        """Sends one envelope on the newest connection and waits up to `timeout` for its ack (an envelope the
        app never acks comes back with `ack` None)."""
        conn = await self.wait_open(timeout=timeout)
        envelope: dict[str, Any] = {"envelope_id": str(uuid.uuid4()), "type": kind, "payload": payload,
                                    "accepts_response_payload": accepts_response_payload}
        if retry_attempt is not None:
            envelope.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
        delivery = Delivery(envelope, conn.number, time.perf_counter())
        self.deliveries.append(delivery)
        await conn.ws.send_str(json.dumps(envelope))
        await self._until(lambda: delivery.ack is not None, timeout)
        return delivery

    async def send_raw(self, frame: str, *, timeout: float = 5.0) -> None:
        """Sends a frame as it is, whatever it holds (not JSON, an envelope without an id, a payload that is not
        an object): what a broken or hostile link could carry. Nothing waits for an ack; `deliveries` holds only
        well-formed envelopes, so such a frame's ack would show up in `stray_frames`."""
        conn = await self.wait_open(timeout=timeout)
        await conn.ws.send_str(frame)

    async def refresh(self, reason: str = "refresh_requested", *, timeout: float = 10.0) -> Connection:
        """Slack's routine recycling: a disconnect message; the client opens a new connection, then Slack
        closes the old one. Returns the new connection."""
        old = await self.wait_open()
        await old.ws.send_json({"type": "disconnect", "reason": reason, "debug_info": {"host": HOST}})
        new = await self.wait_open(count=old.number + 1, timeout=timeout)
        if not old.ws.closed:
            await old.ws.close(code=WSCloseCode.GOING_AWAY)
        return new

    async def drop(self, *, timeout: float = 10.0) -> Connection:
        """The connection closed by Slack with no disconnect message first (a close frame, going away)."""
        old = await self.wait_open()
        await old.ws.close(code=WSCloseCode.GOING_AWAY)
        return await self.wait_open(count=old.number + 1, timeout=timeout)

    async def cut(self, *, timeout: float = 15.0) -> Connection:
        """The TCP connection lost without a close frame, as a network failure loses it."""
        old = await self.wait_open()
        old.transport.abort()
        return await self.wait_open(count=old.number + 1, timeout=timeout)

    async def close(self) -> None:
        """Closes every connection (the fake is stopping), so that the server's shutdown does not wait on them."""
        for conn in self.open_connections:
            await conn.ws.close(code=WSCloseCode.GOING_AWAY)

    # ----- waiting
    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _until(self, condition: Callable[[], bool], timeout: float) -> bool:
        try:
            async with self._changed:
                await asyncio.wait_for(self._changed.wait_for(condition), timeout)
        except TimeoutError:
            return False
        return True
