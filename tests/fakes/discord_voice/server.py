"""A loopback Discord voice server: the voice gateway (v8, over TLS) and the UDP media endpoint.

The fake Discord's VOICE_SERVER_UPDATE carries ``endpoint`` and ``token``; point it here with
``fake.voice_endpoint = voice.endpoint`` and ``fake.voice_token = voice.token``. The gateway answers as
Discord does (HELLO, READY with an SSRC, the port and the encryption modes offered, SESSION_DESCRIPTION with a
secret key and DAVE protocol version 0, heartbeat ACKs, RESUMED); the UDP side answers IP discovery and keeps
every RTP packet, decrypted with PyNaCl (aead_xchacha20_poly1305_rtpsize). ``audio()`` decodes them with libopus.
Members speak to a listening bot through speakers.py (``await voice.speak(user_id, pcm)``). Every voice session
gets a key of its own, as Discord's do, so a client that reconnects must take the new one.
"""

from __future__ import annotations

import asyncio
import json
import os
import struct
from dataclasses import dataclass, field
from typing import Any

import nacl.secret
from aiohttp import WSMsgType, web

from .speakers import Speakers
from .tls import Certificate

#: What Discord offers today; discord.py picks the first it supports.
MODES = ["aead_aes256_gcm_rtpsize", "aead_xchacha20_poly1305_rtpsize"]
HELLO, IDENTIFY, SELECT_PROTOCOL, READY, HEARTBEAT, SESSION_DESCRIPTION, SPEAKING = 8, 0, 1, 2, 3, 4, 5
HEARTBEAT_ACK, RESUME, RESUMED = 6, 7, 9


@dataclass(frozen=True, slots=True)
class Packet:
    ssrc: int
    sequence: int
    timestamp: int
    opus: bytes


@dataclass
class VoiceSession:
    ws: web.WebSocketResponse
    identify: dict[str, Any] | None = None
    mode: str | None = None
    resumed: bool = False
    speaking: list[int] = field(default_factory=list)
    address: tuple[str, int] | None = None  # the client's UDP address, as it selected the protocol
    key: bytes | None = None
    nonce: int = 0


class FakeVoiceServer(Speakers, asyncio.DatagramProtocol):
    def __init__(self, certificate: Certificate, *, token: str = "fake-voice-token") -> None:
        self.certificate, self.token = certificate, token
        self.key = os.urandom(32)  # the newest session's; older ones are kept for packets still in flight
        self._keys: list[bytes] = []
        self.members = {}
        self.deafened = lambda: False
        self.ssrc = 4242
        self.sessions: list[VoiceSession] = []
        self.packets: list[Packet] = []
        self.discoveries = 0
        self.violations: list[str] = []  # what discord.py sent that Discord would refuse
        self._runner: web.AppRunner | None = None
        self._udp: asyncio.DatagramTransport | None = None
        self.port = self.udp_port = 0
        self._arrived = asyncio.Event()

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def __aenter__(self) -> FakeVoiceServer:
        loop = asyncio.get_running_loop()
        self._udp, _ = await loop.create_datagram_endpoint(lambda: self, local_addr=("127.0.0.1", 0))
        self.udp_port = self._udp.get_extra_info("sockname")[1]
        app = web.Application()
        app.router.add_get("/", self._gateway)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self.certificate.server_context())
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for session in self.sessions:
            await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._udp is not None:
            self._udp.close()

    # ---- the voice gateway ----------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        if request.query.get("v") != "8":
            self.violations.append(f"voice gateway version {request.query.get('v')!r}")
        session = VoiceSession(ws)
        self.sessions.append(session)
        await self._send(ws, HELLO, {"heartbeat_interval": 1000.0})
        async for message in ws:
            if message.type is not WSMsgType.TEXT:
                continue
            payload = json.loads(message.data)
            await self._handle(session, payload["op"], payload.get("d"))
        return ws

    async def _handle(self, session: VoiceSession, op: int, data: Any) -> None:
        ws = session.ws
        if op == IDENTIFY:
            session.identify = data
            if data.get("token") != self.token:
                await ws.close(code=4004, message=b"Authentication failed")
                return
            await self._send(ws, READY, {"ssrc": self.ssrc, "ip": "127.0.0.1", "port": self.udp_port,
                                         "modes": MODES, "heartbeat_interval": 1})
        elif op == RESUME:
            session.resumed = True
            previous = next((s for s in reversed(self.sessions[:-1]) if s.key is not None), None)
            if previous is not None:  # a resumed session keeps its UDP address, key and SSRCs told
                session.address, session.key, session.nonce = previous.address, previous.key, previous.nonce
                for member in self.members.values():
                    if id(previous) in member.announced:
                        member.announced.add(id(session))
            await self._send(ws, RESUMED, None)
        elif op == SELECT_PROTOCOL:
            session.mode = data["data"]["mode"]
            if session.mode not in MODES:
                self.violations.append(f"encryption mode {session.mode!r} was not offered")
            session.address = (data["data"]["address"], int(data["data"]["port"]))
            if self._keys:
                self.key = os.urandom(32)
            self._keys.append(self.key)
            session.key = self.key
            await self._send(ws, SESSION_DESCRIPTION, {"mode": session.mode, "secret_key": list(self.key),
                                                       "dave_protocol_version": 0})
        elif op == HEARTBEAT:
            await self._send(ws, HEARTBEAT_ACK, {"t": data.get("t") if isinstance(data, dict) else data})
        elif op == SPEAKING:
            session.speaking.append(int(data["speaking"]))

    async def _send(self, ws: web.WebSocketResponse, op: int, data: Any) -> None:
        if not ws.closed:
            await ws.send_str(json.dumps({"op": op, "d": data}))

    async def drop(self, code: int = 4006) -> None:
        """The voice server closes the bot's voice websocket (4006: session no longer valid, 4015: crashed)."""
        for session in self.sessions:
            if not session.ws.closed:
                await session.ws.close(code=code)

    def current(self) -> VoiceSession | None:
        """The voice session a listening client has now (the newest one still open)."""
        return next((s for s in reversed(self.sessions) if not s.ws.closed and s.key is not None), None)

    # ---- the UDP endpoint -------------------------------------------------------------------------

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if len(data) == 74 and data[:2] == b"\x00\x01":
            self.discoveries += 1
            reply = bytearray(74)
            struct.pack_into(">HHI", reply, 0, 2, 70, struct.unpack_from(">I", data, 4)[0])
            reply[8:8 + len(addr[0])] = addr[0].encode("ascii")
            struct.pack_into(">H", reply, 72, addr[1])
            assert self._udp is not None
            self._udp.sendto(bytes(reply), addr)
        elif len(data) > 16 and data[0] & 0xC0 == 0x80 and data[1] & 0x7F == 0x78:
            self._rtp(data)

    def _rtp(self, data: bytes) -> None:
        header, sealed, counter = data[:12], data[12:-4], data[-4:]
        sequence, timestamp, ssrc = struct.unpack_from(">HII", data, 2)
        for key in reversed(self._keys or [self.key]):
            try:
                opus = nacl.secret.Aead(key).decrypt(sealed, header, counter + bytes(20))
                break
            except Exception:
                continue
        else:
            self.violations.append(f"RTP packet {sequence} does not decrypt")
            return
        self.packets.append(Packet(ssrc, sequence, timestamp, opus))
        self._arrived.set()

    # ---- what a test reads ------------------------------------------------------------------------

    def audio(self, since: int = 0) -> bytes:
        """The Opus frames received since packet ``since``, decoded to 48 kHz 16-bit stereo PCM."""
        from discord.opus import Decoder

        decoder = Decoder()
        return b"".join(decoder.decode(packet.opus) for packet in self.packets[since:])

    async def wait_for_silence(self, *, since: int, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Waits for packets after ``since`` and then for ``quiet`` seconds without any (the cue has ended)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.packets) <= since:
            if loop.time() > deadline:
                raise TimeoutError("no voice packet arrived")
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), max(0.01, deadline - loop.time()))
            except TimeoutError:
                pass
        while True:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), quiet)
            except TimeoutError:
                return
            if loop.time() > deadline:
                raise TimeoutError("voice packets kept arriving")
