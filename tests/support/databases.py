"""Real databases for the tests: a SQLite file and a PostgreSQL schema of its own.

Every test that takes ``database_url`` runs twice: on a SQLite file and on PostgreSQL. Each PostgreSQL test
gets a schema of its own, named in the connection's ``search_path``, so Alembic's version table and every
table the test creates live there and vanish with ``DROP SCHEMA ... CASCADE``; tests never see each other's
rows nor whatever else lives in the database's ``public`` schema.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from functools import cache
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine, create_engine

from bot.persistence.database import Database

PG_HOST, PG_PORT, PG_DATABASE = "127.0.0.1", 5432, "test"
PG_USERS = ("postgres", "root")


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


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    engine = create_engine(pg_url)
    try:
        yield engine
    finally:
        engine.dispose()


def driver_statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What psycopg is asked to send from now on, as the first three words of each statement; a row of an
    executemany counts as a statement (the driver sends it as one)."""
    sent: list[str] = []
    for name, count in (("execute", lambda args: 1), ("executemany", lambda args: len(args[0]))):
        original = getattr(psycopg.Cursor, name)

        def spy(self: Any, query: Any, *args: Any, _original: Any = original, _count: Any = count,
                **kwargs: Any) -> Any:
            sent.extend([" ".join(str(query).split()[:3])] * _count(args))
            return _original(self, query, *args, **kwargs)

        monkeypatch.setattr(psycopg.Cursor, name, spy)
    return sent
