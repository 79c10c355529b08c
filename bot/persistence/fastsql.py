"""Statements compiled once and run on the driver's cursor: the hot write path of every command.

SQLAlchemy's per-execution work (coercion, caching, bind processing through the execution context,
result set-up) costs several times what SQLite itself spends on a small transaction. Compiling once,
applying the same bind processors by hand and executing on the DBAPI cursor of the connection, inside
the transaction SQLAlchemy began, keeps its exact conversions at a fraction of the cost. Where anything
listens to the engine's statements (echo or its logger, tracing, tests counting writes) they go through
SQLAlchemy. Driver errors are raised as SQLAlchemy raises them, and a lost connection is invalidated.

On PostgreSQL the rows of many commands go as one statement (`unnest`: each column's values as one array),
not as a statement a row: the server then parses, plans and answers once, and is woken once instead of once a
row, which on a machine whose cores are all busy also means preempting a bot once instead of once a row.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from functools import lru_cache
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Boolean, Connection, DateTime, Float, String, Table, bindparam, column, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeEngine


class Compiled:
    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        # DML compiles with the dialect's SQLCompiler, whose bind names and processors are read below.
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        self.sql = str(compiled)
        self._positional = compiled.positiontup is not None
        self._names: list[str] = list(compiled.positiontup or compiled.bind_names.values())
        processors = compiled._bind_processors  # the conversions SQLAlchemy itself would apply
        types = {name: bind.type for bind, name in compiled.bind_names.items()}
        # Podium binds no tuples, whose processors would come as a sequence: each is one callable here.
        convert = [(i, _cheaper(found, types.get(name), dialect)) for i, name in enumerate(self._names)
                   if callable(found := processors.get(name))]
        self._convert = [(i, processor) for i, processor in convert if processor is not None]
        self._take = itemgetter(*self._names) if len(self._names) > 1 else lambda v: (v[self._names[0]],)
        self._dialect = dialect
        self._floats = {name for name, type_ in types.items() if isinstance(getattr(type_, "item_type", None), Float)}

    def params(self, values: Mapping[str, Any]) -> Any:
        row = self._take(values)
        if self._convert:
            row = list(row)
            for i, processor in self._convert:
                row[i] = processor(row[i])
        return tuple(row) if self._positional else dict(zip(self._names, row))

    def columns(self, rows: Sequence[Mapping[str, Any]]) -> Any:
        """The parameters of a statement over `unnested` rows: each name bound to its values in every row.
        A float column's whole numbers become floats: the driver makes an array of one type only."""
        return self.params({name: [_float(row[name]) for row in rows] if name in self._floats
                            else [row[name] for row in rows] for name in self._names})

    def execute(self, conn: Connection, values: Mapping[str, Any]) -> int:
        """Runs the statement once; returns the number of rows it touched."""
        return int(self._run(conn, False, self.params(values)))

    def execute_many(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> int:
        if len(rows) == 1:  # the usual case: one member, one audit entry; executemany costs more
            return self.execute(conn, rows[0])
        return int(self._run(conn, True, [self.params(row) for row in rows]))

    def rows(self, conn: Connection, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Runs a query once; returns its rows, as the driver gives them (no result processing)."""
        found: list[tuple[Any, ...]] = self._run(conn, False, self.params(values), fetch=True)
        return found

    def _run(self, conn: Connection, many: bool, params: Any, *, fetch: bool = False) -> Any:
        if conn._has_events or conn.engine._has_events or conn._echo:
            result = conn.exec_driver_sql(self.sql, params)
            return [tuple(row) for row in result] if fetch else int(result.rowcount)
        cursor = conn.connection.cursor()
        try:
            (cursor.executemany if many else cursor.execute)(self.sql, params)
            return [tuple(row) for row in cursor.fetchall()] if fetch else int(cursor.rowcount)
        except self._dialect.loaded_dbapi.Error as error:
            raise _translated(conn, error, self.sql, params, cursor) from error
        finally:
            with suppress(self._dialect.loaded_dbapi.Error):  # a cursor of a lost connection may not close
                cursor.close()


def unnested(columns: Sequence[tuple[str, TypeEngine[Any]]]) -> Any:
    """Rows given as one array a column (bound under the column's name), as the table `v` of those columns
    and `_n`, each row's place: `unnest(:a::T[], :b::U[]) WITH ORDINALITY AS v(a, b, _n)` (PostgreSQL)."""
    # One dimension: a JSON value that is itself a list is one element, not a nested array. Strings are cast
    # to VARCHAR without a length: an explicit cast to VARCHAR(n) cuts a longer value short, where storing it
    # refuses it (as the statement a row does).
    rows = func.unnest(*(bindparam(name, type_=ARRAY(_unbounded(type_), dimensions=1)) for name, type_ in columns))
    return rows.table_valued(*(column(name, type_) for name, type_ in columns),
                             with_ordinality="_n").render_derived().alias("v")


def _unbounded(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    return type(type_)() if isinstance(type_, String) and type_.length is not None else type_


def bulk_insert(table: Table, names: Sequence[str]) -> Any:
    """PostgreSQL's INSERT of `names` over `unnested` rows, in their order (a serial key follows it)."""
    v = unnested([(name, table.c[name].type) for name in names])
    return postgresql.insert(table).from_select(list(names), select(*(v.c[name] for name in names)).order_by(v.c._n))


def _float(value: Any) -> Any:
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _cork(driver: Any, held: bool) -> bool:
    """Holds back (or lets go) what the driver writes on its TCP socket (Linux's TCP_CORK), so that a pipelined
    batch reaches the server as one write. psycopg sends each statement of a pipeline as it is queued: the
    server woke for each, and on a machine whose cores are all busy each wake-up preempted a bot (about 210
    times a thousand commands for two processes on two cores, 140 held back). Returns whether it could: not on
    a Unix socket, nor where the system has no such option; the kernel lets held data go after 200 ms anyway."""
    option = getattr(socket, "TCP_CORK", None)
    pgconn = getattr(driver, "pgconn", None)
    if option is None or pgconn is None:
        return False
    try:
        # The driver's own descriptor, not a copy (detached below). The family given spares the system calls that
        # would find it out: on a Unix socket, the option is refused.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, fileno=pgconn.socket)
    except Exception:  # a closed or lost connection (the driver's error, or the socket's)
        return False
    try:
        sock.setsockopt(socket.IPPROTO_TCP, option, int(held))
        return True
    except OSError:
        return False
    finally:
        sock.detach()


_ENDED = {"57P01", "57P02", "57P03"}  # admin_shutdown, crash_shutdown, cannot_connect_now (PostgreSQL)


def _translated(conn: Connection, error: Any, sql: str = "(pipeline)", params: Any = None,
                cursor: Any = None) -> StatementError:
    """The exception SQLAlchemy would have raised for the driver's (IntegrityError, OperationalError...), so
    callers need not know the driver; a lost connection is invalidated."""
    dialect = conn.dialect
    # A server ending the connection (shut down, or its backend terminated) says so before closing it: the driver
    # may read that answer before it finds the connection closed.
    lost = (dialect.is_disconnect(error, conn.connection.dbapi_connection, cursor)
            or getattr(error, "sqlstate", None) in _ENDED)
    if lost:
        _lost(conn, error)
    found: StatementError = DBAPIError.instance(sql, params, error, dialect.loaded_dbapi.Error,
                                                connection_invalidated=lost, dialect=dialect)
    return found


def _lost(conn: Connection, error: BaseException) -> None:
    """As SQLAlchemy does when a statement finds its connection gone: the connections of the pool opened before
    it are presumed gone too (a server restart drops them all) and replaced when next checked out, instead of
    each failing one command in turn; then this one is dropped."""
    if not conn.invalidated:
        conn.engine.pool._invalidate(conn.connection, error)
        conn.invalidate(error)


def _cheaper(processor: Callable[[Any], Any], type_: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    """The same conversion for less: sqlite3 stores a bool as the 0 or 1 SQLAlchemy would turn it into, and a
    command writes the same few moments (its own time, a lease) in many columns and rows, so a moment's form
    is remembered rather than formatted again each time."""
    affinity = getattr(type_, "_type_affinity", None)
    if affinity is Boolean and dialect.name == "sqlite":
        return None
    if affinity is DateTime:
        return lru_cache(maxsize=1024)(processor)
    return processor


class Batch:
    """A command's writes sent together. On PostgreSQL (psycopg) they go out in one round trip through the
    driver's pipeline mode, many rows of one kind as one statement where a `bulk` form is given; on SQLite, and
    whenever something listens to the engine's statements, each runs at once, as `Compiled` runs it, and a
    statement's `check` gets the rows it touched.

    Pipelined, what the driver sends is held back (`_cork`) until the batch is complete, a statement's checks
    are the server's (a failing one aborts the transaction), and with `commits` the batch ends its transaction
    itself: COMMIT goes out with the writes, and when no transaction was open,
    BEGIN before them (the driver would have sent BEGIN alone and waited for its answer), so the whole
    transaction is one round trip; when it fails, what it began is rolled back. Not pipelined, it leaves the
    transaction to its caller (`commits` False)."""

    def __init__(self, conn: Connection, *, enabled: bool = True, commits: bool = False) -> None:
        self._conn = conn
        self._cursors: list[Any] = []
        driver = conn.connection.driver_connection
        listened = conn._has_events or conn.engine._has_events or conn._echo
        self._pipeline = (driver.pipeline() if enabled and driver is not None and hasattr(driver, "pipeline")
                          and not listened else None)
        self._dialect = conn.dialect
        self.commits = commits and self._pipeline is not None
        self._driver: Any = driver
        self._began = False  # whether it sent BEGIN (the driver set to autocommit meanwhile: it sends none)
        self._corked = False  # whether what it sends is held back until the batch is complete (see _cork)

    @property
    def pipelined(self) -> bool:
        """Whether statements queue for one round trip (and rows may go as one statement: `bulk`)."""
        return self._pipeline is not None

    def __enter__(self) -> Batch:
        if self._pipeline is not None:
            if self.commits and not self._driver.info.transaction_status:  # IDLE: no transaction open
                self._driver.autocommit = self._began = True
            try:
                self._pipeline.__enter__()
            except BaseException:
                if self._began:
                    self._settle()  # not left in autocommit for whoever takes the connection next
                raise
            self._corked = _cork(self._driver, True)
            if self._began:
                try:
                    self._send("BEGIN", None, prepare=False)
                except BaseException as failed:
                    self.__exit__(type(failed), failed, failed.__traceback__)
                    raise
        return self

    def execute(self, statement: Compiled, values: Mapping[str, Any],
                check: Callable[[int], None] | None = None) -> None:
        """Runs (or queues) the statement; not pipelined, ``check`` gets the rows it touched."""
        if self._pipeline is None:
            touched = statement.execute(self._conn, values)
            if check is not None:
                check(touched)
            return
        assert check is None, "pipelined, a statement's checks are the server's: the answers come too late"
        self._send(statement.sql, statement.params(values))

    def execute_many(self, statement: Compiled, rows: Sequence[Mapping[str, Any]], *,
                     bulk: Compiled | None = None) -> None:
        """Runs (or queues) the statement once a row; pipelined, `bulk` (the same over `unnested` rows) takes
        them all in one statement."""
        if self._pipeline is None:
            statement.execute_many(self._conn, rows)
        elif len(rows) == 1:
            self._send(statement.sql, statement.params(rows[0]))
        elif rows and bulk is not None:
            self._send(bulk.sql, bulk.columns(rows))
        elif rows:
            self._send(statement.sql, [statement.params(row) for row in rows], many=True)

    def execute_bulk(self, bulk: Compiled, rows: Sequence[Mapping[str, Any]]) -> None:
        """Queues one statement over `unnested` rows (pipelined only)."""
        assert self._pipeline is not None, "one statement for many rows is for a pipelined batch"
        self._send(bulk.sql, bulk.columns(rows))

    def _send(self, sql: str, params: Any, *, many: bool = False, prepare: bool | None = None) -> None:
        cursor = self._cursor()
        try:
            if many:
                cursor.executemany(sql, params)
            else:
                cursor.execute(sql, params, prepare=prepare)
        except self._dialect.loaded_dbapi.Error as failed:  # an earlier statement's refusal may arrive here
            raise _translated(self._conn, failed) from failed

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: Any) -> None:
        if self._pipeline is None:
            return
        refused: BaseException | None = None
        try:
            if kind is None and self.commits:
                try:
                    self._cursor().execute("COMMIT", prepare=False)
                except self._dialect.loaded_dbapi.Error as earlier:  # an earlier statement's refusal, come back
                    refused = earlier
            self._let_go()  # everything queued goes now, before the sync waits for the answers
            # The sync: every queued statement answered (or, after a refusal, skipped up to it).
            if refused is not None:
                self._pipeline.__exit__(type(refused), refused, None)
                raise refused
            self._pipeline.__exit__(kind, error, tb)
        except self._dialect.loaded_dbapi.Error as failed:  # (when the block raised, psycopg keeps its error)
            raise _translated(self._conn, failed) from failed
        finally:
            self._let_go()  # (when something failed before the sync was reached)
            for cursor in self._cursors:
                with suppress(self._dialect.loaded_dbapi.Error):
                    cursor.close()
            if self._began:
                self._settle()

    def _let_go(self) -> None:
        if self._corked:
            self._corked = not _cork(self._driver, False)

    def _settle(self) -> None:
        """After a batch that began its transaction: what did not commit rolled back, the driver as it was."""
        with suppress(self._dialect.loaded_dbapi.Error):  # (a lost connection is dropped: nothing to undo)
            if self._driver.info.transaction_status:  # not IDLE: aborted by a check, or never committed
                self._driver.rollback()
        with suppress(self._dialect.loaded_dbapi.Error):
            self._driver.autocommit = False

    def _cursor(self) -> Any:
        cursor = self._conn.connection.cursor()
        self._cursors.append(cursor)
        return cursor
