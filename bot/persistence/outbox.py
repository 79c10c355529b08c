"""The outbox in SQL: effects written in the command's transaction, taken for delivery, deleted once done."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, or_, select, update
from sqlalchemy.engine import Dialect

from bot.persistence.database import Database
from bot.persistence.fastsql import Batch, Compiled
from bot.persistence.tables import OutboxRow, table_of
from bot.ports import OutboxEntry

outbox_t = table_of(OutboxRow)

LEASE = timedelta(seconds=60)


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
            batch.execute_many(statement, rows)
        else:
            statement.execute_many(conn, rows)

    async def done(self, entries: list[OutboxEntry]) -> None:
        if entries:
            await self._db.run(self._done, entries)

    async def take(self, platforms: list[str], now: datetime) -> list[OutboxEntry]:
        """Pending effects for these platforms that are this process's own (left by its previous run) or
        whose owner's lease ran out; they become this process's, in order per stream."""
        if not platforms:
            return []
        return await self._db.run(self._take, platforms, now)

    async def pending(self) -> int:
        return await self._db.run(self._count)

    def _done(self, entries: list[OutboxEntry]) -> None:
        by_stream: dict[str, list[int]] = {}
        for entry in entries:
            by_stream.setdefault(entry.stream, []).append(entry.position)
        with self._db.engine.begin() as conn:
            for stream, positions in by_stream.items():
                conn.execute(delete(outbox_t).where(outbox_t.c.stream == stream,
                                                    outbox_t.c.position.in_(positions)))

    def _take(self, platforms: list[str], now: datetime) -> list[OutboxEntry]:
        mine = (outbox_t.c.platform.in_(platforms),
                or_(outbox_t.c.owner == self.owner, outbox_t.c.claimed_until < now))
        with self._db.engine.begin() as conn:
            conn.execute(update(outbox_t).where(*mine).values(owner=self.owner, claimed_until=now + self._lease))
            rows = conn.execute(select(outbox_t).where(outbox_t.c.platform.in_(platforms),
                                                       outbox_t.c.owner == self.owner)
                                .order_by(outbox_t.c.stream, outbox_t.c.position)).all()
        return [OutboxEntry(r.stream, r.position, r.platform, r.kind, r.payload, maybe_done=True) for r in rows]

    def _count(self) -> int:
        from sqlalchemy import func

        with self._db.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(outbox_t)).scalar_one())


@cache
def _insert(dialect: Dialect) -> Compiled:
    return Compiled(insert(outbox_t).values({c.name: bindparam(c.name, type_=c.type) for c in outbox_t.columns}),
                    dialect)
