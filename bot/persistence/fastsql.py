"""Statements compiled once and run on the driver's cursor: the hot write path of every command.

SQLAlchemy's per-execution work (coercion, caching, bind processing through the execution context,
result set-up) costs several times what SQLite itself spends on a small transaction. Compiling once,
applying the same bind processors by hand and executing on the DBAPI cursor of the connection, inside
the transaction SQLAlchemy began, keeps its exact conversions at a fraction of the cost. Where anything
listens to the engine's statements (echo or its logger, tracing, tests counting writes) they go through
SQLAlchemy. Driver errors are raised as SQLAlchemy raises them, and a lost connection is invalidated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


class Compiled:
    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        # DML compiles with the dialect's SQLCompiler, whose bind names and processors are read below.
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        self.sql = str(compiled)
        self._positional = compiled.positiontup is not None
        self._names: list[str] = list(compiled.positiontup or compiled.bind_names.values())
        processors = compiled._bind_processors  # the conversions SQLAlchemy itself would apply
        # Podium binds no tuples, whose processors would come as a sequence: each is one callable here.
        self._processors: dict[str, Callable[[Any], Any]] = {
            name: found for name in self._names if callable(found := processors.get(name))}
        self._dialect = dialect

    def params(self, values: Mapping[str, Any]) -> Any:
        processors = self._processors
        if self._positional:
            return tuple(processors[n](values[n]) if n in processors else values[n] for n in self._names)
        return {n: processors[n](values[n]) if n in processors else values[n] for n in self._names}

    def execute(self, conn: Connection, values: Mapping[str, Any]) -> int:
        """Runs the statement once; returns the number of rows it touched."""
        return self._run(conn, False, self.params(values))

    def execute_many(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> int:
        if len(rows) == 1:  # the usual case: one member, one audit entry; executemany costs more
            return self.execute(conn, rows[0])
        return self._run(conn, True, [self.params(row) for row in rows])

    def _run(self, conn: Connection, many: bool, params: Any) -> int:
        if conn._has_events or conn.engine._has_events or conn._echo:
            return int(conn.exec_driver_sql(self.sql, params).rowcount)
        dbapi_connection = conn.connection.dbapi_connection
        cursor = conn.connection.cursor()
        try:
            (cursor.executemany if many else cursor.execute)(self.sql, params)
            return int(cursor.rowcount)
        except self._dialect.loaded_dbapi.Error as error:
            lost = self._dialect.is_disconnect(error, dbapi_connection, cursor)
            if lost:
                conn.invalidate(error)
            # The exception SQLAlchemy would have raised (IntegrityError, OperationalError...), so callers
            # need not know the driver.
            raise DBAPIError.instance(self.sql, params, error, self._dialect.loaded_dbapi.Error,
                                      connection_invalidated=lost, dialect=self._dialect) from error
        finally:
            with suppress(self._dialect.loaded_dbapi.Error):  # a cursor of a lost connection may not close
                cursor.close()
