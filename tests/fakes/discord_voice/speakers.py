"""Members speaking on the fake voice server: what Discord sends a listening client.

Each member has an SSRC; before its first packet in a voice session the server sends SPEAKING (op 5) with the
member's user id, as Discord does. Packets are 20 ms Opus frames (libopus), RTP with a header extension, sealed
with the session's key in aead_xchacha20_poly1305_rtpsize (header and extension preamble in clear as additional
data, a 32-bit nonce counter at the end), paced in real time. A test can lose or swap packets, stop sending during
silence (after the five silence frames clients send), and a deafened bot receives nothing.
"""

from __future__ import annotations

import asyncio
import random
import struct
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import nacl.secret

if TYPE_CHECKING:
    from .server import FakeVoiceServer

RATE = 48_000
FRAME = 960
FRAME_BYTES = FRAME * 4  # 16-bit stereo
SILENCE = b"\xf8\xff\xfe"  # Opus silence frame, sent five times when a client stops talking
SPEAKING = 5
CLIENT_DISCONNECT = 13


@dataclass
class Member:
    user_id: int
    ssrc: int
    timestamp: int = field(default_factory=lambda: random.randrange(2**32))
    sequence: int = field(default_factory=lambda: random.randrange(2**16))
    clock_start: float | None = None  # loop time of timestamp's origin: the RTP clock follows the wall clock
    announced: set[int] = field(default_factory=set)  # sessions told its SSRC (id of the session object)
    sent: int = 0
    lost: int = 0
    frames: list[bytes] = field(default_factory=list)  # every Opus frame sent: tests look for them on disk


class Speakers:
    """Mixed into FakeVoiceServer."""

    members: dict[int, Member]
    deafened: Callable[[], bool]  # whether the listening bot is self-deafened (then Discord sends it nothing)

    def member(self: FakeVoiceServer, user_id: int) -> Member:
        if user_id not in self.members:
            self.members[user_id] = Member(user_id, ssrc=10_000 + len(self.members))
        return self.members[user_id]

    async def speak(self: FakeVoiceServer, user_id: int, pcm: bytes, *, lose: Collection[int] = (),
                    swap: Collection[int] = (), silence: bool = True) -> float:
        """Sends ``pcm`` (48 kHz 16-bit stereo) as ``user_id``, one frame every 20 ms. ``lose``: frame numbers
        never sent; ``swap``: frame numbers sent after the next one. Returns, after the last packet, the loop
        time the first frame was due (when the member started talking)."""
        from discord.opus import Encoder

        member, encoder = self.member(user_id), Encoder()
        loop = asyncio.get_running_loop()
        if member.clock_start is None:
            member.clock_start = loop.time()
        pcm = pcm + bytes(-len(pcm) % FRAME_BYTES)
        frames = [encoder.encode(pcm[i:i + FRAME_BYTES], FRAME) for i in range(0, len(pcm), FRAME_BYTES)]
        if silence:
            frames += [SILENCE] * 5
        start = loop.time()
        held: tuple[int, int, bytes] | None = None
        for number, opus in enumerate(frames):
            await asyncio.sleep(max(0.0, start + number * 0.02 - loop.time()))
            timestamp = (member.timestamp + round((start - member.clock_start) * RATE) + number * FRAME) % 2**32
            sequence = (member.sequence + 1) % 2**16
            member.sequence = sequence
            if number in lose:
                member.lost += 1
                continue
            if number in swap:
                held = (sequence, timestamp, opus)
                continue
            await self._send_rtp(member, sequence, timestamp, opus)
            if held is not None:
                await self._send_rtp(member, *held)
                held = None
        if held is not None:
            await self._send_rtp(member, *held)
        return start

    async def leave(self: FakeVoiceServer, user_id: int) -> None:
        """The member left the channel: CLIENT_DISCONNECT to the listening session."""
        session = self.current()
        if session is not None:
            await self._send(session.ws, CLIENT_DISCONNECT, {"user_id": str(user_id)})
        self.members.pop(user_id, None)

    async def _send_rtp(self: FakeVoiceServer, member: Member, sequence: int, timestamp: int, opus: bytes) -> None:
        session = self.current()
        if session is None or session.address is None or session.key is None or self.deafened():
            return
        if id(session) not in member.announced:
            member.announced.add(id(session))
            await self._send(session.ws, SPEAKING, {"user_id": str(member.user_id), "ssrc": member.ssrc,
                                                    "speaking": 1})
        session.nonce = (session.nonce + 1) % 2**32
        counter = struct.pack(">I", session.nonce)
        header = struct.pack(">BBHII", 0x90, 0x78, sequence, timestamp, member.ssrc) + b"\xbe\xde\x00\x01"
        extension = b"\x10\x7f\x00\x00"  # one-byte header extension: audio level
        sealed = nacl.secret.Aead(session.key).encrypt(extension + opus, header, counter + bytes(20)).ciphertext
        assert self._udp is not None
        self._udp.sendto(header + sealed + counter, session.address)
        member.sent += 1
        member.frames.append(opus)
