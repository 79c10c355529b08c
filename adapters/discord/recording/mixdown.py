"""Spools to one replay: each speaker's frames decoded where they were heard, summed, encoded, written as Ogg.

Runs in a worker thread at close (and again when a segment is struck or removed). Memory holds one second of
mixed audio and one decoder per speaker whatever the length; the file is written under a temporary name and
renamed, so a replay is either whole or absent. A lost packet inside a talk spurt is concealed (Opus FEC from the
next packet, else loss concealment); a longer gap is the silence it was.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from discord import opus

from adapters.discord.recording.oggopus import Chapter, OggOpusWriter, lookahead
from adapters.discord.recording.spool import in_order

RATE = 48_000
CHANNELS = 2
FRAME = 960
BLOCK = RATE  # one second mixed at a time
CONCEALED = 3  # up to three lost frames in a row are concealed; more is silence
BITRATE = 64  # kbps: speech in stereo, about 29 MB an hour


@dataclass(frozen=True, slots=True)
class Mixed:
    path: Path
    samples: int
    bytes: int
    speakers: tuple[str, ...]


def frames(path: Path) -> Iterator[tuple[int, np.ndarray]]:
    """(position, stereo int16 samples) for one speaker, with losses inside a spurt concealed."""
    decoder = opus.Decoder()
    previous: int | None = None
    for position, packet in in_order(path):
        if previous is not None:
            missing = (position - previous) // FRAME - 1
            if 0 < missing <= CONCEALED:
                for lost in range(1, missing + 1):
                    guess = (decoder.decode(packet, fec=True) if lost == missing
                             else decoder.decode(None, fec=False))
                    yield previous + lost * FRAME, _samples(guess)
        try:
            pcm = decoder.decode(packet, fec=False)
        except opus.OpusError:
            continue  # a damaged frame is a short silence, not the end of the replay
        previous = position
        yield position, _samples(pcm)


def _samples(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").reshape(-1, CHANNELS)


class _Source:
    """One speaker's frames, cut at block edges."""

    def __init__(self, path: Path) -> None:
        self._frames = frames(path)
        self._held: tuple[int, np.ndarray] | None = None

    def add_to(self, block: np.ndarray, start: int) -> None:
        end = start + len(block)
        while True:
            if self._held is None:
                self._held = next(self._frames, None)
                if self._held is None:
                    return
            position, samples = self._held
            if position >= end:
                return
            self._held = None
            offset = position - start
            if offset < 0:  # before this block (a late re-anchored frame): keep what still falls inside
                samples, offset = samples[-offset:], 0
            if len(samples) == 0:
                continue
            part = samples[: end - start - offset]
            block[offset: offset + len(part)] += part
            if len(part) < len(samples):
                self._held = (end, samples[len(part):])
                return


def mixdown(tracks: dict[str, Path], out: Path, *, length: int, tags: Sequence[tuple[str, str]],
            chapters: Sequence[Chapter], serial: int = 0x50444D) -> Mixed:
    """Writes ``out`` from the speakers' spools; ``length`` in samples (whole frames are written)."""
    length = max(FRAME, -(-length // FRAME) * FRAME)
    encoder = opus.Encoder(bitrate=BITRATE, fec=False)
    sources = [_Source(path) for _, path in sorted(tracks.items()) if path.exists()]
    partial = out.with_name(out.name + ".partial")
    with partial.open("wb") as file:
        writer = OggOpusWriter(file, serial=serial, channels=CHANNELS, pre_skip=lookahead(encoder),
                               tags=tags, chapters=chapters)
        for start in range(0, length, BLOCK):
            block = np.zeros((min(BLOCK, length - start), CHANNELS), dtype=np.int32)
            for source in sources:
                source.add_to(block, start)
            pcm = np.clip(block, -32768, 32767).astype("<i2").tobytes()
            step = FRAME * CHANNELS * 2
            for offset in range(0, len(pcm), step):
                writer.write(encoder.encode(pcm[offset: offset + step], FRAME), FRAME)
        writer.finish(length)
        file.flush()
        os.fsync(file.fileno())
    partial.replace(out)
    return Mixed(out, length, out.stat().st_size, tuple(sorted(tracks)))
