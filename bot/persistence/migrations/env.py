"""Alembic environment: runs on the connection `bot.persistence.schema` hands it."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine
from sqlmodel import SQLModel

import bot.persistence.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from adapters.platforms import load_tables

load_tables()  # the platforms' own tables (Slack's huddles), migrated in the same history
config = context.config
target_metadata = SQLModel.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("the migrations run on the connection or URL bot.persistence.schema gives them")
    engine = create_engine(url)
    with engine.begin() as conn:
        _migrate(conn)
    engine.dispose()


def _ours(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    # The scheduler's job table belongs to APScheduler, which creates it itself.
    return not (type_ == "table" and name == "apscheduler_jobs")


def _migrate(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, include_object=_ours,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


run()
