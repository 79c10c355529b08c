"""Where the bot's threads run: on one CPU unless SINGLE_CPU=false.

CPython runs one thread at a time, so the bot gains little from a second CPU, while every command hands
its write to a database thread and waits for it: across CPUs each hand-off wakes an idle CPU, on one
CPU it is a plain switch between threads. On the 2-core machine of docs/benchmarks.md that is about
a third of a command's time.
"""

from __future__ import annotations

import os
import socket
import time
import zlib

_SAMPLE = 0.05  # seconds of /proc/stat between two readings


def keep_on_one_cpu() -> int | None:
    """Pins every thread of this process, and so the threads they start, to one allowed CPU.

    The CPU is one of the least busy right now; among those, the host name and process id choose, so bots
    started together (containers all running as process 1 included) spread. Returns the CPU, or None where
    there is nothing to choose (one CPU allowed) or no way to (no affinity calls).
    """
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        return None
    cpu = choose(allowed, _idle_during(_SAMPLE), f"{socket.gethostname()}:{os.getpid()}")
    for thread in _threads():
        try:
            os.sched_setaffinity(thread, {cpu})
        except OSError:  # a thread that ended meanwhile
            continue
    return cpu


def choose(allowed: list[int], idle: dict[int, float], who: str) -> int:
    """The CPU for ``who`` among ``allowed``: one within a tenth of the idlest, picked by a hash of ``who``."""
    known = {cpu: idle[cpu] for cpu in allowed if cpu in idle}
    if known:
        most = max(known.values())
        allowed = [cpu for cpu, spare in known.items() if spare >= most * 0.9]
    return allowed[zlib.crc32(who.encode()) % len(allowed)]


def _idle_during(seconds: float) -> dict[int, float]:
    """Idle clock ticks of each CPU over ``seconds`` (empty where /proc/stat cannot be read)."""
    before = _idle_ticks()
    if not before:
        return {}
    time.sleep(seconds)
    after = _idle_ticks()
    return {cpu: after[cpu] - ticks for cpu, ticks in before.items() if cpu in after}


def _idle_ticks() -> dict[int, float]:
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            lines = [line.split() for line in stat if line.startswith("cpu") and line[3:4].isdigit()]
    except OSError:
        return {}
    # cpuN user nice system idle iowait ...: idle and iowait are the time nothing ran there.
    return {int(fields[0][3:]): float(fields[4]) + float(fields[5]) for fields in lines if len(fields) > 5}


def _threads() -> list[int]:
    try:
        return [int(tid) for tid in os.listdir("/proc/self/task")]
    except OSError:
        return [0]  # this thread alone
