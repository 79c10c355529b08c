"""An Ogg Opus file written as a stream (RFC 7845): the two header packets, then pages of 20 ms packets.

Pages, their lacing and their CRC come from mutagen's OggPage (a maintained library); the Opus headers are ours,
since no maintained library writes them from raw packets. Chapters follow the Vorbis-comment convention players
read (CHAPTER001=00:00:00.000, CHAPTER001NAME=...).
"""

from __future__ import annotations

import ctypes
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from mutagen.ogg import OggPage

RATE = 48_000
VENDOR = b"Podium"
_MAX_SEGMENTS = 255


@dataclass(frozen=True, slots=True)
class Chapter:
    start: int  # samples from the beginning
    name: str


def timestamp(samples: int) -> str:
    millis = round(samples * 1000 / RATE)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def opus_head(*, channels: int, pre_skip: int) -> bytes:
    return b"OpusHead" + struct.pack("<BBHIhB", 1, channels, pre_skip, RATE, 0, 0)


def opus_tags(tags: Sequence[tuple[str, str]], chapters: Sequence[Chapter]) -> bytes:
    comments = [f"{key}={value}" for key, value in tags]
    for number, chapter in enumerate(chapters, start=1):
        comments.append(f"CHAPTER{number:03d}={timestamp(chapter.start)}")
        comments.append(f"CHAPTER{number:03d}NAME={chapter.name}")
    body = [b"OpusTags", struct.pack("<I", len(VENDOR)), VENDOR, struct.pack("<I", len(comments))]
    for comment in comments:
        data = comment.encode("utf-8")
        body += [struct.pack("<I", len(data)), data]
    return b"".join(body)


def lookahead(encoder: object) -> int:
    """The encoder's delay in samples (OPUS_GET_LOOKAHEAD), which players skip: the pre-skip."""
    from discord import opus

    value = ctypes.c_int32()
    if opus._lib.opus_encoder_ctl(encoder._state, 4027, ctypes.byref(value)) == 0:  # type: ignore[attr-defined]
        return value.value
    return 312


class OggOpusWriter:
    """Writes packets of 20 ms as they come; ``finish`` marks the end with the exact length."""

    def __init__(self, out: BinaryIO, *, serial: int, channels: int, pre_skip: int,
                 tags: Sequence[tuple[str, str]], chapters: Sequence[Chapter]) -> None:
        self._out, self._serial, self._pre_skip = out, serial, pre_skip
        self._sequence = 0
        self._samples = 0
        self._packets: list[bytes] = []
        self._segments = 0
        head = OggPage()
        head.packets, head.position, head.first = [opus_head(channels=channels, pre_skip=pre_skip)], 0, True
        self._emit(head)
        for page in OggPage.from_packets([opus_tags(tags, chapters)], sequence=self._sequence):
            page.position = 0 if page.complete else -1
            self._emit(page)

    def write(self, packet: bytes, samples: int) -> None:
        segments = len(packet) // 255 + 1
        if self._segments + segments > _MAX_SEGMENTS:
            self._page(last=False)
        self._packets.append(packet)
        self._segments += segments
        self._samples += samples

    def finish(self, total_samples: int) -> None:
        """The last page carries the end position: players stop at ``total_samples`` exactly."""
        self._samples = min(self._samples, total_samples)
        self._page(last=True)

    def _page(self, *, last: bool) -> None:
        page = OggPage()
        page.packets, page.position, page.last = self._packets, self._pre_skip + self._samples, last
        self._emit(page)
        self._packets, self._segments = [], 0

    def _emit(self, page: OggPage) -> None:
        page.serial, page.sequence = self._serial, self._sequence
        self._sequence += 1
        self._out.write(page.write())
