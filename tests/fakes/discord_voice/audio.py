"""Measuring PCM the way an ear would check a cue: its pitch, how long it sounds, whether it clicks."""

from __future__ import annotations

import math
from array import array

RATE = 48_000


def left(pcm: bytes) -> list[int]:
    """The left channel of interleaved 16-bit little-endian stereo."""
    samples = array("h")
    samples.frombytes(pcm[: len(pcm) - len(pcm) % 4])
    return list(samples[0::2])


def _audible(samples: list[int], *, floor: float) -> tuple[int, int]:
    """First and last sample louder than ``floor`` of the peak (an envelope over 2 ms windows)."""
    window = RATE // 500
    peak = max((abs(s) for s in samples), default=0)
    if peak == 0:
        return 0, 0
    loud = [i for i in range(0, len(samples), window)
            if max(abs(s) for s in samples[i:i + window]) >= floor * peak]
    return loud[0], min(len(samples), loud[-1] + window)


def duration(pcm: bytes, *, floor: float = 0.05) -> float:
    """Seconds between the cue becoming audible and falling silent."""
    start, end = _audible(left(pcm), floor=floor)
    return (end - start) / RATE


def frequency(pcm: bytes, *, floor: float = 0.05) -> float:
    """Hz, from the upward zero crossings of the audible part, interpolated between samples."""
    samples = left(pcm)
    start, end = _audible(samples, floor=floor)
    crossings = [i + s0 / (s0 - s1) for i in range(start, end - 1)
                 for s0, s1 in ((samples[i], samples[i + 1]),) if s0 < 0 <= s1]
    if len(crossings) < 2:
        return 0.0
    return (len(crossings) - 1) * RATE / (crossings[-1] - crossings[0])


def largest_jump(pcm: bytes) -> int:
    """The largest difference between neighbouring samples, the silence around the cue included."""
    samples = [0, *left(pcm), 0]
    return max(abs(b - a) for a, b in zip(samples, samples[1:]))


def rms(pcm: bytes) -> float:
    samples = left(pcm)
    return math.sqrt(sum(s * s for s in samples) / len(samples)) if samples else 0.0
