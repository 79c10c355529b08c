"""Community figures (issue 15): `/leaderboard` over 1,000 closed stages x 500 members, and the follow bench.

`make bench-community`. Not a test: run on purpose; prints medians with the machine they ran on.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from bench.machine import describe, percentile
from bot.bootstrap import build
from bot.clock import ManualClock
from bot.config import Settings
from bot.domain.community import Board, Period
from bot.domain.members import Actor
from bot.persistence.community_store import tally_t
from bot.persistence.tables import RecapRow, StageRow, table_of
from bot.services.community import Asked

STAGES, MEMBERS, ASKS = 1_000, 500, 200
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _fill(db: object, *, seed: int) -> None:
    """1,000 stages closed over the last 60 days, each with all 500 members in the room (the worst case: a
    tally for every member of every stage, 500,000 in all), a few speakers each."""
    rng = random.Random(seed)
    stage_t, recap_t = table_of(StageRow), table_of(RecapRow)
    members = [f"member-{i:03d}" for i in range(MEMBERS)]
    with db.engine.begin() as conn:  # type: ignore[attr-defined]
        for n in range(STAGES):
            closed = NOW - timedelta(minutes=rng.randrange(60 * 24 * 60))
            stage_id, host = f"stage-{n:04d}", rng.choice(members)
            conn.execute(insert(stage_t), [{
                "id": stage_id, "platform": "bench", "space_id": "space", "channel_id": "stage", "title": f"#{n}",
                "state": "ended", "visibility": "public", "capacity": 0, "host_id": host, "rules": {},
                "created_at": closed - timedelta(hours=1), "opened_at": closed - timedelta(hours=1),
                "closed_at": closed, "peak_audience": MEMBERS}])
            conn.execute(insert(recap_t), [{"stage_id": stage_id, "created_at": closed, "duration_seconds": 3600,
                                            "peak_audience": MEMBERS, "hands_raised": 5, "hands_served": 5,
                                            "speakers": [], "still_waiting": []}])
            speakers = set(rng.sample(members, 5))
            conn.execute(insert(tally_t), [{
                "stage_id": stage_id, "user_id": m, "platform": "bench", "space_id": "space", "closed_at": closed,
                "present_seconds": rng.uniform(60, 3600), "turns": int(m in speakers),
                "spoke_seconds": rng.uniform(30, 600) if m in speakers else 0.0, "hands_raised": int(m in speakers),
                "hands_served": int(m in speakers), "hosted": m == host, "peak_audience": MEMBERS if m == host else 0,
                "incidents": 0} for m in members])
        # The day and all-time sums each close adds to (community_store._roll_up), summed here in one go.
        sums = ("count(*), sum(present_seconds), sum(turns), sum(spoke_seconds), sum(hands_raised), "
                "sum(hands_served), sum(hosted), max(case when hosted then peak_audience else 0 end), sum(incidents)")
        columns = ("stages, present_seconds, turns, spoke_seconds, hands_raised, hands_served, hosted, "
                   "peak_audience, incidents")
        conn.execute(text(f"INSERT INTO member_day (platform, space_id, user_id, day, {columns}) SELECT platform, "
                          f"space_id, user_id, date(closed_at), {sums} FROM member_tally "
                          f"GROUP BY platform, space_id, user_id, date(closed_at)"))
        conn.execute(text(f"INSERT INTO member_total (platform, space_id, user_id, {columns}) SELECT platform, "
                          f"space_id, user_id, {sums} FROM member_tally GROUP BY platform, space_id, user_id"))


async def _leaderboards(seed: int) -> list[float]:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(_env_file=None, database_url=f"sqlite:///{Path(folder) / 'bench.db'}")
        app = build(settings, clock=ManualClock(NOW))
        await app.migrate()
        _fill(app.db, seed=seed)
        asked = Asked(Actor("member-000"), "bench", "space")
        rng = random.Random(seed)
        latencies = []
        for _ in range(ASKS):
            board, period = rng.choice(list(Board)), rng.choice(list(Period))
            started = time.perf_counter()
            await app.community.leaderboard(asked, board, period)
            latencies.append((time.perf_counter() - started) * 1000)
        await app.db.dispose()
        return latencies


def leaderboard(runs: int = 3) -> None:
    print(f"\n== /leaderboard over {STAGES:,} closed stages x {MEMBERS} members ({STAGES * MEMBERS:,} tallies), "
          f"{ASKS} asks a run (boards and periods at random), {runs} runs ==")
    p50s, p99s = [], []
    for run in range(runs):
        latencies = asyncio.run(_leaderboards(run))
        p50s.append(percentile(latencies, 0.5))
        p99s.append(percentile(latencies, 0.99))
        print(f"  run {run + 1}: p50 {p50s[-1]:.2f} ms, p99 {p99s[-1]:.2f} ms, max {max(latencies):.2f} ms")
    print(f"  median p50 {statistics.median(p50s):.2f} ms, median p99 {statistics.median(p99s):.2f} ms "
          f"(target p99 < 50 ms)")


def main() -> None:
    print(f"machine: {describe()}")
    leaderboard()


if __name__ == "__main__":
    main()
