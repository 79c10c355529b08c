"""discord.py's voice client, also listening: who speaks under which SSRC, and the packets that arrive.

discord.py 2.7 sends and connects but does not receive. It gives two seams this uses: a hook on every voice
gateway message (SPEAKING names a member's SSRC, CLIENT_DISCONNECT retires it) and socket listeners called from
its socket-reader thread with each datagram. Nothing here runs on the event loop for a packet.
(discord-ext-voice-recv was weighed: its last release predates discord.py 2.7, whose DAVE changes break it.)
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import discord
from discord.voice_state import VoiceConnectionState

log = logging.getLogger(__name__)

SPEAKING, CLIENT_DISCONNECT = 5, 13
MODE = "aead_xchacha20_poly1305_rtpsize"


class Sink(Protocol):
    def speaking(self, ssrc: int, user_id: str) -> None: ...

    def forget(self, user_id: str) -> None: ...

    def receive(self, data: bytes, key: bytes | None) -> None: ...


class ListeningVoiceClient(discord.VoiceClient):
    def __init__(self, client: discord.Client, channel: discord.abc.Connectable) -> None:
        self._sink: Sink | None = None
        self._sink_channel: int | None = None
        self._key_source: Any = None
        self._key: bytes | None = None
        super().__init__(client, channel)

    def create_connection_state(self) -> VoiceConnectionState:
        return VoiceConnectionState(self, hook=self._voice_message)

    def listen(self, sink: Sink, channel_id: int) -> None:
        """Hands ``sink`` what arrives while the bot is in ``channel_id`` (not after a moderator moved it)."""
        first = self._sink is None
        self._sink, self._sink_channel = sink, channel_id
        if first:
            self._connection.add_socket_listener(self._packet)

    def stop_listening(self) -> None:
        if self._sink is not None:
            self._connection.remove_socket_listener(self._packet)
        self._sink = None

    @property
    def listening_to(self) -> Sink | None:
        return self._sink

    async def _voice_message(self, ws: object, message: dict[str, Any]) -> None:
        sink, op, data = self._sink, message.get("op"), message.get("d") or {}
        if sink is None:
            return
        try:
            if op == SPEAKING and "ssrc" in data and "user_id" in data:
                sink.speaking(int(data["ssrc"]), str(data["user_id"]))
            elif op == CLIENT_DISCONNECT and "user_id" in data:
                sink.forget(str(data["user_id"]))
        except (TypeError, ValueError):
            log.warning("voice gateway sent a malformed op %s: %r", op, data)

    def _packet(self, data: bytes) -> None:  # discord.py's socket-reader thread
        sink, channel = self._sink, self.channel
        if sink is None or channel is None or channel.id != self._sink_channel:
            return
        sink.receive(data, self._secret())

    def _secret(self) -> bytes | None:
        connection = self._connection
        key = connection.secret_key
        if connection.mode != MODE or not isinstance(key, list):
            return None
        if key is not self._key_source:  # a new session brought a new key
            self._key_source, self._key = key, bytes(key)
        return self._key
