"""The cues' sound: 48 kHz 16-bit stereo PCM, made in code or read from a WAV file checked at start-up.

Every note starts and ends at zero amplitude (raised-cosine fades), so no cue clicks. The length is padded to
whole 20 ms frames because discord.py's PCMAudio drops a short last frame.
"""

from __future__ import annotations

import math
import sys
import wave
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

RATE = 48_000
CHANNELS = 2
SAMPLE_BYTES = 2
FRAME_SAMPLES = RATE // 50  # 20 ms, what discord.py's Opus encoder takes
FRAME_BYTES = FRAME_SAMPLES * CHANNELS * SAMPLE_BYTES  # 3840
FADE_SECONDS = 0.010
LONGEST_WAV_SECONDS = 10.0
PEAK = 0.5  # of full scale: audible without covering the speakers


class Cue(StrEnum):
    OPENED = "opened"  # the stage opens
    FLOOR = "floor"  # someone is given the floor
    WARNING = "warning"  # a speaker has warn_before left
    TIME_UP = "time_up"  # a speaker's time is up


class Shape(StrEnum):
    TONE = "tone"  # steady, faded in and out
    CHIME = "chime"  # quick attack, then a bell's decay


@dataclass(frozen=True, slots=True)
class Note:
    frequency: float
    seconds: float
    shape: Shape = Shape.TONE


#: The built-in cues; a WAV file configured for a cue replaces its notes.
NOTES: Mapping[Cue, tuple[Note, ...]] = {
    Cue.OPENED: (Note(523.25, 0.15), Note(659.25, 0.15), Note(783.99, 0.25)),
    Cue.FLOOR: (Note(659.25, 0.20),),
    Cue.WARNING: (Note(880.0, 0.60, Shape.CHIME),),
    Cue.TIME_UP: (Note(440.0, 0.80),),
}


class CueFileError(ValueError):
    """A configured cue file Podium cannot play; raised at start-up, with the setting's name."""


def _envelope(i: int, total: int, shape: Shape) -> float:
    fade = max(1, int(FADE_SECONDS * RATE))
    edge = min(1.0, i / fade, (total - 1 - i) / fade)
    raised = 0.5 - 0.5 * math.cos(math.pi * max(0.0, edge))
    if shape is Shape.CHIME:
        return raised * math.exp(-3.0 * i / total)
    return raised


def render(notes: Sequence[Note]) -> bytes:
    """The notes one after the other, as interleaved stereo samples, padded with silence to whole frames."""
    samples = array("h")
    for note in notes:
        total = int(note.seconds * RATE)
        step = 2 * math.pi * note.frequency / RATE
        for i in range(total):
            value = int(round(PEAK * 32767 * _envelope(i, total, note.shape) * math.sin(step * i)))
            samples.append(value)
            samples.append(value)
    return _padded(samples)


def _padded(samples: array) -> bytes:
    if sys.byteorder != "little":
        samples.byteswap()
    data = samples.tobytes()
    return data + bytes(-len(data) % FRAME_BYTES)


def load_wav(path: Path, *, setting: str) -> bytes:
    """A WAV file as the cue's PCM: 48 kHz, 16-bit, mono or stereo, at most ten seconds."""
    try:
        with wave.open(str(path), "rb") as wav:
            rate, width, channels, count = wav.getframerate(), wav.getsampwidth(), wav.getnchannels(), wav.getnframes()
            if rate != RATE or width != SAMPLE_BYTES or channels not in (1, 2):
                raise CueFileError(f"{setting}: {path} must be 48 kHz 16-bit mono or stereo PCM; it is "
                                   f"{rate} Hz, {8 * width}-bit, {channels} channels")
            if count == 0 or count > LONGEST_WAV_SECONDS * RATE:
                raise CueFileError(f"{setting}: {path} must last between one sample and "
                                   f"{LONGEST_WAV_SECONDS:.0f} s; it has {count} samples")
            raw = wav.readframes(count)
    except CueFileError:
        raise
    except (OSError, EOFError, wave.Error) as error:
        raise CueFileError(f"{setting}: cannot read {path} as a WAV file ({error})") from None
    samples = array("h")
    samples.frombytes(raw[: len(raw) - len(raw) % SAMPLE_BYTES])
    if sys.byteorder != "little":
        samples.byteswap()
    if channels == 1:
        samples = array("h", (value for value in samples for _ in range(CHANNELS)))
    return _padded(samples)


def library(files: Mapping[Cue, tuple[str, Path | None]]) -> dict[Cue, bytes]:
    """Every cue's PCM: the configured file (setting name, path) where there is one, else the built-in notes."""
    sounds: dict[Cue, bytes] = {}
    for cue in Cue:
        setting, path = files.get(cue, ("", None))
        sounds[cue] = load_wav(path, setting=setting) if path is not None else render(NOTES[cue])
    return sounds
