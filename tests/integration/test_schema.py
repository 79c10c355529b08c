"""The Alembic schema on a real database: created from nothing, idempotent, reversible."""

from __future__ import annotations

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


def shape(engine: Engine) -> dict[str, set[str]]:
    """Each table with its columns and indexes: what a revision adds or takes away."""
    inspector = inspect(engine)
    return {name: {c["name"] for c in inspector.get_columns(name)} |
            {f"index {ix['name']}" for ix in inspector.get_indexes(name)} for name in inspector.get_table_names()}


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
        assert shape(plain_engine) != before, revision
        await db.run(schema.upgrade, db, revision)
        assert shape(plain_engine) == before, revision
        await db.run(schema.downgrade, db, "-1")
    assert await db.run(schema.current, db) is None
