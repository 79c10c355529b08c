"""Two processes on one PostgreSQL raising 10,000 hands on the same ten stages at once:

    python -m bench.contention        (make bench-contention)

Every command must go through (none refused for a conflict) and be stored once: the stages' counters and the
audit log are read back at the end.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

STAGES, PER_PROCESS = 10, 5000

async def opener(url: str) -> list[str]:
    from bot.bootstrap import build
    from bot.config import Settings
    from bot.domain import commands as c
    from bot.domain.members import Actor
    app = build(Settings(_env_file=None, log_level="WARNING", rules={"max_queue_length": 5000, "hand_cooldown": 0,
                                                                       "must_be_present": False}), database_url=url)
    await app.start()
    ids = []
    for n in range(STAGES):
        await app.bus.handle(c.OpenStage(actor=Actor("host", platform_moderator=True), platform="bench",
                                         space_id="s", channel_id=f"c{n}", title=f"S{n}"))
        ids.append(await app.queries.live_stage("bench", "s", f"c{n}"))
    await app.stop()
    return ids

async def raiser(url: str, ids: list[str], prefix: str, at: float) -> tuple[int, list[str], float]:
    from bot.bootstrap import build
    from bot.config import Settings
    from bot.domain import commands as c
    from bot.domain.members import Actor
    from bot.domain.errors import StageError
    app = build(Settings(_env_file=None, log_level="WARNING", rules={"max_queue_length": 5000, "hand_cooldown": 0,
                                                                       "must_be_present": False}), database_url=url)
    await app.start()
    await asyncio.sleep(max(0, at - time.time()))
    refused: list[str] = []
    async def one_stage(i: int, stage_id: str) -> None:
        for m in range(PER_PROCESS // STAGES):
            try:
                await app.bus.handle(c.RaiseHand(actor=Actor(f"{prefix}{i}-{m}"), stage_id=stage_id))
            except StageError as e:
                refused.append(repr(e))
    t = time.perf_counter()
    await asyncio.gather(*(one_stage(i, s) for i, s in enumerate(ids)))
    dt = time.perf_counter() - t
    await app.stop()
    return len(refused), refused[:3], dt

def run_raiser(url: str, ids: list[str], prefix: str, at: float) -> tuple[int, list[str], float]:
    return asyncio.run(raiser(url, ids, prefix, at))

def main() -> None:
    import psycopg

    from bench.chaos_run import database
    from bench.machine import describe

    print(f"machine: {describe()}")
    with tempfile.TemporaryDirectory() as f, database("postgresql", Path(f)) as url:
        ids = asyncio.run(opener(url))
        at = time.time() + 6  # both processes started and migrated: then both at once
        with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [pool.submit(run_raiser, url, ids, p, at) for p in ("a", "b")]
            results: list[Any] = [r.result() for r in futures]
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
            stored = conn.execute("SELECT sum(hands_raised) FROM stage").fetchone()
            audited = conn.execute("SELECT count(*) FROM audit_log WHERE kind = 'HandRaised'").fetchone()
    for name, (refused, examples, seconds) in zip("ab", results):
        print(f"process {name}: {PER_PROCESS:,} raises in {seconds:.1f} s, {refused} refused {examples}")
    print(f"stored: {stored[0] if stored else 0:,} hands raised, {audited[0] if audited else 0:,} audit entries "
          f"(expected {2 * PER_PROCESS:,} each)")


if __name__ == "__main__":
    main()
