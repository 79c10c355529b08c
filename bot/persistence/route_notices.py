"""Effects handed to a route are announced: on PostgreSQL the handing transaction sends a NOTIFY, and the
process serving the route, listening on a connection of its own, takes them at once instead of at its next look.

A notice says "look now"; it carries nothing to deliver. The effects are taken by the same conditional write as
ever, so a notice lost (the listening connection dropped, a notice sent while it reconnected) costs only time:
the process still looks every HEARD_EVERY while it listens (and asks the connection whether it still lives), and
every `poll` while it cannot. Notices go to every listener of the database, so each names its schema (tests and
deployments share one database in schemas). Behind a pooler in transaction mode LISTEN hears nothing: the looks
every HEARD_EVERY remain.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, text

from bot.persistence.database import Database

log = logging.getLogger(__name__)

CHANNEL = "podium_routes"
HEARD_EVERY = 5.0  # seconds between looks while notices come: a notice lost with its connection is made up for
_RETRY = 5.0  # seconds before listening again after the connection failed


def announce(conn: Connection, route: str) -> None:
    """Inside the transaction handing effects to `route` (PostgreSQL delivers the notice at its commit)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_notify(:channel, current_schema() || ' ' || :route)"),
                     {"channel": CHANNEL, "route": route})


class RouteNotices:
    """Waits for effects handed to any of `routes` (a live collection: routes served later count too)."""

    def __init__(self, db: Database, routes: Collection[str]) -> None:
        self._db, self._routes = db, routes
        self._heard = asyncio.Event()
        self.listening = False
        self._task = (asyncio.create_task(self._listen(), name="dispatch:route-notices")
                      if db.dialect == "postgresql" else None)

    async def wait(self, poll: float) -> None:
        """Returns when a notice came for one of the routes, or after `poll` seconds (HEARD_EVERY while
        notices come), so the caller looks either way."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._heard.wait(), HEARD_EVERY if self.listening else poll)
        self._heard.clear()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _listen(self) -> None:
        import psycopg

        failed = False  # said once an outage, not at every retry
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(**self._connect_args(), autocommit=True) as conn:
                    row = await (await conn.execute("SELECT current_schema()")).fetchone()
                    schema = row[0] if row else ""
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.listening, failed = True, False
                    self._heard.set()  # what was handed before the listening began is looked for now
                    while True:
                        async for notice in conn.notifies(timeout=HEARD_EVERY):
                            where, _, route = notice.payload.rpartition(" ")  # a route name has no space
                            if where == schema and route in self._routes:
                                self._heard.set()
                        # Quiet for a while: a connection gone without a word (a failover, a dropped NAT
                        # entry) is found by asking, within HEARD_EVERY, not after the system's keepalive hours.
                        await asyncio.wait_for(conn.execute("SELECT 1"), HEARD_EVERY)
            except Exception as error:  # whatever it was, the regular looks go on
                if not failed:
                    unexpected = not isinstance(error, (psycopg.Error, OSError))  # a bug: its traceback, for the log
                    log.warning("listening for effects handed to this process failed (%s); looking for them "
                                "regularly meanwhile", error, exc_info=unexpected)
                failed = True
            finally:
                self.listening = False
                self._heard.set()  # the waiter looks now, then at the regular pace
            await asyncio.sleep(_RETRY)

    def _connect_args(self) -> dict[str, Any]:
        """What SQLAlchemy itself would connect with (host, port, database, user, password, options...)."""
        args = dict(self._db.engine.dialect.create_connect_args(self._db.url)[1])
        args.pop("context", None)  # SQLAlchemy's type adapters, for its own connections
        return args
