"""The compiled statements of the hot write path, run on the driver's cursor: they convert values and fail
exactly as SQLAlchemy's own execution does, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, create_engine, event, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from bot.persistence.fastsql import Compiled
from bot.persistence.types import UtcDateTime

metadata = MetaData()
things = Table("fastsql_thing", metadata, Column("id", Integer, primary_key=True),
               Column("name", String(20), nullable=False), Column("at", UtcDateTime()))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = create_engine(database_url)
    metadata.create_all(made)
    try:
        yield made
    finally:
        metadata.drop_all(made)
        made.dispose()


async def test_values_are_converted_as_sqlalchemy_converts_them(engine: Engine) -> None:
    statement = Compiled(insert(things), engine.dialect)
    paris = datetime(2026, 11, 22, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    with engine.begin() as conn:
        assert statement.execute(conn, {"id": 1, "name": "one", "at": paris}) == 1
        assert statement.execute_many(conn, [{"id": 2, "name": "two", "at": None},
                                             {"id": 3, "name": "three", "at": paris}]) in (2, -1)
    with engine.connect() as conn:
        rows = conn.execute(select(things).order_by(things.c.id)).all()
    assert [(r.id, r.name, r.at) for r in rows] == [
        (1, "one", datetime(2026, 11, 22, 8, 30, tzinfo=UTC)), (2, "two", None),
        (3, "three", datetime(2026, 11, 22, 8, 30, tzinfo=UTC))]


async def test_a_refused_row_raises_sqlalchemys_error_and_the_transaction_keeps_nothing(engine: Engine) -> None:
    statement = Compiled(insert(things), engine.dialect)
    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            statement.execute(conn, {"id": 1, "name": "kept?", "at": None})
            statement.execute(conn, {"id": 1, "name": "same id", "at": None})
    with pytest.raises((OperationalError, ProgrammingError)):  # a missing table: SQLite / PostgreSQL
        with engine.begin() as conn:
            Compiled(insert(Table("fastsql_missing", MetaData(), Column("id", Integer))), engine.dialect).execute(
                conn, {"id": 1})
    with engine.connect() as conn:
        assert conn.execute(select(things)).all() == []


async def test_with_a_listener_on_the_engine_statements_go_through_sqlalchemy(engine: Engine) -> None:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    with engine.begin() as conn:
        Compiled(insert(things), engine.dialect).execute(conn, {"id": 1, "name": "seen", "at": None})
    assert len(seen) == 1 and seen[0].upper().startswith("INSERT INTO FASTSQL_THING")
