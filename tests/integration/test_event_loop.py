"""Database work never holds up the event loop: a ticker keeps ticking while the database is slow."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import Engine, make_url, text

from bot.domain import commands as c
from bot.domain.members import Actor
from tests.support.apps import Apps
from tests.support.stages import load, open_live

TICK = 0.005


async def longest_pause(work: Awaitable[Any]) -> tuple[float, float]:
    """Runs ``work`` next to a ticker; returns how long the work took and the longest gap between ticks."""
    done = asyncio.Event()
    ticks: list[float] = []

    async def ticker() -> None:
        while not done.is_set():
            ticks.append(time.perf_counter())
            await asyncio.sleep(TICK)

    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    started = time.perf_counter()
    try:
        await work
    finally:
        took = time.perf_counter() - started
        done.set()
        await ticking
    return took, max(b - a for a, b in zip(ticks, ticks[1:]))


def slow_query(engine: Engine) -> Callable[[], None]:
    if engine.dialect.name == "sqlite":
        query = text("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 2000000) "
                     "SELECT sum(x) FROM n")
    else:
        query = text("SELECT pg_sleep(0.3)")

    def run() -> None:
        with engine.connect() as conn:
            conn.execute(query).all()
    return run


async def test_a_slow_query_runs_beside_the_loop(apps: Apps) -> None:
    app = await apps.start()

    took, pause = await longest_pause(app.db.run(slow_query(app.db.engine)))

    assert took >= 0.15
    assert pause < min(0.1, took / 3)


@contextmanager
def write_lock(url: str, stage_id: str) -> Iterator[Callable[[], None]]:
    """Holds what a write to the stage needs, as another program would; yields the release."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        conn: Any = sqlite3.connect(parsed.database, isolation_level=None, check_same_thread=False)
        conn.execute("BEGIN IMMEDIATE")
    else:
        options = parsed.query.get("options")
        conn = psycopg.connect(host=parsed.host, port=parsed.port, user=parsed.username, dbname=parsed.database,
                               options=options)
        conn.execute("SELECT id FROM stage WHERE id = %s FOR UPDATE", (stage_id,))
    released = threading.Lock()

    def release() -> None:
        if released.acquire(blocking=False):
            conn.commit()

    # Should the loop be blocked after all, the lock still goes: the test then fails instead of hanging.
    fallback = threading.Timer(3, release)
    fallback.start()
    try:
        yield release
    finally:
        fallback.cancel()
        release()
        conn.close()


async def test_a_command_waiting_on_the_database_does_not_block_the_loop(apps: Apps, database_url: str) -> None:
    app = await apps.start()
    stage_id = await open_live(app, present={"alice"})
    await load(app, stage_id)

    async def raise_behind_lock() -> None:
        with write_lock(database_url, stage_id) as release:
            command = asyncio.create_task(app.bus.handle(c.RaiseHand(actor=Actor("alice"), stage_id=stage_id)))
            await asyncio.sleep(0.3)  # only reached if the loop runs while the command waits
            assert not command.done()
            release()
            reply = await command
        assert reply.params == {"position": 1}

    took, pause = await longest_pause(raise_behind_lock())

    assert took >= 0.3
    assert pause < 0.1
