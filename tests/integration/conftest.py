"""Real databases, Apps built by the composition root, and a fake platform that records what it is asked.

Every test that takes ``database_url`` runs twice: on a SQLite file and on PostgreSQL. Each PostgreSQL test
gets a schema of its own, named in the connection's ``search_path``, so Alembic's version table and every
table the test creates live there and vanish with ``DROP SCHEMA ... CASCADE``; tests never see each other's
rows nor whatever else lives in the database's ``public`` schema.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine, create_engine

from bot.bootstrap import App, build
from bot.clock import ManualClock
from bot.config import Settings
from bot.domain.members import Recap
from bot.i18n.message import Message
from bot.persistence.database import Database
from bot.ports import Capability, StagePlatform, StageRef
from bot.services.board import Board
from bot.services.schedule_view import ScheduleView

PG_HOST, PG_PORT, PG_DATABASE = "127.0.0.1", 5432, "test"
PG_USERS = ("postgres", "root")

# Microseconds on purpose: a round trip must keep them.
T0 = datetime(2026, 3, 2, 18, 0, 0, 123456, tzinfo=UTC)


# ---- databases -------------------------------------------------------------------------------------

@cache
def _postgres() -> tuple[str | None, str]:
    """The user PostgreSQL lets in, or why there is no server to talk to (asked once per run)."""
    try:
        socket.create_connection((PG_HOST, PG_PORT), timeout=1).close()
    except OSError as error:
        return None, f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT}: {error}"
    refusals = []
    for user in PG_USERS:
        try:
            with psycopg.connect(host=PG_HOST, port=PG_PORT, user=user, dbname=PG_DATABASE,
                                 connect_timeout=2) as conn:
                conn.execute("SELECT 1")
            return user, ""
        except psycopg.Error as error:
            refusals.append(f"{user}: {str(error).strip()}")
    # A server that answers but lets nobody in is a broken setup, not a missing one: fail, do not skip.
    return None, "PostgreSQL answers but refused every user: " + "; ".join(refusals)


def _admin(user: str) -> psycopg.Connection[Any]:
    return psycopg.connect(host=PG_HOST, port=PG_PORT, user=user, dbname=PG_DATABASE,
                           connect_timeout=2, autocommit=True)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose connections see only a fresh schema of their own."""
    user, problem = _postgres()
    if user is None:
        if problem.startswith("PostgreSQL not reachable"):
            pytest.skip(problem)
        pytest.fail(problem)
    name = f"test_{uuid.uuid4().hex[:12]}"
    with _admin(user) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    try:
        yield (f"postgresql+psycopg://{user}@{PG_HOST}:{PG_PORT}/{PG_DATABASE}"
               f"?options=-csearch_path%3D{name}&application_name={name}")
    finally:
        with _admin(user) as admin:
            # Connections a failed test left behind would hold locks the drop waits for.
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
                          (name,))
            admin.execute("SET lock_timeout = '5s'")
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'podium.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """The core's Database on the test's database, disposed after the test."""
    database = Database(database_url)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def plain_engine(database_url: str) -> Iterator[Engine]:
    """A connection pool of its own, as another program reading the database would have."""
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        engine.dispose()


# ---- apps ------------------------------------------------------------------------------------------

def make_settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class Apps:
    """Builds Apps the way `podium run` does, and stops whatever a test left running."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._running: list[App] = []

    async def start(self, *, clock: ManualClock | None = None, url: str | None = None,
                    platform: StagePlatform | None = None, default_locale: str = "en") -> App:
        app = build(make_settings(default_locale=default_locale), clock=clock or ManualClock(T0),
                    database_url=url or self.url)
        if platform is not None:
            app.register(platform)
        self._running.append(app)
        await app.start()
        return app

    async def stop(self, app: App) -> None:
        self._running.remove(app)
        await app.stop()

    async def stop_all(self) -> None:
        while self._running:
            await self.stop(self._running[-1])


@pytest.fixture
async def apps(database_url: str) -> AsyncIterator[Apps]:
    running = Apps(database_url)
    try:
        yield running
    finally:
        await running.stop_all()


@pytest.fixture
async def pg_apps(pg_url: str) -> AsyncIterator[Apps]:
    """Apps on PostgreSQL only: what several bot processes sharing one database look like."""
    running = Apps(pg_url)
    try:
        yield running
    finally:
        await running.stop_all()


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    engine = create_engine(pg_url)
    try:
        yield engine
    finally:
        engine.dispose()


# ---- the platform ----------------------------------------------------------------------------------

class PlatformRefused(Exception):
    """What a real platform raises when it says no (missing permission, member gone)."""


@dataclass(frozen=True)
class Call:
    method: str
    stage_id: str
    user_id: str | None = None
    args: dict[str, Any] = field(default_factory=dict)


class FakePlatform:
    """A StagePlatform that records every call, and refuses the ones a test names."""

    def __init__(self, name: str = "fake", capabilities: frozenset[Capability] = frozenset(Capability)) -> None:
        self.name, self.capabilities = name, capabilities
        self.calls: list[Call] = []
        self._refused: set[tuple[str, str]] = set()

    def refuse(self, method: str, stage_id: str) -> None:
        self._refused.add((method, stage_id))

    def of(self, stage_id: str, method: str | None = None) -> list[Call]:
        return [c for c in self.calls if c.stage_id == stage_id and method in (None, c.method)]

    def _record(self, method: str, stage_id: str, user_id: str | None = None, **args: Any) -> None:
        self.calls.append(Call(method, stage_id, user_id, args))
        if (method, stage_id) in self._refused:
            raise PlatformRefused(f"{method} refused on {stage_id}")

    async def stage_opened(self, board: Board) -> None:
        self._record("stage_opened", board.ref.stage_id, board=board)

    async def stage_closed(self, board: Board, recap: Recap) -> None:
        self._record("stage_closed", board.ref.stage_id, board=board, recap=recap)

    async def show_board(self, board: Board) -> None:
        self._record("show_board", board.ref.stage_id, board=board)

    async def set_speaker(self, stage: StageRef, user_id: str, *, speaking: bool) -> None:
        self._record("set_speaker", stage.stage_id, user_id, speaking=speaking)

    async def notify(self, stage: StageRef, user_id: str, message: Message, locale: str) -> None:
        self._record("notify", stage.stage_id, user_id, message=message, locale=locale)

    async def announce(self, stage: StageRef, message: Message, locale: str) -> None:
        self._record("announce", stage.stage_id, message=message, locale=locale)

    async def disconnect(self, stage: StageRef, user_id: str) -> None:
        self._record("disconnect", stage.stage_id, user_id)

    async def set_access(self, stage: StageRef, user_id: str, *, allowed: bool) -> None:
        self._record("set_access", stage.stage_id, user_id, allowed=allowed)

    async def withdraw_hand(self, stage: StageRef, user_id: str) -> None:
        self._record("withdraw_hand", stage.stage_id, user_id)

    async def restore_access(self, stage: StageRef, user_id: str) -> None:
        self._record("restore_access", stage.stage_id, user_id)

    async def schedule_changed(self, schedule: ScheduleView) -> None:
        self._record("schedule_changed", schedule.schedule_id, schedule=schedule)


_conforms: type[StagePlatform] = FakePlatform  # a type checker holds the fake to the port


@pytest.fixture
def platform() -> FakePlatform:
    return FakePlatform()
