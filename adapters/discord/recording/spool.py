"""A speaker's received Opus frames on disk, in arrival order: (position in samples, RTP sequence, frame).

Capture only appends, so memory holds one buffered file per speaker whatever the stage's length; the mixdown
reads it back and restores the order of packets the network swapped, within a small window.
"""

from __future__ import annotations

import heapq
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

_RECORD = struct.Struct("<qHH")  # position (48 kHz samples since the recording started), sequence, length
REORDER_WINDOW = 64  # packets: far more than a voice path ever swaps


class SpoolWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: BinaryIO = path.open("ab", buffering=64 * 1024)
        self.frames = 0
        self.bytes = 0

    def append(self, position: int, sequence: int, opus: bytes) -> None:
        self._file.write(_RECORD.pack(position, sequence, len(opus)))
        self._file.write(opus)
        self.frames += 1
        self.bytes += _RECORD.size + len(opus)

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def read(path: Path) -> Iterator[tuple[int, int, bytes]]:
    """Every record as written; a record cut short by a crash ends the spool."""
    with path.open("rb") as spool:
        while True:
            head = spool.read(_RECORD.size)
            if len(head) < _RECORD.size:
                return
            position, sequence, length = _RECORD.unpack(head)
            opus = spool.read(length)
            if len(opus) < length:
                return
            yield position, sequence, opus


def in_order(path: Path, *, window: int = REORDER_WINDOW) -> Iterator[tuple[int, bytes]]:
    """(position, frame) by position, duplicates dropped: a heap of ``window`` records undoes reordering."""
    heap: list[tuple[int, int, bytes]] = []
    last = None
    for record in read(path):
        heapq.heappush(heap, record)
        if len(heap) > window:
            position, _, opus = heapq.heappop(heap)
            if position != last:
                last = position
                yield position, opus
    while heap:
        position, _, opus = heapq.heappop(heap)
        if position != last:
            last = position
            yield position, opus
