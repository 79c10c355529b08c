"""Scheduler: how late APScheduler fires, and what it costs in memory, with its jobs in the database.

Three scenarios, each in a fresh process (so its peak RSS is its own):

- reminders: 10,000 one-shot jobs carrying the core's ``SendReminder`` command, due 1 ms apart over
  10 s, handed to a ``run`` that only notes the time (the core's reminder work is not measured). Delay:
  from the job's time to the command reaching ``run`` on the event loop.
- speaking timers: 1,000 live stages through the real core, each with a speaker whose 10 s limit is
  armed by the bus as a ``stage-due`` job carrying ``ExpireDue``. Speakers take the floor over 5 s, so
  all 1,000 timers are pending at once and run out over 5 s. Delays: from the limit to ``ExpireDue``
  reaching the bus, and to the speaker being moved (committed), read from the audit log.
- burst: the same with every speaker approved at once, so 1,000 limits run out within a few tens of
  milliseconds; there the core's throughput, not the scheduler, sets the delay of the last ones.

SQLite by default; set PODIUM_BENCH_POSTGRES to a PostgreSQL URL to run on it too (in a schema of its
own, dropped afterwards). Run with ``python -m bench.scheduler_bench`` or as part of ``make bench``.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.machine import describe, percentile

REMINDERS, REMINDER_SPACING = 10_000, timedelta(milliseconds=1)
STAGES, LIMIT, SPREAD = 1_000, 10, 5.0


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _delays(pairs: list[tuple[datetime, datetime]]) -> dict[str, float]:
    ms = [(done - due).total_seconds() * 1000 for due, done in pairs]
    return {"p50_ms": percentile(ms, 0.5), "p99_ms": percentile(ms, 0.99), "max_ms": max(ms),
            "early": sum(1 for v in ms if v < 0), "count": len(ms)}


async def reminders(url: str) -> dict[str, Any]:
    from bot.domain import commands as c
    from bot.domain.members import SYSTEM
    from scheduler.aps import ApsScheduler

    baseline = _rss_mb()
    arrived: dict[str, datetime] = {}
    finished = asyncio.Event()

    async def run(command: Any) -> None:
        arrived[command.schedule_id] = datetime.now(UTC)
        if len(arrived) == REMINDERS:
            finished.set()

    scheduler = ApsScheduler(url, run=run)
    await scheduler.start()
    # Due times start once every job is stored: the lead is sized on how fast 200 warm-up jobs are stored.
    warm_up, far = time.perf_counter(), datetime.now(UTC) + timedelta(hours=1)
    for i in range(200):
        await scheduler.schedule(f"warm-up:{i}", far, c.SendReminder(schedule_id="w", occurrence=far, actor=SYSTEM))
    for i in range(200):
        await scheduler.cancel(f"warm-up:{i}")
    lead = (time.perf_counter() - warm_up) / 2 / 200 * REMINDERS * 1.5 + 3
    first = datetime.now(UTC) + timedelta(seconds=lead)
    due = {f"r{i:05d}": first + i * REMINDER_SPACING for i in range(REMINDERS)}
    started = time.perf_counter()
    for key, at in due.items():
        await scheduler.schedule(f"remind:{key}", at, c.SendReminder(schedule_id=key, occurrence=at, actor=SYSTEM))
    stored_in = time.perf_counter() - started
    if datetime.now(UTC) >= first:
        raise RuntimeError("scheduling took longer than the lead time; the delays would be meaningless")
    await asyncio.wait_for(finished.wait(), timeout=(first - datetime.now(UTC)).total_seconds() + 60)
    await scheduler.stop()
    return {**_delays([(due[k], arrived[k]) for k in due]), "peak_rss_mb": _rss_mb(), "baseline_rss_mb": baseline,
            "scheduled_per_second": REMINDERS / stored_in}


async def speaking_timers(url: str, spread: float = SPREAD) -> dict[str, Any]:
    from sqlalchemy import create_engine, select

    from bot.bootstrap import build
    from bot.config import Settings
    from bot.domain import commands as c
    from bot.domain.members import Actor
    from bot.persistence.tables import AuditRow, table_of
    from scheduler.aps import ApsScheduler  # noqa: F401  (imported before the baseline is read)

    baseline = _rss_mb()
    settings = Settings(_env_file=None, rules={"speaking_time_limit": LIMIT, "warn_before": 0, "idle_close": 0})
    app = build(settings, scheduler="aps", database_url=url)
    reached: dict[str, datetime] = {}
    done: dict[str, datetime] = {}
    handle = app.bus.handle

    async def run(command: c.Command) -> object:
        if not isinstance(command, c.ExpireDue):
            return await handle(command)
        reached.setdefault(command.stage_id, datetime.now(UTC))
        try:
            return await handle(command)
        finally:
            done.setdefault(command.stage_id, datetime.now(UTC))

    app.scheduler.run = run
    await app.start()
    host = Actor("host")
    stage_ids = []
    for s in range(STAGES):
        await app.bus.handle(c.OpenStage(actor=host, platform="bench", space_id="s", channel_id=f"c{s}",
                                         title=f"Stage {s}", present=frozenset({"host", "speaker"})))
        stage_id = await app.queries.live_stage("bench", "s", f"c{s}")
        await app.bus.handle(c.RaiseHand(actor=Actor("speaker"), stage_id=stage_id))
        stage_ids.append(stage_id)
    started = time.perf_counter()
    if spread:  # one approval every spread/STAGES seconds, as speakers take the floor across stages
        for i, stage_id in enumerate(stage_ids):
            await asyncio.sleep(max(0.0, started + i * spread / STAGES - time.perf_counter()))
            await app.bus.handle(c.ApproveSpeaker(actor=host, stage_id=stage_id, user_id="speaker"))
    else:  # every speaker at once: 1,000 limits run out within a few tens of milliseconds
        await asyncio.gather(*(app.bus.handle(c.ApproveSpeaker(actor=host, stage_id=s, user_id="speaker"))
                               for s in stage_ids))
    armed_in = time.perf_counter() - started
    pending = len(await app.scheduler.pending())
    deadline = time.monotonic() + LIMIT + 60
    while len(done) < STAGES and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    await asyncio.sleep(1)
    await app.settle()
    peak = _rss_mb()
    await app.stop()

    audit_t = table_of(AuditRow)
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(audit_t.c.stage_id, audit_t.c.kind, audit_t.c.at, audit_t.c.reason).where(
            audit_t.c.kind.in_(["SpeakerApproved", "SpeakerMovedToAudience"]))).all()
    engine.dispose()
    approved = {r.stage_id: _utc(r.at) for r in rows if r.kind == "SpeakerApproved"}
    moved = [(r.stage_id, _utc(r.at)) for r in rows if r.kind == "SpeakerMovedToAudience" and r.reason == "time_up"]
    limit = timedelta(seconds=LIMIT)
    return {"to_bus": _delays([(approved[s] + limit, at) for s, at in reached.items()]),
            "committed": _delays([(approved[s] + limit, at) for s, at in done.items()]),
            "moved": len(moved), "moved_twice": len(moved) - len({s for s, _ in moved}), "pending_at_once": pending,
            "armed_seconds": armed_in, "peak_rss_mb": peak, "baseline_rss_mb": baseline}


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ---- running each scenario in a process of its own -------------------------------------------------

async def speaking_burst(url: str) -> dict[str, Any]:
    return await speaking_timers(url, spread=0.0)


SCENARIOS = {"reminders": reminders, "speaking": speaking_timers, "burst": speaking_burst}


def measure(scenario: str, url: str) -> dict[str, Any]:
    output = subprocess.run([sys.executable, "-m", "bench.scheduler_bench", scenario, url],
                            capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


@contextmanager
def sqlite_database(name: str) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="podium-bench-") as folder:
        yield f"sqlite:///{Path(folder) / name}.db"


@contextmanager
def postgres_database(name: str) -> Iterator[str]:
    """A schema of its own in the database PODIUM_BENCH_POSTGRES names, dropped afterwards."""
    from sqlalchemy import create_engine, text

    url, schema = os.environ["PODIUM_BENCH_POSTGRES"], f"bench_{name}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def report() -> None:
    targets: list[tuple[str, Any]] = [("SQLite", sqlite_database)]
    if os.environ.get("PODIUM_BENCH_POSTGRES"):
        targets.append(("PostgreSQL", postgres_database))
    for label, database in targets:
        with database("reminders") as url:
            r = measure("reminders", url)
        print(f"  {label}, {REMINDERS:,} reminders (SendReminder jobs routed to a counting run, no core work), "
              f"due 1 ms apart:")
        print(f"    firing delay p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.1f} ms, "
              f"{r['early']} early (target p99 < 250 ms); stored {r['scheduled_per_second']:,.0f} jobs/s; "
              f"peak RSS {r['peak_rss_mb']:.0f} MB (interpreter and libraries alone {r['baseline_rss_mb']:.0f} MB)")
        for scenario, how in (("speaking", f"speakers took the floor over {SPREAD:.0f} s"),
                              ("burst", "all speakers took the floor at once")):
            with database(scenario) as url:
                r = measure(scenario, url)
            bus, done = r["to_bus"], r["committed"]
            print(f"  {label}, {STAGES:,} concurrent speaking timers, {how} (ExpireDue jobs armed by the bus, "
                  f"through the real core; {r['pending_at_once']:,} pending at once):")
            print(f"    limit -> ExpireDue at the bus: p50 {bus['p50_ms']:.1f} ms, p99 {bus['p99_ms']:.1f} ms, "
                  f"max {bus['max_ms']:.1f} ms, {bus['early']} early (target p99 < 250 ms)")
            print(f"    limit -> speaker moved back, committed: p50 {done['p50_ms']:.1f} ms, "
                  f"p99 {done['p99_ms']:.1f} ms; {r['moved']:,} moved, {r['moved_twice']} twice; "
                  f"peak RSS {r['peak_rss_mb']:.0f} MB (interpreter and libraries alone "
                  f"{r['baseline_rss_mb']:.0f} MB)")


if __name__ == "__main__":
    if len(sys.argv) == 3:
        print(json.dumps(asyncio.run(SCENARIOS[sys.argv[1]](sys.argv[2]))))
    else:
        print(f"machine: {describe()}")
        report()
