"""Two transactions of different processes that lock the same rows in opposite orders: PostgreSQL breaks the
deadlock by rolling one back, and Podium takes that as a conflicting write (the command is judged again), not
as a failure to report to the member."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import text

from bot.persistence.database import Database


@pytest.mark.postgres
async def test_a_deadlock_is_a_conflict_to_judge_again(pg_url: str) -> None:
    db = Database(pg_url)
    try:
        with db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE seat (id INTEGER PRIMARY KEY, taken INTEGER)"))
            conn.execute(text("INSERT INTO seat VALUES (1, 0), (2, 0)"))
        both_hold_one = threading.Barrier(2, timeout=10)

        def take(first: int, second: int) -> None:
            with db.engine.begin() as conn:
                conn.execute(text("SET LOCAL deadlock_timeout = '50ms'"))
                conn.execute(text("UPDATE seat SET taken = taken + 1 WHERE id = :id"), {"id": first})
                both_hold_one.wait()
                conn.execute(text("UPDATE seat SET taken = taken + 1 WHERE id = :id"), {"id": second})

        outcomes = await asyncio.gather(db.run(take, 1, 2), db.run(take, 2, 1), return_exceptions=True)
        assert sorted(type(o).__name__ for o in outcomes) == ["ConcurrencyConflict", "NoneType"]  # one went through
    finally:
        await db.dispose()
