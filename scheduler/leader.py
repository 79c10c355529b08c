"""Which of the bot processes sharing a PostgreSQL database runs the scheduled jobs.

APScheduler 3 does not support several schedulers on one job store, so one process leads: the one holding
a session-level advisory lock (``pg_try_advisory_lock``) on a connection of its own. The others stand by,
still adding and removing jobs in the shared table, and try the lock again every second. When the
leader dies its connection closes and PostgreSQL frees the lock, so a standby takes over within about a
second. The key is named after the schema and table, so bot databases side by side elect separately.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import URL, Connection, create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from scheduler.store import advisory_key

log = logging.getLogger(__name__)


class Leadership:
    def __init__(self, url: URL | str, *, table: str, on_elected: Callable[[bool], None],
                 on_deposed: Callable[[], None], on_tick: Callable[[], None],
                 tick: float = 0.2, retry: float = 1.0) -> None:
        self._engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        self._table = table
        self._on_elected, self._on_deposed, self._on_tick = on_elected, on_deposed, on_tick
        self.tick, self.retry = tick, retry
        self.leader = False
        self._conn: Connection | None = None
        self._key: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Tries once now (so a lone process leads as soon as it has started), then keeps trying.

        ``on_elected`` is told whether it was this first attempt (True) or a later one, from the thread that won.
        """
        self._attempt(first=True)
        self._thread = threading.Thread(target=self._loop, name="podium-leader", daemon=True)
        self._thread.start()

    def halt(self) -> None:
        """Stops trying and telling; a lock already held is kept until release()."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def release(self) -> None:
        """Gives the lock up; whoever calls this has already stopped running jobs."""
        self.halt()
        self.leader = False
        self._close()
        self._engine.dispose()

    def _loop(self) -> None:
        checked = time.monotonic()
        while not self._stop.wait(self.tick if self.leader else self.retry):
            if not self.leader:
                self._attempt()
                continue
            if time.monotonic() - checked >= self.retry:
                checked = time.monotonic()
                if not self._alive():
                    self._depose()
                    continue
            # Other processes add jobs to the table without telling us: look again a few times a second.
            self._on_tick()

    def _attempt(self, *, first: bool = False) -> None:
        try:
            if self._conn is None:
                self._conn = self._engine.connect()
                schema = self._conn.execute(text("SELECT current_schema()")).scalar_one()
                self._key = advisory_key(f"podium-scheduler:{schema}.{self._table}")
            got = self._conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}).scalar_one()
        except SQLAlchemyError as error:
            log.warning("scheduler election: database unreachable (%s); retrying", error.__class__.__name__)
            self._close()
            return
        if got:
            self.leader = True
            log.info("this process now runs the scheduled jobs")
            self._on_elected(first)

    def _alive(self) -> bool:
        assert self._conn is not None
        try:
            self._conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def _depose(self) -> None:
        # The lock went with the connection: another process may lead already.
        self.leader = False
        log.warning("scheduler election: lost the connection holding the lock; standing by")
        self._on_deposed()
        self._close()

    def _close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except SQLAlchemyError:
                pass
            self._conn = None
