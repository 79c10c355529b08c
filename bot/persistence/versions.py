"""Whether stages are still at the versions a unit of work read them at: how a process that trusted its copy of
a stage instead of locking it learns, when it commits, that another process wrote the stage meanwhile (see
SqlUnitOfWork.serialize). PostgreSQL only: alone on SQLite, a process's copy is the truth."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Engine, and_, select
from sqlalchemy.engine import Dialect

from bot.persistence.fastsql import Compiled, unnested
from bot.persistence.repository import stage_t
from bot.ports import ConcurrencyConflict


@cache
def versions_statement(dialect: Dialect, *, hold: bool = False) -> Compiled:
    """The stages (ids) still at the version given for each; `hold`: their rows share-locked to the end of the
    transaction, in the order of their ids (as every process takes them), which waits for a transaction writing
    one and then reads what it committed."""
    v = unnested([("id", stage_t.c.id.type), ("version", stage_t.c.version.type)])
    query = select(v.c.id).select_from(
        v.join(stage_t, and_(stage_t.c.id == v.c.id, stage_t.c.version == v.c.version)))
    return Compiled(query.order_by(stage_t.c.id).with_for_update(read=True, of=stage_t) if hold else query, dialect)


def as_columns(stages: dict[str, int]) -> dict[str, list[Any]]:
    """The statement's parameters for `stages` (id -> version)."""
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
