"""One board editor at a time per stage across Slack replicas.

Slack allows about one edit a second per channel. Each replica spaces its own edits of a stage, but replicas
behind a load balancer each commit changes to the same stage and would each edit its board. So an edit is made
in the stage's turn, a lease in its `slack_stage` row: the replica taking it writes its name and the end of the
turn (LEASE seconds on), edits, and gives the turn back marked with the earliest moment of the next edit (the
answer plus the interval). A replica finding the turn taken waits and looks again; a replica that died while
editing loses its turn when the lease runs out, and a restarted one (same INSTANCE_NAME) takes its own at once.
Times are seconds since the epoch on the replicas' clocks (kept in step by NTP, as hosts are).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from adapters.slack.tables import SlackStageRow
from bot.persistence.database import Database
from bot.persistence.tables import table_of

stage_t = table_of(SlackStageRow)

LEASE = 10.0  # seconds a turn lasts at most: an edit that takes longer (the replica died) loses it
LOOK_EVERY = 0.1  # seconds between looks at a turn another replica holds


class BoardTurns:
    def __init__(self, db: Database, *, editor: str, interval: float,
                 wall: Callable[[], float] = time.time) -> None:
        self._db, self.editor, self.interval, self._wall = db, editor, interval, wall

    @contextlib.asynccontextmanager
    async def turn(self, stage_id: str) -> AsyncIterator[None]:
        """Held while one edit of the stage's boards goes out; the next edit by anyone waits `interval` after."""
        while True:
            until = self._wall() + LEASE
            free_at = await self._db.run(self._take, stage_id, until)
            if free_at is None:
                break
            await asyncio.sleep(min(max(free_at - self._wall(), 0.0), LOOK_EVERY))
        try:
            yield
        finally:
            await self._db.run(self._give_back, stage_id, until, self._wall() + self.interval)

    def _take(self, stage_id: str, until: float) -> float | None:
        """None once the turn is this replica's; else when the holder's turn ends."""
        now = self._wall()
        with self._db.engine.begin() as conn:
            taken = conn.execute(update(stage_t).where(
                stage_t.c.stage_id == stage_id,
                or_(stage_t.c.board_turn_until.is_(None), stage_t.c.board_turn_until <= now,
                    stage_t.c.board_editor == self.editor))
                .values(board_editor=self.editor, board_turn_until=until)).rowcount
            if taken:
                return None
            held = conn.execute(select(stage_t.c.board_turn_until).where(stage_t.c.stage_id == stage_id)).first()
        if held is not None:
            return float(held[0])
        try:  # a stage with no row of its own yet (opened without a huddle)
            with self._db.engine.begin() as conn:
                conn.execute(insert(stage_t).values(stage_id=stage_id, follow_huddle=False, board_editor=self.editor,
                                                    board_turn_until=until))
        except IntegrityError:  # another replica inserted it first: its turn
            return now
        return None

    def _give_back(self, stage_id: str, until: float, free_at: float) -> None:
        with self._db.engine.begin() as conn:  # unless the lease ran out and another replica holds it now
            conn.execute(update(stage_t).where(stage_t.c.stage_id == stage_id, stage_t.c.board_editor == self.editor,
                                               stage_t.c.board_turn_until == until)
                         .values(board_turn_until=free_at))
