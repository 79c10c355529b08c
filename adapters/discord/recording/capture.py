"""Routes received packets to per-speaker spools, only for members the gate lets through.

``receive`` runs in discord.py's socket-reader thread, never on the event loop. A packet is dropped before any
byte of it is written unless its SSRC belongs to a member the gate allows (recording on, consent given, not
struck). Positions come from each stream's RTP timestamps, anchored to the arrival time of its first packet and
re-anchored when they drift from it (a reconnect, a client that restarted its clock): silence between talk spurts
keeps its length, and packets the network swapped find their place again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from adapters.discord.recording.rtp import Opener
from adapters.discord.recording.spool import SpoolWriter

RATE = 48_000
FRAME = 960  # 20 ms
DRIFT = RATE // 4  # a stream further than 250 ms from its arrival time is re-anchored
SETTLING = 25  # packets after anchoring during which an earlier arrival moves the anchor back (a late first one)
UNMAPPED = 50  # packets kept per SSRC (1 s, in memory) before the speaking event naming its member arrives


class Gate:
    """Who may be written, replaced whole from the event loop and read from the socket thread."""

    def __init__(self) -> None:
        self.allowed: frozenset[str] = frozenset()

    def allows(self, user_id: str) -> bool:
        return user_id in self.allowed


@dataclass(slots=True)
class _Stream:
    user_id: str | None
    anchor_timestamp: int = 0
    anchor_position: int = 0
    anchored: bool = False
    settling: int = 0
    held: list[tuple[int, int, bytes]] = field(default_factory=list)


class Capture:
    def __init__(self, folder: Path, gate: Gate, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.folder, self.gate, self._clock = folder, gate, clock
        folder.mkdir(parents=True, exist_ok=True)
        self.started = clock()
        self._opener = Opener()
        self._streams: dict[int, _Stream] = {}
        self._pending: dict[int, list[tuple[int, int, int, bytes]]] = {}
        self.tracks: dict[str, SpoolWriter] = {}
        self.refused: dict[str, int] = {}  # packets dropped per member the gate kept out (never written)
        self.undecodable = 0
        self._lock = threading.Lock()
        self.closed = False

    def position(self) -> int:
        """Samples since the recording started, by the clock packets are placed with."""
        return round((self._clock() - self.started) * RATE)

    def speaking(self, ssrc: int, user_id: str) -> None:
        """The voice gateway named the member behind an SSRC (SPEAKING); packets held for it are placed now."""
        with self._lock:
            stream = self._streams.get(ssrc)
            if stream is None or stream.user_id != user_id:
                if stream is not None and stream.user_id is not None and self.gate.allows(stream.user_id):
                    self._flush(stream)
                self._streams[ssrc] = _Stream(user_id)
            for arrival, sequence, timestamp, opus in self._pending.pop(ssrc, []):
                self._place(ssrc, arrival, sequence, timestamp, opus)

    def forget(self, user_id: str) -> None:
        """The member left the voice channel: their SSRC may be handed to someone else."""
        with self._lock:
            for ssrc in [s for s, stream in self._streams.items() if stream.user_id == user_id]:
                if self.gate.allows(user_id):
                    self._flush(self._streams[ssrc])
                del self._streams[ssrc]

    def receive(self, data: bytes, key: bytes | None) -> None:
        packet = self._opener.open(data, key)
        if packet is None:
            self.undecodable += 1
            return
        arrival = self.position()
        with self._lock:
            if self.closed:
                return
            if packet.ssrc not in self._streams:
                held = self._pending.setdefault(packet.ssrc, [])
                if len(held) < UNMAPPED:
                    held.append((arrival, packet.sequence, packet.timestamp, packet.opus))
                return
            self._place(packet.ssrc, arrival, packet.sequence, packet.timestamp, packet.opus)

    def _place(self, ssrc: int, arrival: int, sequence: int, timestamp: int, opus: bytes) -> None:
        stream = self._streams[ssrc]
        user_id = stream.user_id
        if user_id is None:
            return
        if not self.gate.allows(user_id):
            self.refused[user_id] = self.refused.get(user_id, 0) + 1
            return
        position = stream.anchor_position + _signed(timestamp - stream.anchor_timestamp)
        if not stream.anchored or abs(position - arrival) > DRIFT:
            self._flush(stream)
            stream.anchor_timestamp, stream.anchor_position, stream.anchored = timestamp, arrival, True
            stream.settling = SETTLING
            position = arrival
        elif stream.settling and arrival < position:
            # The anchor is the earliest arrival seen: a first packet held up on the way must not delay the rest.
            stream.anchor_position -= position - arrival
        if stream.settling:
            # Held (in memory, at most SETTLING frames) until the anchor is settled, then written where due.
            stream.settling -= 1
            stream.held.append((sequence, timestamp, opus))
            if not stream.settling:
                self._flush(stream)
            return
        self._write(user_id, position, sequence, opus)

    def _flush(self, stream: _Stream) -> None:
        for sequence, timestamp, opus in stream.held:
            position = stream.anchor_position + _signed(timestamp - stream.anchor_timestamp)
            assert stream.user_id is not None
            self._write(stream.user_id, position, sequence, opus)
        stream.held.clear()
        stream.settling = 0

    def _write(self, user_id: str, position: int, sequence: int, opus: bytes) -> None:
        track = self.tracks.get(user_id)
        if track is None:
            track = self.tracks[user_id] = SpoolWriter(self.folder / f"{user_id}.spool")
        track.append(max(0, position), sequence, opus)

    def close(self) -> int:
        """Stops taking packets, closes the spools; returns the recording's length in samples."""
        with self._lock:
            for stream in self._streams.values():
                if stream.user_id is not None and self.gate.allows(stream.user_id):
                    self._flush(stream)
            self.closed = True
            self._pending.clear()
            for track in self.tracks.values():
                track.close()
        return self.position()


def _signed(delta: int) -> int:
    """A difference of two 32-bit RTP timestamps, wrapped into -2**31 .. 2**31 - 1."""
    return (delta + 2**31) % 2**32 - 2**31
