"""Where the bot's threads run: on one CPU unless SINGLE_CPU=false.

CPython runs one thread at a time, so the bot gains little from a second CPU, while every command hands
its write to a database thread and waits for it: across CPUs each hand-off wakes an idle CPU, on one
CPU it is a plain switch between threads. On the 2-core machine of docs/benchmarks.md that is about
a third of a command's time.
"""

from __future__ import annotations

import fcntl
import os
import socket
import tempfile
import time
import zlib
from pathlib import Path

_SAMPLE = 0.05  # seconds of /proc/stat between two readings
# One file per CPU, in the folder CLAIMS names under the system's temporary folder; a process holds a lock on
# its CPU's file for as long as it lives (the kernel lets go when it ends, however it ends), so processes of
# this host see which CPUs the others took, even started at once.
CLAIMS = "podium-cpus"
_claim: int | None = None  # the descriptor holding this process's claim


def keep_on_one_cpu(claims: Path | None = None) -> int | None:
    """Pins every thread of this process, and so the threads they start, to one allowed CPU.

    The CPU is one no other Podium process of this host holds (see CLAIMS), the least busy of those now; among
    equally idle ones, the host name and process id choose, so bots in containers that do not share the claims
    (all running as process 1) spread too. Only when every CPU is held does it share one. Returns the CPU, or
    None where there is nothing to choose (one CPU allowed) or no way to (no affinity calls).
    """
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        return None
    idle, who = _idle_during(_SAMPLE), f"{socket.gethostname()}:{os.getpid()}"
    order = preference(allowed, idle, who)
    cpu = _claim_first(order, claims)
    if cpu is None:  # every CPU held by another process (or no claims here): the idlest, as chance spreads them
        cpu = order[0]
    for thread in _threads():
        try:
            os.sched_setaffinity(thread, {cpu})
        except OSError:  # a thread that ended meanwhile
            continue
    return cpu


def choose(allowed: list[int], idle: dict[int, float], who: str) -> int:
    """The CPU for ``who`` among ``allowed``: one within a tenth of the idlest, picked by a hash of ``who``."""
    return preference(allowed, idle, who)[0]


def preference(allowed: list[int], idle: dict[int, float], who: str) -> list[int]:
    """``allowed`` in the order ``who`` would take them: those within a tenth of the idlest first, starting at
    one a hash of ``who`` picks, then the busier ones, idlest first."""
    known = {cpu: idle[cpu] for cpu in allowed if cpu in idle}
    idlest, busier = list(allowed), []
    if known:
        most = max(known.values())
        idlest = [cpu for cpu in allowed if known.get(cpu, 0.0) >= most * 0.9]
        busier = sorted((cpu for cpu in allowed if cpu not in idlest), key=lambda cpu: -known.get(cpu, 0.0))
    start = zlib.crc32(who.encode()) % len(idlest)
    return idlest[start:] + idlest[:start] + busier


def _claim_first(order: list[int], claims: Path | None) -> int | None:
    """The first CPU of ``order`` that no other process holds, now held by this one (None: all are held, or
    the claims cannot be kept here: no temporary folder one may write to)."""
    global _claim
    try:
        if claims is None:
            claims = Path(tempfile.gettempdir()) / CLAIMS
        if not claims.is_dir():
            claims.mkdir(parents=True, exist_ok=True)
            os.chmod(claims, 0o1777)  # shared by every user's bots, as /tmp is (each may only drop its own files)
    except OSError:
        return None
    if _claim is not None:  # chosen again: the earlier claim is given back first
        os.close(_claim)
        _claim = None
    for cpu in order:
        try:
            held = os.open(claims / str(cpu), os.O_RDONLY | os.O_CREAT | os.O_NOFOLLOW, 0o666)
        except OSError:
            continue
        try:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # another process holds this one
            os.close(held)
            continue
        _claim = held
        return cpu
    return None


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
