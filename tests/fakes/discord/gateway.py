"""The gateway: HELLO, IDENTIFY→READY+GUILD_CREATE, heartbeats, RESUME with replay, shards.

discord.py connects to ``DEFAULT_GATEWAY`` with ``?v=10&encoding=json&compress=
zlib-stream`` (``zstd-stream`` if the ``zstandard`` module is importable); with
zlib-stream every frame is one shared zlib stream flushed with Z_SYNC_FLUSH
and sent as a binary message. Sessions outlive connections: dispatches sent
while a client is away are buffered and replayed on RESUME.

Shards as Discord routes them: an IDENTIFY carries ``shard: [id, count]`` (``[0, 1]`` when absent); a guild
belongs to shard ``(guild_id >> 22) % count`` and its events reach only that shard's sessions, direct messages
only shard 0's. An invalid pair closes with 4010; a shard that would hold more than ``max_guilds_per_shard``
guilds closes with 4011 (sharding required). A shard identified twice is served to both sessions, as Discord
does, so a duplicated shard shows up as double handling.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from aiohttp import WSMsgType, web

from .rest_core import application_flags

if TYPE_CHECKING:
    from .server import FakeDiscord

GUILDS, GUILD_MEMBERS, GUILD_VOICE_STATES = 1 << 0, 1 << 1, 1 << 7
GUILD_MESSAGES, DIRECT_MESSAGES, MESSAGE_CONTENT, GUILD_SCHEDULED_EVENTS = 1 << 9, 1 << 12, 1 << 15, 1 << 16

_EVENT_INTENTS = {
    "CHANNEL_CREATE": GUILDS, "CHANNEL_UPDATE": GUILDS, "CHANNEL_DELETE": GUILDS,
    "GUILD_UPDATE": GUILDS, "GUILD_ROLE_CREATE": GUILDS, "GUILD_ROLE_UPDATE": GUILDS,
    "STAGE_INSTANCE_CREATE": GUILDS, "STAGE_INSTANCE_UPDATE": GUILDS, "STAGE_INSTANCE_DELETE": GUILDS,
    "GUILD_MEMBER_ADD": GUILD_MEMBERS, "GUILD_MEMBER_UPDATE": GUILD_MEMBERS, "GUILD_MEMBER_REMOVE": GUILD_MEMBERS,
    "VOICE_STATE_UPDATE": GUILD_VOICE_STATES,
    "GUILD_SCHEDULED_EVENT_CREATE": GUILD_SCHEDULED_EVENTS, "GUILD_SCHEDULED_EVENT_UPDATE": GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_DELETE": GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_USER_ADD": GUILD_SCHEDULED_EVENTS, "GUILD_SCHEDULED_EVENT_USER_REMOVE": GUILD_SCHEDULED_EVENTS,
}


def needed_intent(event: str, data: dict[str, Any]) -> int:
    if event.startswith("MESSAGE_"):
        return GUILD_MESSAGES if data.get("guild_id") else DIRECT_MESSAGES
    return _EVENT_INTENTS.get(event, 0)


def shard_of(guild_id: int, count: int) -> int:
    return (guild_id >> 22) % count


def guild_of(event: str, data: dict[str, Any]) -> int | None:
    """The guild an event belongs to (``None``: a direct message or a user-level event)."""
    if data.get("guild_id"):
        return int(data["guild_id"])
    if event in ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE") and data.get("id"):
        return int(data["id"])
    return None


@dataclass
class Session:
    id: str
    intents: int
    shard: tuple[int, int] = (0, 1)
    seq: int = 0
    buffer: list[dict[str, Any]] = field(default_factory=list)
    queue: asyncio.Queue[Any] | None = None
    resumes: int = 0
    replayed: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)  # frames the client sent


class GatewayHub:
    def __init__(self, fake: FakeDiscord, heartbeat_interval_ms: int) -> None:
        self.fake = fake
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.sessions: dict[str, Session] = {}
        self.connections: list[web.WebSocketResponse] = []
        self.connect_paths: list[str] = []
        self.connect_queries: list[dict[str, str]] = []
        self.identifies = 0
        self.invalid_sessions = 0
        self.max_guilds_per_shard = 2500  # Discord's limit per shard
        self.max_concurrency = 1  # identifies allowed per 5 s bucket (session_start_limit.max_concurrency)
        self._open = asyncio.Event()
        self._open.set()

    # -- dispatch -----------------------------------------------------------
    def dispatch(self, event: str, data: dict[str, Any], *, transform: Callable[[Session, dict], dict] | None = None) -> None:
        intent = needed_intent(event, data)
        guild = guild_of(event, data)
        for session in list(self.sessions.values()):
            if intent and not session.intents & intent:
                continue
            if not self.owns(session, guild):
                continue
            payload = transform(session, data) if transform else data
            self._send_dispatch(session, event, payload)

    @staticmethod
    def owns(session: Session, guild: int | None) -> bool:
        shard, count = session.shard
        return shard == 0 if guild is None else shard_of(guild, count) == shard

    def sessions_of(self, guild: int) -> list[Session]:
        """The sessions that receive ``guild``'s events (two if its shard was opened twice)."""
        return [s for s in self.sessions.values() if self.owns(s, guild)]

    def _send_dispatch(self, session: Session, event: str, data: dict[str, Any]) -> None:
        session.seq += 1
        frame = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.buffer.append(frame)
        if session.queue is not None:
            session.queue.put_nowait(frame)

    # -- outages ------------------------------------------------------------------
    async def drop(self, code: int | None = 4000) -> None:
        """Close every live connection (``code=None`` aborts the transport)."""
        for ws in list(self.connections):
            if code is None:
                transport = ws._req.transport if ws._req is not None else None  # noqa: SLF001
                if transport is not None:
                    transport.abort()
            else:
                await ws.close(code=code, message=b"fake gateway drop")

    def hold(self) -> None:
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    # -- the websocket ----------------------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        self.connect_paths.append(request.path)
        self.connect_queries.append(dict(request.query))
        await self._open.wait()
        compress = request.query.get("compress")
        if compress not in (None, "zlib-stream", "zstd-stream"):
            await ws.close(code=4000, message=b"unknown compression")
            return ws
        encoder = _encoder(compress)
        queue: asyncio.Queue[Any] = asyncio.Queue()
        self.connections.append(ws)
        sender = asyncio.create_task(self._sender(ws, queue, encoder))
        session: Session | None = None
        queue.put_nowait({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}, "s": None, "t": None})
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                op, data = frame.get("op"), frame.get("d")
                if session is not None:
                    session.received.append(frame)
                if op == 1:
                    queue.put_nowait({"op": 11, "d": None, "s": None, "t": None})
                elif op == 2:
                    session = await self._identify(ws, queue, data)
                elif op == 6:
                    session = self._resume(queue, data)
                elif op in (4, 8) and session is not None:
                    try:
                        if op == 4:
                            self.fake.gateway_voice_state(session, data)
                        else:
                            self._request_members(session, data)
                    except Exception as exc:  # a bug in the fake, reported at teardown
                        self.fake.internal_errors.append(f"gateway op {op} {data!r}: {exc!r}")
        finally:
            if session is not None and session.queue is queue:
                session.queue = None
            if ws in self.connections:
                self.connections.remove(ws)
            queue.put_nowait(None)
            await sender
        return ws

    async def _sender(self, ws: web.WebSocketResponse, queue: asyncio.Queue[Any], encoder: Callable[[str], Any]) -> None:
        while True:
            frame = await queue.get()
            if frame is None or ws.closed:
                return
            if isinstance(frame, tuple):  # ("close", code)
                await ws.close(code=frame[1])
                return
            encoded = encoder(json.dumps(frame, separators=(",", ":")))
            try:
                if isinstance(encoded, bytes):
                    await ws.send_bytes(encoded)
                else:
                    await ws.send_str(encoded)
            except (ConnectionResetError, RuntimeError):
                return

    async def _identify(self, ws: web.WebSocketResponse, queue: asyncio.Queue[Any], data: dict[str, Any]) -> Session | None:
        if data.get("token") != self.fake.store.token:
            queue.put_nowait(("close", 4004))
            return None
        wanted = int(data.get("intents", 0))
        if wanted & GUILD_MEMBERS and "members" not in self.fake.store.privileged_intents:
            queue.put_nowait(("close", 4014))  # Disallowed intent(s)
            return None
        shard = _shard(data.get("shard"))
        if shard is None:
            queue.put_nowait(("close", 4010))  # Invalid shard
            return None
        store = self.fake.store
        if sum(1 for g in store.guilds if shard_of(g, shard[1]) == shard[0]) > self.max_guilds_per_shard:
            queue.put_nowait(("close", 4011))  # Sharding required
            return None
        self.identifies += 1
        session = Session(secrets.token_hex(16), wanted, shard)
        self.sessions[session.id] = session
        session.queue = queue
        mine = [g for g in store.guilds.values() if self.owns(session, g.id)]
        ready = {
            "v": 10,
            "user": {**store.bot.payload(), "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in mine],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.fake.resume_gateway_url,
            "private_channels": [],
            "presences": [],
            "relationships": [],
            "application": {"id": str(store.application_id), "flags": application_flags(store)},
        }
        if "shard" in data:
            ready["shard"] = data["shard"]
        self._send_dispatch(session, "READY", ready)
        for guild in mine:
            self._send_dispatch(session, "GUILD_CREATE", guild.payload(members=self._visible_members(session, guild)))
        return session

    def _visible_members(self, session: Session, guild: Any) -> list[Any]:
        if session.intents & GUILD_MEMBERS:
            return list(guild.members.values())
        in_voice = {v.user_id for v in guild.voice_states.values() if v.channel_id is not None}
        return [m for uid, m in guild.members.items() if uid == self.fake.store.bot.id or uid in in_voice]

    def _resume(self, queue: asyncio.Queue[Any], data: dict[str, Any]) -> Session | None:
        session = self.sessions.get(data.get("session_id") or "")
        if session is None or data.get("token") != self.fake.store.token:
            self.invalid_sessions += 1
            queue.put_nowait({"op": 9, "d": False, "s": None, "t": None})
            return None
        since = data.get("seq") or 0
        missed = [f for f in session.buffer if f["s"] > since]
        for frame in missed:
            queue.put_nowait(frame)
        session.replayed += len(missed)
        session.resumes += 1
        session.queue = queue
        self._send_dispatch(session, "RESUMED", {})
        return session

    def _request_members(self, session: Session, data: dict[str, Any]) -> None:
        guild = self.fake.store.guilds.get(int(data["guild_id"]))
        if guild is None:
            return
        members = list(guild.members.values())
        if data.get("user_ids"):
            wanted = {int(u) for u in data["user_ids"]}
            members = [m for m in members if m.user.id in wanted]
        elif data.get("query"):
            members = [m for m in members if m.user.username.startswith(data["query"])]
        limit = data.get("limit") or 0
        if limit:
            members = members[:limit]
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [m.payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        self._send_dispatch(session, "GUILD_MEMBERS_CHUNK", chunk)


def _shard(value: Any) -> tuple[int, int] | None:
    if value is None:
        return (0, 1)
    if (not isinstance(value, list) or len(value) != 2 or not all(type(v) is int for v in value)
            or not 0 <= value[0] < value[1]):
        return None
    return (value[0], value[1])


def _encoder(compress: str | None) -> Callable[[str], Any]:
    if compress == "zlib-stream":
        stream = zlib.compressobj()
        return lambda text: stream.compress(text.encode()) + stream.flush(zlib.Z_SYNC_FLUSH)
    if compress == "zstd-stream":
        import zstandard  # discord.py only asks for zstd when it can import it

        stream = zstandard.ZstdCompressor().compressobj()
        return lambda text: stream.compress(text.encode()) + stream.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)
    return lambda text: text
