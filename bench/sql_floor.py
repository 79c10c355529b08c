"""The floor under one member at a time on SQLite (bench/scale.py): the statements a storm committed, recorded
from the moment the database was copied, then replayed on that copy with nothing around them."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any


def copy_and_record(db: Any, target: Path) -> Recorder:
    source = sqlite3.connect(db.url.database)
    try:
        with sqlite3.connect(target) as copy:
            source.backup(copy)
        copy.close()
    finally:
        source.close()
    return Recorder(db.engine)


class Recorder:
    """The statements of each transaction committed on `engine`, in the order of their commits (a listener on the
    engine sends Podium's writes through SQLAlchemy, so this run is not timed)."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.committed: list[list[tuple[str, Any, bool]]] = []
        self._open: dict[int, list[tuple[str, Any, bool]]] = {}
        self._engine = engine
        self._listeners: list[tuple[str, Any]] = [
            ("begin", lambda conn: self._open.__setitem__(id(conn), [])),
            ("before_cursor_execute", self._statement),
            ("commit", lambda conn: self.committed.append(self._open.pop(id(conn), []))),
            ("rollback", lambda conn: self._open.pop(id(conn), None))]
        for name, listener in self._listeners:
            event.listen(engine, name, listener)

    def stop(self) -> list[list[tuple[str, Any, bool]]]:
        from sqlalchemy import event

        for name, listener in self._listeners:
            event.remove(self._engine, name, listener)
        return list(self.committed)

    def _statement(self, conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
                   many: bool) -> None:
        if id(conn) in self._open:
            self._open[id(conn)].append((statement, parameters, many))


def replay(path: Path, transactions: list[list[tuple[str, Any, bool]]], commands: int) -> float:
    """Commands a second for Podium's own statements, each transaction as it committed, on a plain sqlite3
    connection with Podium's settings: what one member at a time costs the database, nothing else."""
    from bot.persistence.database import sqlite_pragmas

    conn = sqlite3.connect(path, isolation_level=None)
    sqlite_pragmas(conn)  # Podium's own: WAL, its synchronous level, no checkpoint inside a commit...
    started = time.perf_counter()
    for statements in transactions:
        conn.execute("BEGIN")
        for sql, parameters, many in statements:
            (conn.executemany if many else conn.execute)(sql, parameters)
        conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return commands / seconds
