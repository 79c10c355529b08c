"""Whether stages are still at the versions a unit of work read them at: how a transaction learns that another
process wrote a stage meanwhile, whether it trusted this process's copy of the stage instead of locking it (see
SqlUnitOfWork.serialize) or checks the versioned update of a stage it locked. PostgreSQL only: alone on SQLite, a
process's copy is the truth, and the bot checks each update's row count itself.

The checks inside a transaction are the server's (`podium_still`, migration 0021): a stage found moved aborts
the transaction before its COMMIT, which can then go out with the writes, answered once; the conflict names the
stages (bot/persistence/database.py, MOVED)."""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, Update, and_, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY, array
from sqlalchemy.engine import Dialect

from bot.persistence.fastsql import Compiled, unnested
from bot.persistence.repository import stage_t
from bot.ports import ConcurrencyConflict


@cache
def versions_statement(dialect: Dialect) -> Compiled:
    """The stages (ids) still at the version given for each."""
    return Compiled(_still_at(), dialect)


@cache
def held_at(dialect: Dialect) -> Compiled:
    """Aborts the transaction unless each stage given (ids and versions, as `as_columns` makes them) is still at
    its version; their rows share-locked to the end of the transaction, in the order of their ids (as every
    process takes them), which waits for a transaction writing one and then reads what it committed."""
    held = _still_at().order_by(stage_t.c.id).with_for_update(read=True, of=stage_t).cte("held")
    return Compiled(_guarded(bindparam("id", type_=ARRAY(stage_t.c.id.type)), held.c.id), dialect)


def versioned_update(names: tuple[str, ...]) -> Update:
    """A stage row's versioned update: the columns `names` set where the row (`_id`) is still at version `_seen`."""
    return (update(stage_t).where(stage_t.c.id == bindparam("_id"), stage_t.c.version == bindparam("_seen"))
            .values({name: bindparam(name, type_=stage_t.c[name].type) for name in names}))


@lru_cache(maxsize=512)
def updated_at(dialect: Dialect, names: tuple[str, ...]) -> Compiled:
    """The versioned update, aborting the transaction when the row is no longer at version `_seen`."""
    written = versioned_update(names).returning(stage_t.c.id).cte("written")
    return Compiled(_guarded(array([bindparam("_id", type_=stage_t.c.id.type)]), written.c.id), dialect)


@lru_cache(maxsize=512)
def all_updated_at(dialect: Dialect, names: tuple[str, ...]) -> Compiled:
    """The same for many stages in one statement, over `unnested` rows."""
    v = unnested([("_id", stage_t.c.id.type), ("_seen", stage_t.c.version.type)]
                 + [(name, stage_t.c[name].type) for name in names])
    written = (update(stage_t).where(stage_t.c.id == v.c._id, stage_t.c.version == v.c._seen)
               .values({name: v.c[name] for name in names}).returning(stage_t.c.id).cte("written"))
    return Compiled(_guarded(bindparam("_id", type_=ARRAY(stage_t.c.id.type)), written.c.id), dialect)


def as_columns(stages: dict[str, int]) -> dict[str, list[Any]]:
    """The statements' parameters for `stages` (id -> version)."""
    return {"id": list(stages), "version": list(stages.values())}


def moved(stages: dict[str, int], still: list[tuple[Any, ...]]) -> None:
    """Raises ConcurrencyConflict naming the stages the statement did not find at their version."""
    found = {row[0] for row in still}
    gone = [stage_id for stage_id in stages if stage_id not in found]
    if gone:
        raise ConcurrencyConflict(*gone)


def still_at(engine: Engine, stages: dict[str, int]) -> None:
    """The same check on a connection of its own, outside any transaction that writes (a refusal's)."""
    with engine.connect() as conn:
        moved(stages, versions_statement(conn.dialect).rows(conn, as_columns(stages)))


def _still_at() -> Select[Any]:
    v = unnested([("id", stage_t.c.id.type), ("version", stage_t.c.version.type)])
    return select(stage_t.c.id).select_from(
        v.join(stage_t, and_(stage_t.c.id == v.c.id, stage_t.c.version == v.c.version)))


def _guarded(expected: ColumnElement[Any], found: ColumnElement[Any]) -> Select[Any]:
    """`podium_still(expected, the ids found)`: raises (aborting the transaction) naming those not found."""
    return select(func.podium_still(expected, select(func.array_agg(found)).scalar_subquery()))
