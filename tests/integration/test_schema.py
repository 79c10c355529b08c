"""The Alembic schema on a real database: created from nothing, idempotent, reversible."""

from __future__ import annotations

import json
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel

import bot.persistence.tables  # noqa: F401  (the tables the code expects, on SQLModel.metadata)
from adapters.platforms import load_tables
from bot.persistence import schema
from bot.persistence.database import Database

load_tables()  # and the platforms' own (Slack's), migrated in the same history
TABLES = set(SQLModel.metadata.tables)


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


# Revisions that change only how SQLite stores a table: on PostgreSQL they leave the shape as it was.
SQLITE_STORAGE_ONLY = {"0020"}
# Revisions that add only a function of PostgreSQL's: on SQLite they leave the shape as it was.
POSTGRESQL_ONLY = {"0021"}


def shape(engine: Engine) -> dict[str, set[str]]:
    """Each table with its columns and indexes, on SQLite whether it has rowids, on PostgreSQL the functions of
    the schema: what a revision changes."""
    inspector = inspect(engine)
    found = {name: {c["name"] for c in inspector.get_columns(name)} |
             {f"index {ix['name']}" for ix in inspector.get_indexes(name)} for name in inspector.get_table_names()}
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            for name, created in conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")):
                if name in found and created.rstrip().upper().endswith("WITHOUT ROWID"):
                    found[name].add("without rowid")
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            found["functions"] = set(conn.execute(text(
                "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = current_schema()")).scalars())
    return found


def indexes(engine: Engine) -> dict[str, bool]:
    return {ix["name"]: bool(ix["unique"]) for ix in inspect(engine).get_indexes("stage")}


async def test_upgrade_creates_the_schema_at_head(db: Database, plain_engine: Engine) -> None:
    assert await db.run(schema.current, db) is None
    assert tables(plain_engine) == set()

    await db.run(schema.upgrade, db)

    assert schema.head() is not None
    assert await db.run(schema.current, db) == schema.head()
    assert tables(plain_engine) == TABLES | {"alembic_version"}
    assert indexes(plain_engine) == {"ix_stage_state": False, "uq_stage_live_channel": True}


async def test_the_migrations_build_what_the_tables_declare(db: Database, plain_engine: Engine) -> None:
    await db.run(schema.upgrade, db)
    with plain_engine.connect() as conn:
        drift = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert drift == []


async def test_upgrading_twice_changes_nothing(db: Database, plain_engine: Engine) -> None:
    await db.run(schema.upgrade, db)
    with plain_engine.begin() as conn:
        conn.execute(text("INSERT INTO space_setting (platform, space_id, locale) VALUES ('fake', 's', 'fr')"))

    await db.run(schema.upgrade, db)

    assert await db.run(schema.current, db) == schema.head()
    with plain_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
        assert conn.execute(text("SELECT locale FROM space_setting")).scalar_one() == "fr"


async def test_downgrade_to_base_and_up_again(db: Database, plain_engine: Engine) -> None:
    await db.run(schema.upgrade, db)

    await db.run(schema.downgrade, db, "base")

    assert await db.run(schema.current, db) is None
    assert tables(plain_engine) == {"alembic_version"}

    await db.run(schema.upgrade, db)

    assert await db.run(schema.current, db) == schema.head()
    assert tables(plain_engine) == TABLES | {"alembic_version"}
    assert indexes(plain_engine)["uq_stage_live_channel"] is True


async def test_every_revision_steps_down_and_up(db: Database, plain_engine: Engine) -> None:
    revisions = [r.revision for r in ScriptDirectory(str(schema.MIGRATIONS)).walk_revisions()]  # newest first
    assert revisions[0] == schema.head()
    await db.run(schema.upgrade, db)
    for revision in revisions:
        before = shape(plain_engine)
        await db.run(schema.downgrade, db, "-1")
        if (revision in SQLITE_STORAGE_ONLY and plain_engine.dialect.name != "sqlite"
                or revision in POSTGRESQL_ONLY and plain_engine.dialect.name != "postgresql"):
            assert shape(plain_engine) == before, revision
        else:
            assert shape(plain_engine) != before, revision
        await db.run(schema.upgrade, db, revision)
        assert shape(plain_engine) == before, revision
        await db.run(schema.downgrade, db, "-1")
    assert await db.run(schema.current, db) is None


async def test_the_outbox_keeps_its_rows_when_sqlite_stores_it_without_rowid(db: Database,
                                                                         plain_engine: Engine) -> None:
    await db.run(schema.upgrade, db, "0019")
    row = ("INSERT INTO outbox (stream, position, platform, kind, payload, created_at, owner, claimed_until) "
           "VALUES ('s1', 100000, 'slack', 'tell', '{\"user\": \"U1\"}', :at, 'p1', :at)")
    with plain_engine.begin() as conn:
        conn.execute(text(row), {"at": "2026-12-04 15:00:00.000000"})
    await db.run(schema.upgrade, db)
    with plain_engine.connect() as conn:
        [(stream, position, kind, payload)] = conn.execute(text("SELECT stream, position, kind, payload FROM outbox"))
        assert (stream, position, kind) == ("s1", 100000, "tell")
        assert (json.loads(payload) if isinstance(payload, str) else payload) == {"user": "U1"}
        if plain_engine.dialect.name == "sqlite":
            created = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'outbox'")).scalar_one()
            assert created.rstrip().endswith("WITHOUT ROWID")
    await db.run(schema.downgrade, db, "0019")
    with plain_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM outbox")).scalar_one() == 1


def _start(url: str, at: float) -> str | None:
    """What each bot does at start, in a process of its own (Alembic keeps module-wide state: one per process)."""
    db = Database(url)
    try:
        time.sleep(max(0.0, at - time.time()))
        schema.upgrade(db)
        return schema.current(db)
    finally:
        db.engine.dispose()


@pytest.mark.postgres
def test_processes_starting_together_on_a_fresh_postgresql_migrate_it_once(pg_url: str) -> None:
    """Several bots started at once (compose, a rolling deploy): the others wait for the first's upgrade."""
    # Without the migration lock they block on each other's tables: lock_timeout makes that a failure, not a hang.
    bounded = pg_url.replace("?options=-c", "?options=-clock_timeout%3D20000%20-c")
    assert bounded != pg_url
    at = time.time() + 3.0  # every process imported and connected: then all upgrade at once
    with ProcessPoolExecutor(4, mp_context=multiprocessing.get_context("spawn")) as pool:
        started = [pool.submit(_start, bounded, at) for _ in range(4)]
        assert [f.result(timeout=120) for f in started] == [schema.head()] * 4
