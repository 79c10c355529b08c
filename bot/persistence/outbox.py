"""The outbox in SQL: effects written in the command's transaction, taken for delivery, deleted once done."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, or_, select, update
from sqlalchemy.engine import Dialect

from bot.persistence.database import Database
from bot.persistence.fastsql import Batch, Compiled, bulk_insert
from bot.persistence.route_notices import RouteNotices, announce
from bot.persistence.tables import OutboxRow, table_of
from bot.ports import OutboxEntry

outbox_t = table_of(OutboxRow)

LEASE = timedelta(seconds=60)
ROUTE = "route:"  # an owner of this form is no process but a route: the process serving it takes the effect


def route_owner(route: str) -> str:
    return ROUTE + route


class SqlOutbox:
    def __init__(self, db: Database, *, owner: str, lease: timedelta = LEASE) -> None:
        self._db, self.owner, self._lease = db, owner, lease

    def write(self, conn: Connection, entries: list[OutboxEntry], now: datetime, *,
              batch: Batch | None = None) -> None:
        """Inside the command's transaction (with its other writes, when it sends them as one batch)."""
        until = now + self._lease
        rows = [
            {"stream": e.stream, "position": e.position, "platform": e.platform, "kind": e.kind,
             "payload": e.args, "created_at": now, "owner": self.owner, "claimed_until": until}
            for e in entries]
        statement = _insert(self._db.engine.dialect)
        if batch is not None:
            batch.execute_many(statement, rows, bulk=_bulk_insert(self._db.engine.dialect))
        else:
            statement.execute_many(conn, rows)

    async def done(self, entries: list[OutboxEntry]) -> None:
        if entries:
            await self._db.run(self._done, entries)

    async def take(self, platforms: list[str], now: datetime, *,
                   routes: Sequence[str] = ()) -> list[OutboxEntry]:
        """Pending effects for these platforms that are this process's own (left by its previous run), handed
        to one of its `routes`, or whose owner's lease ran out; they become this process's, in order per stream."""
        if not platforms:
            return []
        return await self._db.run(self._take, platforms, now, routes)

    async def take_routed(self, routes: list[str], now: datetime) -> list[OutboxEntry]:
        """Effects other processes handed to these routes; they become this process's."""
        if not routes:
            return []
        return await self._db.run(self._take_routed, routes, now)

    async def hand_off(self, entries: list[OutboxEntry], route: str, now: datetime) -> None:
        """Effects of a space another process serves: left for the process serving `route` to take."""
        if entries:
            await self._db.run(self._hand_off, entries, route, now)

    def notices(self, routes: Collection[str]) -> RouteNotices:
        """Waits for effects handed to `routes` (announced by `hand_off` on PostgreSQL); close it when done."""
        return RouteNotices(self._db, routes)

    async def pending(self) -> int:
        return await self._db.run(self._count)

    def _done(self, entries: list[OutboxEntry]) -> None:
        with self._db.engine.begin() as conn:
            for stream, positions in _by_stream(entries):
                conn.execute(delete(outbox_t).where(outbox_t.c.stream == stream,
                                                    outbox_t.c.position.in_(positions)))

    def _take(self, platforms: list[str], now: datetime, routes: Sequence[str]) -> list[OutboxEntry]:
        mine = (outbox_t.c.platform.in_(platforms),
                or_(outbox_t.c.owner == self.owner, outbox_t.c.claimed_until < now,
                    outbox_t.c.owner.in_([route_owner(r) for r in routes])))
        with self._db.engine.begin() as conn:
            conn.execute(update(outbox_t).where(*mine).values(owner=self.owner, claimed_until=now + self._lease))
            rows = conn.execute(select(outbox_t).where(outbox_t.c.platform.in_(platforms),
                                                       outbox_t.c.owner == self.owner)
                                .order_by(outbox_t.c.stream, outbox_t.c.position)).all()
        return [_entry(r) for r in rows]

    def _take_routed(self, routes: list[str], now: datetime) -> list[OutboxEntry]:
        # One conditional write takes them: of two processes serving one route (a deployment error), each
        # effect goes to one (the second's write finds the owner changed and skips the row).
        with self._db.engine.begin() as conn:
            rows = conn.execute(update(outbox_t).where(outbox_t.c.owner.in_([route_owner(r) for r in routes]))
                                .values(owner=self.owner, claimed_until=now + self._lease)
                                .returning(*outbox_t.columns)).all()
        return [_entry(r) for r in sorted(rows, key=lambda r: (r.stream, r.position))]

    def _hand_off(self, entries: list[OutboxEntry], route: str, now: datetime) -> None:
        with self._db.engine.begin() as conn:
            for stream, positions in _by_stream(entries):
                conn.execute(update(outbox_t).where(outbox_t.c.stream == stream, outbox_t.c.position.in_(positions),
                                                    outbox_t.c.owner == self.owner)
                             .values(owner=route_owner(route), claimed_until=now + self._lease))
            announce(conn, route)  # the process serving it takes them at once, not at its next look

    def _count(self) -> int:
        from sqlalchemy import func

        with self._db.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(outbox_t)).scalar_one())


_CHUNK = 500  # positions in one statement (each is a parameter: the databases bound how many a statement takes)


def _by_stream(entries: list[OutboxEntry]) -> list[tuple[str, list[int]]]:
    """Positions of `entries` per stream, in chunks: one statement where several effects of a stream change
    together (a follower message per follower makes thousands of one stream)."""
    found: dict[str, list[int]] = {}
    for entry in entries:
        found.setdefault(entry.stream, []).append(entry.position)
    return [(stream, positions[i:i + _CHUNK]) for stream, positions in found.items()
            for i in range(0, len(positions), _CHUNK)]


def _entry(row: Any) -> OutboxEntry:
    """A stored effect taken back: an earlier attempt may have reached the platform."""
    return OutboxEntry(row.stream, row.position, row.platform, row.kind, row.payload, maybe_done=True)


@cache
def _insert(dialect: Dialect) -> Compiled:
    return Compiled(insert(outbox_t).values({c.name: bindparam(c.name, type_=c.type) for c in outbox_t.columns}),
                    dialect)


@cache
def _bulk_insert(dialect: Dialect) -> Compiled | None:
    """Many effects as one statement (PostgreSQL)."""
    if dialect.name != "postgresql":
        return None
    return Compiled(bulk_insert(outbox_t, [c.name for c in outbox_t.columns]), dialect)
