"""The cues' sound: pitch, length, no clicks, and WAV files refused at start-up."""

from __future__ import annotations

import math
import wave
from array import array
from pathlib import Path

import pytest

from adapters.discord.cues.sound import (
    FRAME_BYTES, NOTES, RATE, Cue, CueFileError, Note, Shape, library, load_wav, render)
from tests.fakes.discord_voice.audio import duration, frequency, largest_jump, left


@pytest.mark.parametrize("shape", list(Shape))
def test_a_note_has_its_pitch_and_length(shape: Shape) -> None:
    pcm = render([Note(880.0, 0.6, shape)])
    assert len(pcm) % FRAME_BYTES == 0
    assert frequency(pcm) == pytest.approx(880.0, rel=0.005)
    assert duration(pcm) == pytest.approx(0.6, abs=0.02)  # the chime decays to 5 %, still above the floor


@pytest.mark.parametrize("cue", list(Cue))
def test_every_cue_starts_and_ends_in_silence_without_clicks(cue: Cue) -> None:
    pcm = render(NOTES[cue])
    samples = left(pcm)
    end = sum(int(note.seconds * RATE) for note in NOTES[cue])
    assert all(abs(s) < 100 for s in samples[:5]) and all(abs(s) < 100 for s in samples[end - 5:end])
    assert not any(samples[end:])
    peak = max(abs(s) for s in samples)
    assert peak > 10_000
    # a sine at 784 Hz moves at most 2*pi*f/RATE of its amplitude per sample; a click would jump far more
    highest = max(note.frequency for note in NOTES[cue])
    assert largest_jump(pcm) <= 1.05 * peak * 2 * math.pi * highest / RATE + 2


def test_notes_follow_each_other() -> None:
    pcm = render(NOTES[Cue.OPENED])
    assert duration(pcm) == pytest.approx(sum(n.seconds for n in NOTES[Cue.OPENED]), abs=0.03)


def _write(path: Path, *, rate: int = RATE, width: int = 2, channels: int = 1, frames: int = 4800) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(bytes(width * channels * frames))
    return path


def test_a_mono_wav_becomes_stereo_whole_frames(tmp_path: Path) -> None:
    path = tmp_path / "ding.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(array("h", [100, -200, 300]).tobytes())
    pcm = load_wav(path, setting="CUE_WARNING_WAV")
    assert len(pcm) == FRAME_BYTES
    assert array("h", pcm[:12]).tolist() == [100, 100, -200, -200, 300, 300]


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"rate": 44_100}, "44100 Hz"),
    ({"width": 1}, "8-bit"),
    ({"frames": 0}, "0 samples"),
    ({"frames": 11 * RATE}, "10 s"),
])
def test_a_wav_podium_cannot_play_is_refused_with_the_setting(tmp_path: Path, kwargs, words) -> None:
    path = _write(tmp_path / "bad.wav", **kwargs)
    with pytest.raises(CueFileError) as refused:
        load_wav(path, setting="CUE_TIME_UP_WAV")
    assert str(refused.value).startswith(f"CUE_TIME_UP_WAV: {path}") and words in str(refused.value)


def test_a_missing_or_garbled_file_is_refused(tmp_path: Path) -> None:
    garbled = tmp_path / "noise.wav"
    garbled.write_bytes(b"not a wav file at all")
    for path in (tmp_path / "missing.wav", garbled):
        with pytest.raises(CueFileError, match=r"^CUE_FLOOR_WAV: cannot read .* as a WAV file"):
            library({Cue.FLOOR: ("CUE_FLOOR_WAV", path)})


def test_the_library_mixes_files_and_built_in_cues(tmp_path: Path) -> None:
    sounds = library({Cue.WARNING: ("CUE_WARNING_WAV", _write(tmp_path / "w.wav"))})
    assert set(sounds) == set(Cue)
    assert sounds[Cue.WARNING] == bytes(5 * FRAME_BYTES)  # 4,800 silent mono samples: 100 ms in stereo
    assert sounds[Cue.TIME_UP] == render(NOTES[Cue.TIME_UP])
