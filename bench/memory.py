"""Peak memory for 100 live stages of 5,000 members each, every member in the room.

Two loads: hands up to the default queue cap (500 a stage, each with a note), which is what the rules
allow out of the box; and the extreme where the cap is lifted and all 5,000 members have a hand up.
The stages are written straight into a SQLite file (setup, not measured), then a fresh process loads
them all through the repository, as the bot does after a restart, and reports its peak RSS.
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.domain.members import Hand, Participant
from bot.domain.rules import Rules
from bot.domain.stage import Stage
from bot.persistence import schema
from bot.persistence.database import Database
from bot.persistence.mapping import participant_values, stage_values
from bot.persistence.repository import participant_t, stage_t

STAGES, MEMBERS = 100, 5_000


def populate(database: Path, hands: int) -> None:
    db = Database(f"sqlite:///{database}")
    schema.upgrade(db)
    now = datetime.now(UTC)
    with db.engine.begin() as conn:
        for s in range(STAGES):
            stage = Stage(id=f"stage{s:03d}", platform="bench", space_id="s", channel_id=f"c{s}", title=f"Stage {s}",
                          host_id="host", created_at=now, opened_at=now, rules=Rules(max_queue_length=max(hands, 1)))
            conn.execute(stage_t.insert().values(**stage_values(stage), version=1))
            rows = []
            for m in range(MEMBERS):
                hand = None
                if m < hands:
                    hand = Hand(raised_at=now + timedelta(milliseconds=m), seq=m + 1, note=f"question {m}")
                rows.append(participant_values(stage.id, Participant(user_id=f"{100000000000000000 + m}",
                                                                     present=True, hand=hand)))
            conn.execute(participant_t.insert(), rows)
    db.engine.dispose()


async def load_all(database: Path) -> dict[str, float]:
    from bot.bootstrap import build
    from bot.config import Settings

    app = build(Settings(_env_file=None), database_url=f"sqlite:///{database}")
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    await app.start()
    queued = 0
    for s in range(STAGES):
        board = await app.queries.board(f"stage{s:03d}")
        queued += board.queue_length
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    resident = int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize() / 2**20
    await app.stop()
    return {"peak_rss_mb": peak, "resident_mb": resident, "baseline_rss_mb": baseline, "stages": len(app.cache),
            "queued": queued}


def measure(hands: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "memory.db"
        populate(database, hands)
        output = subprocess.run([sys.executable, "-m", "bench.memory", str(database)], capture_output=True,
                                text=True, check=True).stdout
        return json.loads(output)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(load_all(Path(sys.argv[1])))))
