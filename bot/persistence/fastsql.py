"""Statements compiled once and run through the driver: the hot write path of every command.

SQLAlchemy's per-execution work (coercion, caching, bind processing through the execution context)
costs several times what SQLite itself spends on a small transaction; compiling once and applying the
same bind processors by hand keeps its exact conversions at a fraction of the cost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement


class Compiled:
    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self._positional = compiled.positiontup is not None
        self._names: list[str] = list(compiled.positiontup or compiled.bind_names.values())
        processors = compiled._bind_processors  # the conversions SQLAlchemy itself would apply
        self._processors = {name: processors[name] for name in self._names if name in processors}

    def params(self, values: Mapping[str, Any]) -> Any:
        processors = self._processors
        if self._positional:
            return tuple(processors[n](values[n]) if n in processors else values[n] for n in self._names)
        return {n: processors[n](values[n]) if n in processors else values[n] for n in self._names}

    def execute(self, conn: Connection, values: Mapping[str, Any]) -> Any:
        return conn.exec_driver_sql(self.sql, self.params(values))

    def execute_many(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> Any:
        return conn.exec_driver_sql(self.sql, [self.params(row) for row in rows])
