"""SINGLE_CPU: a serving process keeps all its threads, the database ones included, on one CPU."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ALLOWED = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
pytestmark = pytest.mark.skipif(len(ALLOWED) < 2, reason="one CPU allowed here: there is nothing to choose")


def thread_cpus(pid: int) -> dict[int, set[int]]:
    return {int(tid): os.sched_getaffinity(int(tid)) for tid in os.listdir(f"/proc/{pid}/task")}


def console_threads(tmp_path: Path, single_cpu: str) -> dict[int, set[int]]:
    """The CPUs each thread of a running `podium console` may use, once it has greeted its user."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'podium.db'}", "DEFAULT_LOCALE": "en",
           "LOG_LEVEL": "WARNING", "SINGLE_CPU": single_cpu, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "bot", "console"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    watchdog = threading.Timer(60, process.kill)  # a console that never greets ends the wait, not the run
    watchdog.start()
    try:
        assert process.stdout is not None and process.stdin is not None
        greeting = process.stdout.readline()
        assert "Podium console" in greeting, greeting + process.stderr.read()
        threads = thread_cpus(process.pid)
        process.stdin.write("/quit\n")
        process.stdin.close()
        assert process.wait(timeout=60) == 0
        return threads
    finally:
        watchdog.cancel()
        process.kill()


def test_a_serving_process_runs_every_thread_on_one_cpu(tmp_path: Path) -> None:
    threads = console_threads(tmp_path, "true")
    assert len(threads) > 1  # the loop, the database worker (and the scheduler's) are there
    cpus = set().union(*threads.values())
    assert len(cpus) == 1 and cpus <= ALLOWED, threads


def test_single_cpu_false_leaves_the_placement_to_the_system(tmp_path: Path) -> None:
    threads = console_threads(tmp_path, "false")
    assert all(cpus == ALLOWED for cpus in threads.values()), threads


def test_threads_started_before_and_after_are_both_kept_on_the_chosen_cpu() -> None:
    # In a child process, so the test run itself is not pinned.
    code = """
import os, threading
from bot.cpu import keep_on_one_cpu
ready, done = threading.Event(), threading.Event()
before = threading.Thread(target=lambda: (ready.set(), done.wait())); before.start(); ready.wait()
cpu = keep_on_one_cpu()
after = threading.Thread(target=done.wait); after.start()
print(cpu, sorted(os.sched_getaffinity(before.native_id)), sorted(os.sched_getaffinity(after.native_id)),
      sorted(os.sched_getaffinity(0)))
done.set()
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    cpu, masks = result.stdout.strip().split(" ", 1)
    assert int(cpu) in ALLOWED
    assert masks == f"[{cpu}] [{cpu}] [{cpu}]"  # the older thread, the newer one, the main one


def test_the_cpu_is_one_of_the_idlest_and_processes_started_together_spread() -> None:
    from bot.cpu import choose

    assert choose([0, 1, 2, 3], {0: 2.0, 1: 95.0, 2: 100.0, 3: 40.0}, "host:1") in (1, 2)  # within 10 % of 100
    assert choose([0, 1], {0: 0.0, 1: 100.0}, "host:1") == 1
    # Containers all run as process 1: their host names still spread them over equally idle CPUs.
    assert {choose([0, 1, 2, 3], {c: 100.0 for c in range(4)}, f"replica-{n}:1") for n in range(40)} == {0, 1, 2, 3}
    assert choose([4, 5], {}, "host:7") in (4, 5)  # no /proc/stat: the hash alone


CLAIMING = """
import sys, time
from pathlib import Path
from bot.cpu import keep_on_one_cpu
start, folder = float(sys.argv[1]), Path(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
print(keep_on_one_cpu(claims=folder), flush=True)
sys.stdin.read()  # holds its CPU until told to end
"""


def start_claiming(folder: Path, start: float) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", CLAIMING, str(start), str(folder)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)


def chosen(process: subprocess.Popen[str]) -> int:
    assert process.stdout is not None
    return int(process.stdout.readline())


def end(*processes: subprocess.Popen[str]) -> None:
    for process in processes:
        process.kill()
        process.wait(timeout=30)


@pytest.mark.parametrize("attempt", range(4))
def test_processes_started_at_the_same_moment_take_different_cpus(tmp_path: Path, attempt: int) -> None:
    # Several times: a choice left to chance would meet the other's half the time on two CPUs.
    start = __import__("time").time() + 1.5
    processes = [start_claiming(tmp_path, start) for _ in range(len(ALLOWED))]
    try:
        cpus = [chosen(p) for p in processes]
    finally:
        end(*processes)
    assert sorted(cpus) == sorted(ALLOWED), cpus


def test_a_process_past_the_last_free_cpu_still_gets_one_and_a_killed_one_frees_its_own(tmp_path: Path) -> None:
    holders = [start_claiming(tmp_path, 0.0) for _ in range(len(ALLOWED))]
    try:
        held = [chosen(p) for p in holders]
        extra = start_claiming(tmp_path, 0.0)
        try:
            assert chosen(extra) in ALLOWED  # every CPU taken: it shares one rather than failing
        finally:
            end(extra)
        end(holders[0])  # killed: the kernel lets go of its claim with it
        after = start_claiming(tmp_path, 0.0)
        try:
            assert chosen(after) == held[0]
        finally:
            end(after)
    finally:
        end(*holders)


def test_without_a_folder_for_the_claims_a_process_still_takes_a_cpu() -> None:
    # /proc takes no new folder: no claims can be kept, and the process starts as it did before them.
    process = start_claiming(Path("/proc/podium-cpus"), 0.0)
    try:
        assert chosen(process) in ALLOWED
    finally:
        end(process)
