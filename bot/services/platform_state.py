"""Small stores adapters need beyond the stages: board message ids and deliveries already handled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.persistence.database import Database
from bot.persistence.tables import BoardMessageRow, ProcessedEventRow, RequestInboxRow, table_of

board_t = table_of(BoardMessageRow)
processed_t = table_of(ProcessedEventRow)
request_t = table_of(RequestInboxRow)


@dataclass(frozen=True, slots=True)
class BoardMessage:
    stage_id: str
    platform: str
    channel_id: str
    message_id: str
    thread_id: str | None = None


class BoardMessages:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, stage_id: str) -> BoardMessage | None:
        return await self._db.run(self._get, stage_id)

    async def put(self, board: BoardMessage) -> None:
        await self._db.run(self._put, board)

    async def forget(self, stage_id: str) -> None:
        """The board message is gone from the platform (deleted by someone): a new one is to be posted."""
        await self._db.run(self._forget, stage_id)

    def _forget(self, stage_id: str) -> None:
        with self._db.engine.begin() as conn:
            conn.execute(delete(board_t).where(board_t.c.stage_id == stage_id))

    async def live(self, platform: str) -> list[BoardMessage]:
        """Boards of live stages on a platform (an adapter re-attaches their buttons at start)."""
        return await self._db.run(self._live, platform)

    def _get(self, stage_id: str) -> BoardMessage | None:
        with self._db.engine.connect() as conn:
            row = conn.execute(select(board_t).where(board_t.c.stage_id == stage_id)).first()
        return None if row is None else BoardMessage(**row._mapping)

    def _put(self, board: BoardMessage) -> None:
        values = {"platform": board.platform, "channel_id": board.channel_id, "message_id": board.message_id,
                  "thread_id": board.thread_id}
        with self._db.engine.begin() as conn:
            if not conn.execute(update(board_t).where(board_t.c.stage_id == board.stage_id).values(**values)).rowcount:
                conn.execute(insert(board_t).values(stage_id=board.stage_id, **values))

    def _live(self, platform: str) -> list[BoardMessage]:
        from bot.persistence.repository import stage_t

        query = (select(board_t).join(stage_t, stage_t.c.id == board_t.c.stage_id)
                 .where(board_t.c.platform == platform, stage_t.c.state == "live"))
        with self._db.engine.connect() as conn:
            return [BoardMessage(**row._mapping) for row in conn.execute(query)]


class Inbox:
    """Remembers delivery keys; `first_time` is true exactly once per key, across processes."""

    def __init__(self, db: Database, *, keep: timedelta = timedelta(days=1)) -> None:
        self._db, self._keep = db, keep

    async def first_time(self, key: str, now: datetime) -> bool:
        return await self._db.run(self._claim, key, now)

    def _claim(self, key: str, now: datetime) -> bool:
        try:
            with self._db.engine.begin() as conn:
                conn.execute(insert(processed_t).values(key=key, seen_at=now))
                conn.execute(delete(processed_t).where(processed_t.c.seen_at < now - self._keep))
        except IntegrityError:
            return False
        return True


@dataclass(frozen=True, slots=True)
class KeptRequest:
    key: str
    body: dict[str, Any]


class RequestInbox:
    """Platform requests acknowledged before their command committed, worked through once after a restart.

    An adapter keeps a request here only when its command could not commit within the platform's patience
    (Slack's 3 s); the ack then means "stored" all the same.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    async def keep(self, key: str, platform: str, body: dict[str, Any], now: datetime) -> None:
        await self._db.run(self._keep, key, platform, body, now)

    async def done(self, key: str) -> None:
        await self._db.run(self._done, key)

    async def pending(self, platform: str) -> list[KeptRequest]:
        return await self._db.run(self._pending, platform)

    def _keep(self, key: str, platform: str, body: dict[str, Any], now: datetime) -> None:
        try:
            with self._db.engine.begin() as conn:
                conn.execute(insert(request_t).values(key=key, platform=platform, body=body, received_at=now))
        except IntegrityError:
            pass  # kept already (a second delay of the same request)

    def _done(self, key: str) -> None:
        with self._db.engine.begin() as conn:
            conn.execute(delete(request_t).where(request_t.c.key == key))

    def _pending(self, platform: str) -> list[KeptRequest]:
        query = select(request_t).where(request_t.c.platform == platform).order_by(request_t.c.received_at)
        with self._db.engine.connect() as conn:
            return [KeptRequest(row.key, row.body) for row in conn.execute(query)]
