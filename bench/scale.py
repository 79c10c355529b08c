"""Scale: the figures behind docs/scaling.md, each against a raw loop measured in the same run.

    python -m bench.scale [ROUNDS]          (make bench-scale)

Per round, each in a fresh process: the raw sqlite3 and psycopg loops (one INSERT and one versioned UPDATE per
transaction, the writes a raised hand needs); Podium's storm of raised hands on one stage, one member at a time
(each waits for the previous answer) and as a storm arrives (every member of the room at once, each command its
own task, as the adapters run the interactions they receive), and on 100 stages at once, on SQLite and on
PostgreSQL; the round trips a command makes to PostgreSQL, counted on the wire
(bench/roundtrips.py); one process against two on one PostgreSQL, with the CPU of the bots and of the server
read from /proc (one, two, two, one in each round, each configuration's two runs added up), and two controls: two
processes each on a database of its own, one process given half the work (bench/scale_processes.py). Figures are
medians over the rounds.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench.machine import describe

COMMANDS = int(os.environ.get("PODIUM_BENCH_COMMANDS", "3000"))  # raised hands per storm
# The process comparisons read CPU from /proc in clock ticks over three or four processes: a storm of about a
# second moved their ratio by a tenth from one round to the next, so theirs is four times longer.
SHARED = COMMANDS * 4
STAGES = 100
RAW = 5_000  # transactions per raw loop


# ---- raw ceilings ---------------------------------------------------------------------------------------

def raw_sqlite(folder: str) -> float:
    conn = sqlite3.connect(Path(folder) / "raw.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE stage (id TEXT PRIMARY KEY, version INTEGER, hands INTEGER)")
    conn.execute("CREATE TABLE hand (stage_id TEXT, user_id TEXT, note TEXT, PRIMARY KEY (stage_id, user_id))")
    conn.execute("INSERT INTO stage VALUES ('s', 0, 0)")
    started = time.perf_counter()
    for n in range(RAW):
        conn.execute("BEGIN")
        conn.execute("INSERT INTO hand VALUES ('s', ?, 'q')", (f"m{n}",))
        conn.execute("UPDATE stage SET version = version + 1, hands = hands + 1 WHERE id = 's' AND version = ?",
                     (n,))
        conn.execute("COMMIT")
    return RAW / (time.perf_counter() - started)


def raw_postgres(url: str) -> float:
    import psycopg

    with psycopg.connect(_libpq(url)) as conn:
        conn.execute("CREATE TABLE raw_stage (id TEXT PRIMARY KEY, version INTEGER, hands INTEGER)")
        conn.execute("CREATE TABLE raw_hand (stage_id TEXT, user_id TEXT, note TEXT, PRIMARY KEY (stage_id, user_id))")
        conn.execute("INSERT INTO raw_stage VALUES ('s', 0, 0)")
        conn.commit()
        started = time.perf_counter()
        for n in range(RAW):
            conn.execute("INSERT INTO raw_hand VALUES ('s', %s, 'q')", (f"m{n}",))
            conn.execute("UPDATE raw_stage SET version = version + 1, hands = hands + 1 "
                         "WHERE id = 's' AND version = %s", (n,))
            conn.commit()
        return RAW / (time.perf_counter() - started)


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


# ---- Podium's storm -----------------------------------------------------------------------------------------

async def storm(url: str, *, stages: int, commands: int, prefix: str = "", ready: Any = None,
                proxy: bool = False, finished: Any = None, at_once: bool = False,
                capture: Path | None = None) -> dict[str, Any]:
    """`commands` raised hands spread over `stages` stages, all stages at once; on each stage one member after
    the other, or, `at_once`, every member together (a task each, as the adapters run interactions).

    `ready` and `finished` (barriers shared with other processes) are each passed twice: `ready` once this bot's
    stages are open and again to start, `finished` once its storm is over and again to stop, so that whoever
    reads the server's CPU reads it between the two.

    `capture` (SQLite): the database is copied there as the storm starts, and the statements of every
    transaction the storm committed are returned, for bench/sql_floor.py's `replay`."""
    from bot.bootstrap import build
    from bot.config import Settings
    from bot.domain import commands as c
    from bot.domain.members import Actor

    wire = None
    if proxy:
        from bench.roundtrips import WireProxy

        wire = await WireProxy().start()
        url = url.replace("@127.0.0.1:5432/", f"@127.0.0.1:{wire.port}/") + "&sslmode=disable&gssencmode=disable"
    per_stage = commands // stages
    settings = Settings(_env_file=None, log_level="WARNING",
                        rules={"max_queue_length": max(per_stage, 1), "hand_cooldown": 0, "must_be_present": False})
    app = build(settings, database_url=url)
    await app.start()
    host = Actor("host", platform_moderator=True)
    ids = []
    room = frozenset(f"{prefix}m{m}" for m in range(per_stage))  # members raise hands from the room
    for n in range(stages):
        await app.bus.handle(c.OpenStage(actor=host, platform="bench", space_id=f"space{prefix}",
                                         channel_id=f"c{prefix}{n}", title=f"Stage {n}", present=room))
        ids.append(await app.queries.live_stage("bench", f"space{prefix}", f"c{prefix}{n}"))

    async def one_stage(stage_id: str) -> None:
        if at_once:
            await asyncio.gather(*(app.bus.handle(c.RaiseHand(actor=Actor(f"{prefix}m{m}"), stage_id=stage_id,
                                                              note="q")) for m in range(per_stage)))
            return
        for m in range(per_stage):
            await app.bus.handle(c.RaiseHand(actor=Actor(f"{prefix}m{m}"), stage_id=stage_id, note="q"))

    if ready is not None:
        await asyncio.to_thread(ready.wait)
        await asyncio.to_thread(ready.wait)
    if wire is not None:
        wire.reset()
    recorder = None
    if capture is not None:  # copied and listened to in one job of the database's only thread: nothing between
        from bench.sql_floor import copy_and_record

        recorder = await app.db.run(copy_and_record, app.db, capture)
    usage, cpu, started = resource.getrusage(resource.RUSAGE_SELF), time.process_time(), time.perf_counter()
    await asyncio.gather(*(one_stage(s) for s in ids))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_SELF)
    transactions = recorder.stop() if recorder is not None else []  # the storm's, not what follows it
    if finished is not None:  # the server's CPU is read while this bot's connections (and backends) still live
        await asyncio.to_thread(finished.wait)
        await asyncio.to_thread(finished.wait)
    stored = await app.db.run(_stored_bytes, app.db)
    trips = wire.counter.round_trips if wire is not None else 0
    kinds = dict(wire.counter.statements) if wire is not None else {}
    await app.stop()
    if wire is not None:
        await wire.stop()
    done = per_stage * stages
    return {"commands": done, "seconds": seconds, "per_s": done / seconds, "cpu": cpu, "bytes": stored / done,
            "round_trips": trips / done if done else 0.0, "kinds": kinds,
            # Times this process gave the CPU up waiting (voluntary) and was made to (involuntary) during the storm.
            "waited": after.ru_nvcsw - usage.ru_nvcsw, "preempted": after.ru_nivcsw - usage.ru_nivcsw,
            "transactions": transactions}


KEPT = ("stage", "participant", "audit_log")  # what a stage keeps (the outbox empties as effects go out)


def _stored_bytes(db: Any) -> int:
    """Bytes the stages, their members and the audit log take, tables and indexes (PostgreSQL), or pages
    (SQLite's dbstat)."""
    from sqlalchemy import text

    with db.engine.connect() as conn:
        if db.dialect == "postgresql":
            return int(sum(conn.execute(text("SELECT pg_total_relation_size(to_regclass(:t))"), {"t": t}).scalar()
                           or 0 for t in KEPT))
        rows = conn.execute(text("SELECT name, sum(pgsize) FROM dbstat GROUP BY name")).all()
        return int(sum(size for name, size in rows if any(name == t or name.startswith(f"ix_{t}")
                                                          or name.startswith(f"sqlite_autoindex_{t}") for t in KEPT)))


def _storm_here(url: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    from bot.cpu import keep_on_one_cpu

    keep_on_one_cpu()
    return asyncio.run(storm(url, **kwargs))


def _sqlite_storm(stages: int, at_once: bool = False) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        return _storm_here(f"sqlite:///{folder}/storm.db", {"stages": stages, "commands": COMMANDS,
                                                             "at_once": at_once})


def _sqlite_floor() -> dict[str, float]:
    """One member at a time on one stage, its statements recorded, then replayed on a copy taken as it began."""
    from bench.sql_floor import replay

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "copy.db"
        ran = _storm_here(f"sqlite:///{folder}/storm.db", {"stages": 1, "commands": COMMANDS, "capture": copy})
        transactions = ran["transactions"]
        statements = sum(len(t) for t in transactions)
        return {"per_s": replay(copy, transactions, COMMANDS), "statements": statements / COMMANDS,
                "transactions": len(transactions) / COMMANDS}


def _raw_sqlite_here() -> float:
    with tempfile.TemporaryDirectory() as folder:
        return raw_sqlite(folder)


def _pool(workers: int = 1) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def one_round(only_processes: bool = False) -> dict[str, Any]:
    from bench.scale_processes import process_round

    figures = {} if only_processes else {**_sqlite_round(), **_postgres_round()}
    return {**figures, **process_round()}


def _sqlite_round() -> dict[str, Any]:
    figures: dict[str, Any] = {}
    with _pool() as pool:
        figures["raw_sqlite"] = pool.submit(_raw_sqlite_here).result()
    with _pool() as pool:
        figures["sqlite_1"] = pool.submit(_sqlite_storm, 1).result()
    with _pool() as pool:
        figures["sqlite_floor"] = pool.submit(_sqlite_floor).result()
    with _pool() as pool:
        figures["sqlite_burst"] = pool.submit(_sqlite_storm, 1, True).result()
    with _pool() as pool:
        figures["sqlite_100"] = pool.submit(_sqlite_storm, STAGES).result()
    return figures


def _postgres_round() -> dict[str, Any]:
    from bench.chaos_run import database

    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        with database("postgresql", Path(folder)) as url, _pool() as pool:
            figures["raw_postgres"] = pool.submit(raw_postgres, url).result()
        with database("postgresql", Path(folder)) as url, _pool() as pool:
            figures["pg_1"] = pool.submit(_storm_here, url, {"stages": 1, "commands": COMMANDS}).result()
        with database("postgresql", Path(folder)) as url, _pool() as pool:
            figures["pg_burst"] = pool.submit(_storm_here, url, {"stages": 1, "commands": COMMANDS,
                                                                 "at_once": True}).result()
        with database("postgresql", Path(folder)) as url, _pool() as pool:
            figures["pg_100"] = pool.submit(_storm_here, url, {"stages": STAGES, "commands": COMMANDS}).result()
        with database("postgresql", Path(folder)) as url, _pool() as pool:
            figures["pg_wire"] = pool.submit(_storm_here, url, {"stages": 1, "commands": 500,
                                                                "proxy": True}).result()
    return figures


def main() -> None:
    from bench.scale_processes import compared

    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    only_processes = sys.argv[2:] == ["processes"]  # `make bench-scale ONLY=processes`: the last two lines alone
    print(f"machine: {describe()}")
    runs = []
    for n in range(rounds):
        figures = one_round(only_processes)
        runs.append(figures)
        print(f"round {n + 1}: " + ", ".join(f"{k}={_short(v)}" for k, v in figures.items()), flush=True)

    def med(key: str, field: str | None = None) -> float:
        return statistics.median(r[key][field] if field else r[key] for r in runs)

    def ratio(a: str, b: str, fa: str | None = "per_s", fb: str | None = "per_s") -> float:
        return statistics.median((r[a][fa] if fa else r[a]) / (r[b][fb] if fb else r[b]) for r in runs)

    print("\nmedians over the rounds (ratios are medians of each round's own ratio)")
    if not only_processes:
        _storms(runs, med, ratio)
    compared(med, ratio)


def _storms(runs: list[dict[str, Any]], med: Callable[..., float], ratio: Callable[..., float]) -> None:
    print(f"SQLite: raw {med('raw_sqlite'):,.0f} tx/s; one stage, one member at a time "
          f"{med('sqlite_1', 'per_s'):,.0f} commands/s ({ratio('sqlite_1', 'raw_sqlite', fb=None):.2f} of raw), "
          f"every member at once {med('sqlite_burst', 'per_s'):,.0f}/s "
          f"({ratio('sqlite_burst', 'raw_sqlite', fb=None):.2f} of raw); {STAGES} stages at once "
          f"{med('sqlite_100', 'per_s'):,.0f}/s ({ratio('sqlite_100', 'sqlite_1'):.2f}x one stage); "
          f"{med('sqlite_100', 'bytes'):,.0f} bytes stored a raised hand")
    print(f"SQLite, Podium's own statements of one member at a time replayed on a plain sqlite3 connection: "
          f"{med('sqlite_floor', 'per_s'):,.0f} commands/s ({ratio('sqlite_floor', 'raw_sqlite', fb=None):.2f} of raw; "
          f"{med('sqlite_floor', 'statements'):.1f} statements in {med('sqlite_floor', 'transactions'):.2f} "
          f"transactions a command)")
    print(f"PostgreSQL: raw {med('raw_postgres'):,.0f} tx/s; one stage, one member at a time "
          f"{med('pg_1', 'per_s'):,.0f} commands/s ({ratio('pg_1', 'raw_postgres', fb=None):.2f} of raw), "
          f"every member at once {med('pg_burst', 'per_s'):,.0f}/s "
          f"({ratio('pg_burst', 'raw_postgres', fb=None):.2f} of raw); {STAGES} stages at once "
          f"{med('pg_100', 'per_s'):,.0f}/s ({ratio('pg_100', 'pg_1'):.2f}x one stage); "
          f"round trips per command {med('pg_wire', 'round_trips'):.1f}; {med('pg_100', 'bytes'):,.0f} bytes stored "
          f"a raised hand")
    kinds = sorted(runs[-1]["pg_wire"]["kinds"].items(), key=lambda kv: -kv[1])
    print("statements on the wire, last round: " + "; ".join(
        f"{count} x {start[:50].rstrip(chr(0)).split(chr(0))[0]}" for start, count in kinds))


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_short(v)}" for k, v in value.items()
                               if k not in ("kinds", "transactions")) + "}"
    return f"{value:,.1f}" if isinstance(value, float) else str(value)


if __name__ == "__main__":
    main()
