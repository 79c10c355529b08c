"""Scale, the process comparison (bench/scale.py): the same work by one process and by two on one PostgreSQL,
with the CPU of the bots and of the server read from /proc, and two controls (two processes each on a database
of its own; one process given half the work)."""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.scale import SHARED, STAGES, _libpq, _pool, _storm_here

TICK = os.sysconf("SC_CLK_TCK")


def process_round() -> dict[str, Any]:
    from bench.chaos_run import database

    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        # One, two, two, one: the machine's speed drifts over seconds (the same storm took 25% more CPU in one
        # round than in the next), and a drift that runs through the four cancels out of the two sums.
        runs: dict[str, list[dict[str, float]]] = {"pg_one_process": [], "pg_two_processes": []}
        for key, count in (("pg_one_process", 1), ("pg_two_processes", 2), ("pg_two_processes", 2),
                           ("pg_one_process", 1)):
            with database("postgresql", Path(folder)) as url:
                runs[key].append(_processes([url], count))
        figures.update((key, _summed(found)) for key, found in runs.items())
        # The control: two processes as above, each on a database of its own, so they share nothing Podium
        # coordinates (locks, leases, routes, the scheduler's leader), only the machine and the server.
        with database("postgresql", Path(folder)) as first, database("postgresql", Path(folder)) as second:
            figures["pg_two_apart"] = _processes([first, second], 2)
        # A second control: one process given the share of one of the two (half the stages and the hands), so each
        # of its transactions takes half as many commands, as each of the two processes' does, with no second one.
        with database("postgresql", Path(folder)) as url:
            figures["pg_one_share"] = _processes([url], 1, shares=2)
    return figures


def _processes(urls: list[str], count: int, shares: int = 0) -> dict[str, float]:
    """`count` bots sharing the same work (100 stages, SHARED hands in all), on one PostgreSQL database (one
    URL) or each on a database of its own (a URL each: nothing shared but the machine and the server). With
    `shares`, the work is cut in that many shares and the bots take one each."""
    shares = shares or count
    url_of = [urls[n % len(urls)] for n in range(count)]
    with multiprocessing.get_context("spawn").Manager() as manager, _pool(count) as pool:
        # Each passed twice by every bot and here: every bot migrated and its stages opened, then the server's
        # CPU read and the storms begun; storms over, then the server's CPU read again.
        # (A bot that failed breaks them after a while instead of leaving the others waiting for ever.)
        ready, finished = (manager.Barrier(count + 1, timeout=600.0) for _ in range(2))
        futures = [pool.submit(_storm_here, url_of[n], {"stages": STAGES // shares, "commands": SHARED // shares,
                                                        "prefix": f"p{n}", "ready": ready, "finished": finished})
                   for n in range(count)]
        ready.wait()
        before = _server_cpu(urls)
        ready.wait()
        finished.wait()
        after = _server_cpu(urls)  # backends started during the storm count from zero
        used = [(kind, cpu - before.get(pid, (kind, 0.0))[1]) for pid, (kind, cpu) in after.items()]
        server = sum(cpu for _, cpu in used)
        backends = sum(cpu for kind, cpu in used if kind == "client backend")
        finished.wait()
        results = [f.result() for f in futures]
    commands = sum(r["commands"] for r in results)
    seconds = max(r["seconds"] for r in results)
    cpu = sum(r["cpu"] for r in results) + server
    return {"commands": commands, "seconds": seconds, "per_s": commands / seconds, "cpu": cpu,
            "server_cpu": server, "per_cpu_s": commands / cpu,
            # The same without the server's background processes, whose work (autovacuum above all) falls in
            # or out of a storm's few seconds by chance: what serving the commands itself costs.
            "backends_cpu": backends, "per_serving_cpu_s": commands / (cpu - server + backends),
            "preempted": sum(r["preempted"] for r in results), "waited": sum(r["waited"] for r in results)}


def _summed(runs: list[dict[str, float]]) -> dict[str, float]:
    """Runs of one configuration as one: their commands, seconds and CPU added up."""
    total = {key: sum(run[key] for run in runs) for key in ("commands", "seconds", "cpu", "server_cpu",
                                                             "backends_cpu", "preempted", "waited")}
    serving = total["cpu"] - total["server_cpu"] + total["backends_cpu"]
    return {**total, "per_s": total["commands"] / total["seconds"], "per_cpu_s": total["commands"] / total["cpu"],
            "per_serving_cpu_s": total["commands"] / serving}


def _server_cpu(urls: list[str]) -> dict[int, tuple[str, float]]:
    found: dict[int, tuple[str, float]] = {}
    for url in urls:
        found.update(postgres_server_cpu(url))  # the server's own processes come with each: counted once
    return found


def postgres_server_cpu(url: str) -> dict[int, tuple[str, float]]:
    """CPU seconds used so far by each server process working for this bench, with its kind: the backends of
    its connections (named by the URL's application_name) and the server's own background processes (the
    WAL writer, the checkpointer, autovacuum...), so that other clients of the same server (other tests, other
    benches) are not counted."""
    import psycopg

    name = url.rsplit("application_name=", 1)[1].split("&")[0]
    with psycopg.connect(_libpq(url.split("?")[0])) as conn:
        found = conn.execute(
            "SELECT pid, backend_type FROM pg_stat_activity WHERE application_name = %s "
            "OR backend_type <> 'client backend'", (name,)).fetchall()
    return {pid: (kind, cpu) for pid, kind in found if (cpu := _cpu_of(pid)) is not None}


def _cpu_of(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            rest = f.read().rsplit(")", 1)[1].split()
        return (int(rest[11]) + int(rest[12])) / TICK  # utime, stime
    except (OSError, IndexError, ValueError):
        return None


def compared(med: Callable[..., float], ratio: Callable[..., float]) -> None:
    print(f"two processes / one on PostgreSQL: throughput {ratio('pg_two_processes', 'pg_one_process'):.2f}x, "
          f"commands per CPU-second (bots + server) "
          f"{ratio('pg_two_processes', 'pg_one_process', 'per_cpu_s', 'per_cpu_s'):.3f}x "
          f"({med('pg_one_process', 'per_cpu_s'):,.0f} -> {med('pg_two_processes', 'per_cpu_s'):,.0f})")
    def background(key: str) -> float:
        return med(key, "server_cpu") - med(key, "backends_cpu")

    print(f"the same without the server's background processes (bots and their backends): "
          f"{ratio('pg_two_processes', 'pg_one_process', 'per_serving_cpu_s', 'per_serving_cpu_s'):.3f}x; "
          f"background processes' CPU, one process {background('pg_one_process'):.2f} s, "
          f"two {background('pg_two_processes'):.2f} s")
    print(f"two processes on one database / two each on its own (nothing shared but the machine): commands per "
          f"CPU-second {ratio('pg_two_processes', 'pg_two_apart', 'per_cpu_s', 'per_cpu_s'):.2f}x, throughput "
          f"{ratio('pg_two_processes', 'pg_two_apart'):.2f}x; two apart / one: commands per CPU-second "
          f"{ratio('pg_two_apart', 'pg_one_process', 'per_cpu_s', 'per_cpu_s'):.2f}x")
    print(f"one process with one of two shares (half the stages and hands) / one with all: commands per CPU-second "
          f"{ratio('pg_one_share', 'pg_one_process', 'per_cpu_s', 'per_cpu_s'):.3f}x; two processes / one with "
          f"one share: {ratio('pg_two_processes', 'pg_one_share', 'per_cpu_s', 'per_cpu_s'):.3f}x")
