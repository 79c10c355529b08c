"""The capture in isolation: sealed packets in, spools out; what the gate keeps out never reaches a file."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import nacl.secret
import pytest

from adapters.discord.recording.capture import Capture, Gate
from adapters.discord.recording.oggopus import timestamp
from adapters.discord.recording.spool import in_order, read

KEY = os.urandom(32)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def sealed(ssrc: int, sequence: int, stamp: int, opus: bytes, *, key: bytes = KEY, nonce: int = 1) -> bytes:
    header = struct.pack(">BBHII", 0x90, 0x78, sequence, stamp, ssrc) + b"\xbe\xde\x00\x01"
    counter = struct.pack(">I", nonce)
    body = nacl.secret.Aead(key).encrypt(b"\x10\x7f\x00\x00" + opus, header, counter + bytes(20)).ciphertext
    return header + body + counter


def frame(tag: int) -> bytes:
    return bytes([0xFC, tag]) * 20  # recognisable on disk


def capture(tmp_path: Path, allowed: set[str], clock: Clock) -> Capture:
    gate = Gate()
    gate.allowed = frozenset(allowed)
    return Capture(tmp_path / "sources", gate, clock=clock)


def test_a_member_who_did_not_consent_is_never_written(tmp_path: Path) -> None:
    clock = Clock()
    cap = capture(tmp_path, {"carol"}, clock)
    cap.speaking(1, "carol")
    cap.speaking(2, "dave")
    for n in range(5):
        clock.now += 0.02
        cap.receive(sealed(1, n, n * 960, frame(1)), KEY)
        cap.receive(sealed(2, n, n * 960, frame(2)), KEY)
    cap.close()
    files = list((tmp_path / "sources").iterdir())
    assert [f.name for f in files] == ["carol.spool"]
    assert frame(2) not in files[0].read_bytes() and frame(1) in files[0].read_bytes()
    assert cap.refused == {"dave": 5}


def test_consent_given_midway_writes_only_what_follows_it(tmp_path: Path) -> None:
    clock = Clock()
    cap = capture(tmp_path, set(), clock)
    cap.speaking(2, "dave")
    cap.receive(sealed(2, 0, 0, frame(3)), KEY)
    cap.gate.allowed = frozenset({"dave"})
    clock.now += 0.02
    cap.receive(sealed(2, 1, 960, frame(4)), KEY)
    cap.close()
    blob = (tmp_path / "sources" / "dave.spool").read_bytes()
    assert frame(4) in blob and frame(3) not in blob


def test_packets_before_the_speaking_event_wait_in_memory_then_follow_the_gate(tmp_path: Path) -> None:
    clock = Clock()
    cap = capture(tmp_path, {"carol"}, clock)
    cap.receive(sealed(7, 0, 5000, frame(5)), KEY)  # SSRC 7 not named yet
    cap.receive(sealed(8, 0, 5000, frame(6)), KEY)  # SSRC 8: never named, never written
    assert not (tmp_path / "sources" / "carol.spool").exists()
    cap.speaking(7, "carol")
    cap.close()
    assert [opus for _, _, opus in read(tmp_path / "sources" / "carol.spool")] == [frame(5)]
    assert sorted(p.name for p in (tmp_path / "sources").iterdir()) == ["carol.spool"]


def test_forged_or_foreign_packets_are_dropped(tmp_path: Path) -> None:
    clock = Clock()
    cap = capture(tmp_path, {"carol"}, clock)
    cap.speaking(1, "carol")
    cap.receive(sealed(1, 0, 0, frame(1), key=os.urandom(32)), KEY)  # another key
    cap.receive(b"\x81\xc9" + bytes(30), KEY)  # RTCP receiver report
    cap.receive(sealed(1, 1, 960, frame(1)), None)  # no key yet
    assert cap.undecodable == 3 and "carol" not in cap.tracks


def test_timestamps_place_frames_and_reordering_is_undone(tmp_path: Path) -> None:
    clock = Clock()
    cap = capture(tmp_path, {"carol"}, clock)
    cap.speaking(1, "carol")
    # Sent every 20 ms from one second in; 2 arrives after 3, and 4 twice.
    for n, at in [(0, 1.0), (1, 1.02), (3, 1.06), (2, 1.06), (4, 1.08), (4, 1.08)]:
        clock.now = 100.0 + at
        cap.receive(sealed(1, n, 70_000 + n * 960, frame(n)), KEY)
    clock.now = 100.0 + 3.02
    cap.receive(sealed(1, 10, 70_000 + 48_000 * 2 + 960, frame(10)), KEY)  # after 2 s of silence
    cap.close()
    placed = list(in_order(tmp_path / "sources" / "carol.spool"))
    assert [p for p, _ in placed] == [48_000 + n * 960 for n in range(5)] + [48_000 + 96_000 + 960]
    assert [o for _, o in placed][:5] == [frame(n) for n in range(5)]


def test_a_first_packet_held_up_on_the_way_does_not_delay_the_rest(tmp_path: Path) -> None:
    clock = Clock()
    cap = capture(tmp_path, {"carol"}, clock)
    cap.speaking(1, "carol")
    for n, at in [(0, 0.05), (1, 0.02), (2, 0.04), (3, 0.06)]:  # the first one arrived 50 ms late
        clock.now = 100.0 + at
        cap.receive(sealed(1, n, 5_000 + n * 960, frame(n)), KEY)
    cap.close()
    # Every one where it was due: the late first one too, since the first ones wait in memory for the anchor.
    assert [p for p, _ in in_order(tmp_path / "sources" / "carol.spool")] == [0, 960, 1920, 2880]


def test_a_stream_whose_clock_jumps_is_placed_by_its_arrival(tmp_path: Path) -> None:
    clock = Clock()
    cap = capture(tmp_path, {"carol"}, clock)
    cap.speaking(1, "carol")
    cap.receive(sealed(1, 0, 1000, frame(1)), KEY)
    clock.now += 5.0
    cap.receive(sealed(1, 1, 1960, frame(2)), KEY)  # a client that restarted: 20 ms by RTP, 5 s by the clock
    cap.close()
    assert [p for p, _ in in_order(tmp_path / "sources" / "carol.spool")] == [0, 5 * 48_000]


@pytest.mark.parametrize("samples,text", [(0, "00:00:00.000"), (48_000 * 3661 + 24_000, "01:01:01.500"),
                                          (47, "00:00:00.001")])
def test_chapter_times_are_written_as_players_read_them(samples: int, text: str) -> None:
    assert timestamp(samples) == text
