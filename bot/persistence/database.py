"""The engine and the worker threads that keep blocking database calls off the event loop."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DBAPIError

from bot.persistence.fastsql import Compiled
from bot.persistence.workers import Workers
from bot.ports import ConcurrencyConflict, ConnectionLost

T = TypeVar("T")
# A deadlock between processes' transactions (40P01) or a serialization failure (40001): PostgreSQL rolled this
# one back, nothing of it was written, and the command is judged again as after any conflicting write.
_RETRIED = {"40P01", "40001"}
# A stage the transaction was judged on found at another version by the server's own check (podium_still,
# migration 0021): the transaction aborted, and the stages it names, in a JSON array, are judged again.
MOVED = "PDMOV"
RECYCLE_SECONDS = 300.0  # a pooled PostgreSQL connection's age past which it is replaced when next taken


class Database:
    """A synchronous SQLAlchemy engine driven from dedicated threads.

    Each unit of work runs its whole transaction in one hop to a worker, which costs less than an
    async driver's hop per statement. SQLite gets one worker (it has a single writer anyway).
    """

    def __init__(self, url: str, *, workers: int = 4, echo: bool = False) -> None:
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        if self.dialect == "postgresql" and parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        if self.dialect == "sqlite":
            workers = 1
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.url = parsed
        # Several processes may share PostgreSQL; SQLite is the single-process default.
        self.shared = self.dialect != "sqlite"
        # No pre-ping: it cost a round trip on every checkout. A connection found dead when used is invalidated
        # by SQLAlchemy and reported as ConnectionLost (see `run`), and the command is judged again on a new one.
        self.engine: Engine = create_engine(
            parsed, echo=echo, pool_pre_ping=False,
            # Beyond the workers' connections, up to `workers` more are held by commands waiting on the event
            # loop with their stages' locks taken (see `lock_all`); `holders` bounds them. The connection used
            # last is taken first, so one warm server process serves the writes that follow each other. Each is
            # replaced when taken past RECYCLE_SECONDS of age, so those left idle below it are not met dropped by
            # a network's or server's idle timeout (a command would find out and be retried).
            **({"connect_args": {"check_same_thread": False}} if self.dialect == "sqlite" else
               {"pool_size": workers, "max_overflow": workers, "pool_use_lifo": True,
                "pool_recycle": RECYCLE_SECONDS}),
        )
        self.holders = asyncio.Semaphore(workers)
        self._workers = Workers(workers, "podium-db")
        self._checkpointer: _Checkpointer | None = None
        self._writer: Connection | None = None
        self._disposed = False
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", sqlite_pragmas)
            if parsed.database and parsed.database != ":memory:":
                self._checkpointer = _Checkpointer(self.engine)

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        try:
            return await self._workers.run(work, *args)
        except DBAPIError as error:
            if error.connection_invalidated:
                raise ConnectionLost(str(error.orig)) from error
            state = getattr(error.orig, "sqlstate", None)
            if state in _RETRIED:  # PostgreSQL undid the transaction: try again
                raise ConcurrencyConflict(str(error.orig)) from error
            if state == MOVED:
                named = getattr(getattr(error.orig, "diag", None), "message_detail", None)
                raise ConcurrencyConflict(*json.loads(named or "[]")) from None
            raise

    def writer(self) -> Connection:
        """The connection commands write through, to be used from the worker thread.

        SQLite has one worker and one writer, so it keeps one connection: checking one out of the pool
        and resetting it on return cost about a fifth of a command. PostgreSQL writers use the pool.
        """
        if self.dialect != "sqlite":
            return self.engine.connect()
        if self._writer is None or self._writer.closed or self._writer.invalidated:
            self._writer = self.engine.connect()
        return self._writer

    def hold(self, conn: Connection, key: str) -> None:
        """Takes `key`'s lock inside `conn`'s transaction, until it ends (PostgreSQL; alone on SQLite, writes
        already take turns)."""
        if self.shared:
            _locking(conn.dialect).advisory.execute(conn, {"key": key})

    def lock_all(self, stage_ids: Sequence[str], keys: Sequence[str]) -> tuple[Connection, dict[str, int | None]]:
        """A connection in a transaction holding the rows of `stage_ids` and the locks of `keys`, and each
        stage's version (None: no such stage). Rows first, then keys, each in one order every process
        shares, so two processes locking overlapping sets wait for each other instead of deadlocking."""
        conn = self.engine.connect()
        locking = _locking(conn.dialect)
        try:
            conn.begin()
            versions: dict[str, int | None] = dict.fromkeys(stage_ids)
            if len(stage_ids) == 1:
                found = locking.row.rows(conn, {"id": stage_ids[0]})
                versions[stage_ids[0]] = found[0][0] if found else None
            elif stage_ids:
                versions.update((row[0], row[1]) for row in locking.rows.rows(conn, {"ids": list(stage_ids)}))
            for key in sorted(keys):
                locking.advisory.execute(conn, {"key": key})
        except BaseException:
            conn.close()
            raise
        return conn, versions

    def committed(self) -> None:
        """Called by the writer after each commit: SQLite's WAL is folded back by another thread."""
        if self._checkpointer is not None:
            self._checkpointer.committed()

    async def dispose(self) -> None:
        if self._disposed:  # stopping twice (a test's cleanup after an explicit stop) is harmless
            return
        self._disposed = True
        await self.run(self._dispose)
        self._workers.shutdown()
        if self._checkpointer is not None:
            self._checkpointer.close()

    def _dispose(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self.engine.dispose()


@dataclass(frozen=True)
class _Locking:
    advisory: Compiled
    row: Compiled
    rows: Compiled


@cache
def _locking(dialect: Dialect) -> _Locking:
    """Compiled once and run on the driver's cursor (bot/persistence/fastsql.py): every command on PostgreSQL
    takes a lock first, and SQLAlchemy's per-execution work cost more than the statement's own."""
    return _Locking(
        advisory=Compiled(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), dialect),
        # The stage's row locked for the transaction, and its version as committed once the lock is ours: READ
        # COMMITTED re-reads a row locked FOR UPDATE after waiting, so the version is the latest. One round trip.
        row=Compiled(text("SELECT version FROM stage WHERE id = :id FOR UPDATE"), dialect),
        # Several stages' rows (group commit), locked in the order of their ids.
        rows=Compiled(text("SELECT id, version FROM stage WHERE id = ANY(:ids) ORDER BY id FOR UPDATE"), dialect))


def sqlite_pragmas(dbapi_connection: Any, _record: Any = None) -> None:
    """Every SQLite connection of Podium's (and the bench's replay of its statements) is set up so."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    # Checkpoints run on their own thread (see _Checkpointer), not inside a command's commit.
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()


class _Checkpointer:
    """Folds the WAL into the database from a thread of its own.

    SQLite's automatic checkpoint runs inside whichever commit crosses the threshold, which made one
    command in ~150 wait several milliseconds; a passive checkpoint here never blocks the writer.
    """

    EVERY = 200  # commits

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="podium-wal")
        self._since = 0
        self._running = False

    def committed(self) -> None:
        self._since += 1
        if self._since >= self.EVERY and not self._running:
            self._since, self._running = 0, True
            self._executor.submit(self._checkpoint)

    def _checkpoint(self) -> None:
        try:
            with self._engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            self._running = False

    def close(self) -> None:
        self._executor.shutdown(wait=True)
