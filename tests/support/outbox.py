"""An outbox dispatcher on the real outbox table, and the platform it delivers to, for the outbox's tests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.persistence.database import Database
from bot.persistence.outbox import SqlOutbox
from bot.ports import OutboxEntry
from bot.services.effects import Elsewhere, current
from bot.services.outbox import OutboxDispatcher

NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


@dataclass
class Platform:
    """Shows each effect once, recognising one it already has by the delivery's id (as the adapters do with
    Slack metadata or a Discord nonce); `failures` are raised first, one per call."""

    shown: list[str] = field(default_factory=list)
    calls: list[tuple[str, bool]] = field(default_factory=list)  # (effect, maybe done)
    failures: list[BaseException] = field(default_factory=list)
    held: dict[str, asyncio.Event] = field(default_factory=dict)  # effects whose call waits for a release
    seen: set[str] = field(default_factory=set)

    async def __call__(self, entry: OutboxEntry, memo: dict[str, Any]) -> None:
        delivery = current()
        assert delivery is not None and delivery.id == entry.id
        self.calls.append((entry.args["name"], delivery.maybe_done))
        if entry.args["name"] in self.held:
            await self.held[entry.args["name"]].wait()
        if self.failures:
            raise self.failures.pop(0)
        if delivery.maybe_done and delivery.id in self.seen:
            return  # already there: nothing shown twice
        self.seen.add(delivery.id)
        self.shown.append(entry.args["name"])


@dataclass
class Shard(Platform):
    """A platform split between processes: this process serves the spaces in `served` (an effect's "space")."""

    served: set[str] = field(default_factory=set)

    async def __call__(self, entry: OutboxEntry, memo: dict[str, Any]) -> None:
        if entry.args["space"] not in self.served:
            raise Elsewhere(f"shard-{entry.args['space']}")
        await super().__call__(entry, memo)


async def commit(db: Database, store: SqlOutbox, entries: list[OutboxEntry]) -> None:
    def write() -> None:
        with db.engine.begin() as conn:
            store.write(conn, entries, NOW)
    await db.run(write)


def dispatcher(store: SqlOutbox, platform: Platform) -> OutboxDispatcher:
    return OutboxDispatcher(store=store, deliver=platform, now=lambda: NOW, backoff=0.001)
