"""The Slack adapter's tables under Alembic: a database whose Slack tables the adapter created itself at start
(before revision 0004) is upgraded with its rows kept, and ends up exactly as the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import JSON, Boolean, Column, Engine, MetaData, String, Table, inspect, text
from sqlmodel import SQLModel

from adapters.slack.state import Huddle, SlackState
from bot.persistence import schema
from bot.persistence.database import Database
from tests.support.databases import database_url, db, pg_url, plain_engine  # noqa: F401 - fixtures

SLACK_TABLES = {"slack_huddle", "slack_stage"}
# Run on SQLite and on PostgreSQL, like tests/integration (the fixtures above).


def created_at_start_before_0004(engine: Engine) -> None:
    """What `SlackState.create()` did at every start until the tables joined the Alembic history."""
    metadata = MetaData()
    Table("slack_huddle", metadata,
          Column("room_id", String(40), primary_key=True),
          Column("team_id", String(40), nullable=False),
          Column("channel_id", String(40), nullable=False, index=True),
          Column("thread_ts", String(40), nullable=False),
          Column("participants", JSON, nullable=False),
          Column("ended", Boolean, nullable=False))
    Table("slack_stage", metadata,
          Column("stage_id", String(40), primary_key=True),
          Column("follow_huddle", Boolean, nullable=False, default=False),
          Column("room_id", String(40), nullable=True, index=True),
          Column("thread_board_ts", String(40), nullable=True))
    metadata.create_all(engine)


async def test_tables_the_adapter_created_itself_are_adopted_with_their_rows(
        db: Database, plain_engine: Engine) -> None:
    await db.run(schema.upgrade, db, "0003")
    created_at_start_before_0004(plain_engine)
    with plain_engine.begin() as conn:
        conn.execute(text("INSERT INTO slack_huddle VALUES ('R1', 'T1', 'C1', '1.000100', '[\"U1\"]', false)"))

    await db.run(schema.upgrade, db)

    assert await db.run(schema.current, db) == schema.head()
    huddle = await SlackState(db).huddle("R1")
    assert huddle == Huddle("R1", "T1", "C1", "1.000100", ("U1",), False)
    with plain_engine.connect() as conn:
        drift = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert drift == []


async def test_revision_0004_creates_them_and_its_downgrade_removes_them(
        db: Database, plain_engine: Engine) -> None:
    await db.run(schema.upgrade, db)
    assert SLACK_TABLES | {"schedule_message"} <= set(inspect(plain_engine).get_table_names())

    await db.run(schema.downgrade, db, "0003")

    assert not (SLACK_TABLES | {"schedule_message"}) & set(inspect(plain_engine).get_table_names())
