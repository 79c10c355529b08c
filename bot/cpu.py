"""Where the bot's threads run: on one CPU unless SINGLE_CPU=false.

CPython runs one thread at a time, so the bot gains little from a second CPU, while every command hands
its write to a database thread and waits for it: across CPUs each hand-off wakes an idle CPU, on one
CPU it is a plain switch between threads. On the 2-core machine of docs/benchmarks.md that is about
a third of a command's time.
"""

from __future__ import annotations

import os


def keep_on_one_cpu() -> int | None:
    """Pins every thread of this process, and so the threads they start, to one allowed CPU.

    Several bot processes on one machine land on different CPUs (chosen by process id). Returns the
    CPU, or None where there is nothing to choose (one CPU allowed) or no way to (no affinity calls).
    """
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        return None
    cpu = allowed[os.getpid() % len(allowed)]
    for thread in _threads():
        try:
            os.sched_setaffinity(thread, {cpu})
        except OSError:  # a thread that ended meanwhile
            continue
    return cpu


def _threads() -> list[int]:
    try:
        return [int(tid) for tid in os.listdir("/proc/self/task")]
    except OSError:
        return [0]  # this thread alone
