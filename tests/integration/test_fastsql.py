"""The compiled statements of the hot write path, run on the driver's cursor: they convert values and fail
exactly as SQLAlchemy's own execution does, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import (JSON, Boolean, Column, Engine, Float, Integer, MetaData, String, Table, bindparam,
                        create_engine, event, insert, select, update)
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, ProgrammingError

from bot.persistence.fastsql import Batch, Compiled, bulk_insert, unnested
from bot.persistence.types import UtcDateTime
from tests.support.databases import driver_statements

metadata = MetaData()
things = Table("fastsql_thing", metadata, Column("id", Integer, primary_key=True),
               Column("name", String(20), nullable=False), Column("at", UtcDateTime()))
# Every kind of value the write path stores, for the rows sent as one statement (PostgreSQL).
kinds = Table("fastsql_kinds", metadata, Column("id", Integer, primary_key=True, autoincrement=True),
              Column("name", String(20), nullable=False), Column("at", UtcDateTime()), Column("flag", Boolean),
              Column("share", Float), Column("data", JSON, nullable=False))
PARIS = datetime(2026, 11, 22, 9, 30, tzinfo=timezone(timedelta(hours=1)))


@contextmanager
def _tables(url: str) -> Iterator[Engine]:
    made = create_engine(url)
    metadata.create_all(made)
    try:
        yield made
    finally:
        metadata.drop_all(made)
        made.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    with _tables(database_url) as made:
        yield made


@pytest.fixture
def pg(pg_url: str) -> Iterator[Engine]:
    """The rows sent as one statement are PostgreSQL's."""
    with _tables(pg_url) as made:
        yield made


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


def _kind_rows(prefix: str, count: int) -> list[dict[str, object]]:
    return [{"name": f"{prefix}{n:02}", "at": PARIS if n % 3 else None, "flag": (None, True, False)[n % 3],
             "share": n / 4 if n % 2 else None,
             "data": {"n": n, "words": ["l'heure", "é"], "none": None} if n % 2 else ["a tag", n]}
            for n in range(count)]


def _read_kinds(engine: Engine, prefix: str) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r)[1:] for r in conn.execute(
            select(kinds).where(kinds.c.name.startswith(prefix)).order_by(kinds.c.id))]


@pytest.mark.postgres
async def test_many_rows_go_as_one_statement_and_store_what_a_statement_a_row_stores(
        pg: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    names = [c.name for c in kinds.columns if c.name != "id"]
    plain = Compiled(insert(kinds).values({n: bindparam(n, type_=kinds.c[n].type) for n in names}), pg.dialect)
    bulk = Compiled(bulk_insert(kinds, names), pg.dialect)
    sent = driver_statements(monkeypatch)
    with pg.begin() as conn, Batch(conn) as batch:
        assert batch.pipelined
        batch.execute_many(plain, _kind_rows("b", 40), bulk=bulk)
    assert sent == ["INSERT INTO fastsql_kinds"]  # one statement for the forty rows
    monkeypatch.undo()
    with pg.begin() as conn:
        plain.execute_many(conn, _kind_rows("r", 40))
    by_bulk, by_row = _read_kinds(pg, "b"), _read_kinds(pg, "r")
    assert [row[1:] for row in by_bulk] == [row[1:] for row in by_row]  # every value alike
    assert [row[0] for row in by_bulk] == [f"b{n:02}" for n in range(40)]  # and in the order given (serial ids)
    assert by_bulk[1][1] == datetime(2026, 11, 22, 8, 30, tzinfo=UTC)


@pytest.mark.postgres
async def test_a_refused_row_among_many_takes_the_whole_statement_back(pg: Engine) -> None:
    names = ["id", "name", "data"]
    plain = Compiled(insert(kinds).values({n: bindparam(n, type_=kinds.c[n].type) for n in names}), pg.dialect)
    rows = [{"id": n, "name": f"x{n}", "data": {}} for n in (1, 2, 2)]
    with pytest.raises(IntegrityError):
        with pg.begin() as conn, Batch(conn) as batch:
            batch.execute_many(plain, rows, bulk=Compiled(bulk_insert(kinds, names), pg.dialect))
    with pg.connect() as conn:
        assert conn.execute(select(kinds)).all() == []


@pytest.mark.postgres
async def test_many_rows_are_refused_or_taken_as_a_statement_a_row_would_be(pg: Engine) -> None:
    """A string too long for its column is refused, not cut short; whole numbers in a float column are floats."""
    names = ["name", "share", "data"]
    plain = Compiled(insert(kinds).values({n: bindparam(n, type_=kinds.c[n].type) for n in names}), pg.dialect)
    bulk = Compiled(bulk_insert(kinds, names), pg.dialect)
    with pytest.raises(DataError):
        with pg.begin() as conn, Batch(conn) as batch:
            batch.execute_many(plain, [{"name": "ok", "share": 1.5, "data": {}},
                                       {"name": "x" * 25, "share": 1.5, "data": {}}], bulk=bulk)
    with pg.begin() as conn, Batch(conn) as batch:
        batch.execute_many(plain, [{"name": f"f{n}", "share": share, "data": {}}
                                   for n, share in enumerate((3, 0.5, None, 0))], bulk=bulk)
    with pg.connect() as conn:
        assert [tuple(r) for r in conn.execute(select(kinds.c.name, kinds.c.share).order_by(kinds.c.id))] == [
            ("f0", 3.0), ("f1", 0.5), ("f2", None), ("f3", 0.0)]


@pytest.mark.postgres
@pytest.mark.parametrize("pause", [0.0, 0.2])
async def test_a_failing_statement_of_a_batch_raises_its_own_error_whatever_follows_it(pg: Engine,
                                                                                     pause: float) -> None:
    """The server's refusal may reach the driver while later statements are queued (likelier after a pause): it
    is still the error raised, as SQLAlchemy raises it, not the missing answers of the statements it aborted."""
    with pg.begin() as conn:
        conn.execute(insert(kinds), [{"id": n, "name": f"k{n}", "data": {}} for n in (1, 2)])
    v = unnested([("id", kinds.c.id.type), ("name", kinds.c.name.type)])
    rename = Compiled(update(kinds).where(kinds.c.id == v.c.id).values(name=v.c.name).returning(kinds.c.id),
                      pg.dialect)
    plain = Compiled(insert(kinds).values({n: bindparam(n, type_=kinds.c[n].type) for n in ("id", "name", "data")}),
                     pg.dialect)
    with pytest.raises(DataError):
        with pg.begin() as conn, Batch(conn) as batch:
            batch.execute_bulk(rename, [{"id": 1, "name": "x" * 25}, {"id": 2, "name": "b"}])
            time.sleep(pause)
            for n in range(3, 7):
                batch.execute(plain, {"id": n, "name": "after", "data": {}})
