"""The APScheduler scheduler under test: schedulers on the test's database, a recorder of fired commands,
and Apps built with the "aps" scheduler. On PostgreSQL each test has a schema of its own (``pg_url``), so the
leader election (whose lock is named after the schema) never meets another test's scheduler."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from bot.bootstrap import App, build
from bot.config import Settings
from bot.domain import commands as c
from bot.domain.commands import Command
from bot.domain.members import SYSTEM, Actor
from bot.persistence.tables import AuditRow, table_of
from scheduler.aps import ApsScheduler

ON_TIME = timedelta(milliseconds=250)
HOST = Actor("host")
audit_t = table_of(AuditRow)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def aps_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'podium.db'}"
    return request.getfixturevalue("pg_url")


# ---- helpers ---------------------------------------------------------------------------------------

class Recorder:
    """A ``run`` that notes when each command arrived."""

    def __init__(self) -> None:
        self.fired: list[tuple[datetime, Command]] = []
        self._arrived = asyncio.Event()

    async def run(self, command: Command) -> None:
        self.fired.append((datetime.now(UTC), command))
        self._arrived.set()

    async def wait_for(self, count: int, within: float = 3.0) -> None:
        async with asyncio.timeout(within):
            while len(self.fired) < count:
                self._arrived.clear()
                await self._arrived.wait()


class Schedulers:
    def __init__(self, url: str) -> None:
        self.url, self.running = url, []  # type: ignore[var-annotated]

    async def start(self, recorder: Recorder, **options: Any) -> ApsScheduler:
        scheduler = ApsScheduler(self.url, run=recorder.run, **options)
        self.running.append(scheduler)
        await scheduler.start()
        return scheduler


@pytest.fixture
async def schedulers(aps_url: str) -> AsyncIterator[Schedulers]:
    made = Schedulers(aps_url)
    try:
        yield made
    finally:
        for scheduler in made.running:
            await scheduler.stop()


def soon(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


def expire(stage_id: str) -> c.ExpireDue:
    return c.ExpireDue(stage_id=stage_id, actor=SYSTEM)


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def start_app(url: str, **values: Any) -> App:
    app = build(settings(**values), scheduler="aps", database_url=url)
    await app.start()
    return app


async def open_stage(app: App, *present: str) -> str:
    await app.bus.handle(c.OpenStage(actor=HOST, platform="fake", space_id="space", channel_id="chan",
                                     title="Town hall", present=frozenset({"host", *present})))
    return await app.queries.live_stage("fake", "space", "chan")


def audit(url: str, stage_id: str) -> list[dict[str, Any]]:
    """The stage's audit log, read through the core's table definition by a connection of its own."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(audit_t.c.kind, audit_t.c.at, audit_t.c.target_id, audit_t.c.reason,
                                       audit_t.c.data).where(audit_t.c.stage_id == stage_id)
                                .order_by(audit_t.c.id)).mappings().all()
    finally:
        engine.dispose()
    return [dict(row) for row in rows]


def topics(url: str, stage_id: str) -> list[str]:
    return [row["data"]["topic"] for row in audit(url, stage_id) if row["kind"] == "TopicChanged"]


async def until(check: Any, within: float = 5.0) -> None:
    async with asyncio.timeout(within):
        while not check():
            await asyncio.sleep(0.02)
