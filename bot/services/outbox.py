"""Delivers the outbox: each committed effect goes to its platform once the adapter is connected, in
order per stage (or series), retried with backoff while the platform is unavailable, and deleted once the
platform took it.

A process delivers what it committed straight from memory. What a previous run left undelivered (killed
between the commit and the platform call, or while its adapter was not yet connected) is taken back from the
database when the adapter connects, marked as maybe done: adapters then recognise what already reached the
platform instead of posting it twice (bot/services/effects.py, `delivering`). Effects another process owns
are taken over once its lease ran out.

On a platform split between processes (Discord shards), a process delivers only the effects of the spaces it
serves: another's (a timer the scheduler leader ran for a space of another shard) is handed to its route in the
outbox, and the process serving that route takes and delivers it: at once on PostgreSQL, where handing it over
announces it (NOTIFY), or at its next look, every ROUTED_EVERY where nothing is announced. Each effect is taken by
one process: taking it is one conditional write.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import datetime
from typing import Any, Protocol

from bot.ports import OutboxEntry
from bot.services.effects import Delivery, Elsewhere, delivering

log = logging.getLogger(__name__)

Deliver = Callable[[OutboxEntry, dict[str, Any]], Awaitable[None]]

RETRIES = 6
BACKOFF = 0.5  # seconds, doubled at each retry (0.5 ... 16 s, about 30 s in all), with jitter
SWEEP = 15.0  # seconds between looks for effects whose owner stopped delivering them
ROUTED_EVERY = 0.25  # seconds between looks for effects handed to this one's routes, when none are announced
MARK_EVERY = 0.1  # seconds: board edits delivered are marked done together (a repeated edit is harmless)
_COALESCED = "show_board"  # a board shown again later in the same batch need not be shown now


class Store(Protocol):
    async def done(self, entries: list[OutboxEntry]) -> None: ...

    async def take(self, platforms: list[str], now: datetime, *,
                   routes: Sequence[str] = ()) -> list[OutboxEntry]: ...

    async def take_routed(self, routes: list[str], now: datetime) -> list[OutboxEntry]: ...

    async def hand_off(self, entries: list[OutboxEntry], route: str, now: datetime) -> None: ...

    def notices(self, routes: Collection[str]) -> Notices: ...


class Notices(Protocol):
    """Effects handed to a route, announced (see bot/persistence/route_notices.py)."""

    async def wait(self, poll: float) -> None: ...

    async def close(self) -> None: ...


def transient(error: BaseException) -> bool:
    """A failure worth retrying: a timeout, a lost connection, a 429 or a 5xx (whatever the client library)."""
    if isinstance(error, (TimeoutError, ConnectionError)):
        return True
    if any(kind.__name__ in ("ClientConnectionError", "ClientOSError", "ServerTimeoutError")
           for kind in type(error).__mro__):
        return True
    status = getattr(error, "status", None)
    if not isinstance(status, int):
        status = getattr(getattr(error, "response", None), "status_code", None)
    return isinstance(status, int) and (status == 429 or status >= 500)


class OutboxDispatcher:
    def __init__(self, *, store: Store | None = None, deliver: Deliver | None = None,
                 now: Callable[[], datetime] | None = None, backoff: float = BACKOFF, sweep: float = SWEEP) -> None:
        self._store, self._deliver, self._now = store, deliver, now
        self._backoff, self._sweep_every = backoff, sweep
        self._queues: dict[str, list[OutboxEntry]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._known: set[str] = set()  # ids queued or being delivered by this process
        self.connected: set[str] = set()
        self._sweeper: asyncio.Task[None] | None = None
        self._taking: set[asyncio.Task[None]] = set()
        self._unmarked: list[OutboxEntry] = []  # delivered effects, marked done at the next flush
        self._marker: asyncio.Task[None] | None = None
        self._hurry = asyncio.Event()  # a member-visible effect waits among the unmarked: flush now
        self._accepting: set[asyncio.Task[None]] = set()  # effects marked once the platform accepted them
        self.routes: set[str] = set()  # the routes this process serves, on platforms split between processes
        self._follower: asyncio.Task[None] | None = None
        self.handed_off = 0  # effects handed to the process serving their space (operators' metrics, tests)

    def submit(self, entries: list[OutboxEntry]) -> None:
        """Effects just committed (or taken back): queued per stream, each stream delivered in order. Those of
        a platform not connected stay stored only: connecting takes them from the outbox, oldest first."""
        for entry in entries:
            if entry.id in self._known or entry.platform not in self.connected:
                continue
            self._known.add(entry.id)
            self._queues.setdefault(entry.stream, []).append(entry)
        for stream in {e.stream for e in entries}:
            if stream in self._queues and stream not in self._workers:
                self._workers[stream] = asyncio.create_task(self._work(stream), name=f"dispatch:{stream}")

    async def connect(self, platform: str) -> None:
        """The platform's adapter is connected: what waited for it goes out, oldest first."""
        self.connected.add(platform)
        await self._take([platform])
        if self._sweeper is None and self._store is not None:
            self._sweeper = asyncio.create_task(self._sweep(), name="dispatch:sweep")

    def serve(self, routes: frozenset[str]) -> None:
        """This process serves these routes (e.g. its Discord shards): effects handed to them come here."""
        self.routes |= routes
        if self.routes and self._follower is None and self._store is not None:
            self._follower = asyncio.create_task(self._follow(), name="dispatch:routes")

    def connect_soon(self, platform: str) -> None:
        task = asyncio.create_task(self.connect(platform), name=f"dispatch:connect:{platform}")
        self._taking.add(task)
        task.add_done_callback(self._taking.discard)

    def disconnect(self, platform: str) -> None:
        self.connected.discard(platform)

    async def drain(self) -> None:
        """Waits until every queued effect was delivered or left for later (tests and a clean stop)."""
        while self._workers or self._taking or self._accepting or self._marker is not None:
            await asyncio.gather(*self._taking, *self._workers.values(), *self._accepting, return_exceptions=True)
            if self._marker is not None:
                await asyncio.gather(self._marker, return_exceptions=True)
            await asyncio.sleep(0)

    def abandon(self) -> None:
        """Drops what is being delivered without marking it (a stop that cannot wait): it stays in the
        outbox, and the next start takes it back as maybe done."""
        for task in [*self._workers.values(), *self._taking, *self._accepting,
                     *([self._marker] if self._marker else [])]:
            task.cancel()
        # A task cancelled before it ever ran never reaches its own `finally`: forget them here, or drain()
        # would wait on them for ever.
        self._workers.clear()
        self._marker = None
        self._hurry.clear()
        self._queues.clear()
        self._known.clear()
        self._unmarked.clear()

    async def close(self) -> None:
        await self.drain()
        for task in (self._sweeper, self._follower):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._sweeper = self._follower = None

    # ---- delivery

    async def _take(self, platforms: list[str]) -> None:
        if self._store is None or self._now is None:
            return
        try:
            taken = await self._store.take(platforms, self._now(), routes=sorted(self.routes))
        except Exception:
            log.exception("reading the outbox for %s failed", ", ".join(platforms))
            return
        self.submit(taken)  # those of a platform not connected stay stored (submit leaves them)

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(self._sweep_every)
            await self._take(sorted(self.connected))

    async def _follow(self) -> None:
        """Effects other processes handed to this one's routes, taken as they come."""
        assert self._store is not None and self._now is not None
        notices = self._store.notices(self.routes)
        try:
            while True:
                await notices.wait(ROUTED_EVERY)
                if not self.connected:
                    continue
                try:
                    taken = await self._store.take_routed(sorted(self.routes), self._now())
                except Exception:
                    log.exception("reading the effects handed to %s failed", ", ".join(sorted(self.routes)))
                    continue
                self.submit(taken)  # a platform not connected yet: delivered once it is (they stay stored)
        finally:
            await notices.close()

    async def _work(self, stream: str) -> None:
        try:
            while self._queues.get(stream):
                batch = self._queues.pop(stream)
                await self._deliver_batch(batch)
        finally:
            if self._workers.get(stream) is asyncio.current_task():  # not one abandon() forgot and replaced
                del self._workers[stream]
            if stream not in self._workers and self._queues.get(stream):  # submitted while this worker was finishing
                self._workers[stream] = asyncio.create_task(self._work(stream), name=f"dispatch:{stream}")

    async def _deliver_batch(self, batch: list[OutboxEntry]) -> None:
        memo: dict[str, Any] = {}
        settled: list[OutboxEntry] = []
        accepting: set[str] = set()  # ids whose mark is someone else's to make (and their _known entry)
        elsewhere: dict[str, list[OutboxEntry]] = {}
        try:
            for index, entry in enumerate(batch):
                if entry.platform not in self.connected or self._deliver is None:
                    continue  # stays stored; taken back when its adapter connects
                later_board = entry.kind == _COALESCED and any(e.kind == _COALESCED for e in batch[index + 1:])
                try:
                    delivery = None if later_board else await self._attempt(entry, memo)
                except Elsewhere as moved:
                    elsewhere.setdefault(moved.route, []).append(entry)
                    continue
                settled.append(entry)
                if delivery is not None and delivery.pending:
                    accepting.update(e.id for e in settled)  # handed to the adapter's own worker: marked once it succeeded
                    self._mark_when_accepted(delivery.pending, settled)
                    settled = []
                elif entry.kind != _COALESCED and self._store is not None:
                    accepting.update(e.id for e in settled)
                    self._mark_soon(settled, at_once=True)  # a member-visible effect: marked without delay
                    settled = []
            if settled and self._store is not None:
                accepting.update(e.id for e in settled)
                self._mark_soon(settled)
            await self._hand_off(elsewhere)
        finally:
            for entry in batch:
                if entry.id not in accepting:
                    self._known.discard(entry.id)

    async def _hand_off(self, elsewhere: dict[str, list[OutboxEntry]]) -> None:
        if self._store is None or self._now is None:
            return
        for route, entries in elsewhere.items():
            try:
                await self._store.hand_off(entries, route, self._now())
                self.handed_off += len(entries)
            except Exception:  # still this process's: taken back at a sweep and handed over again
                log.exception("handing %d effect(s) of %s to %s failed", len(entries), entries[0].stream, route)

    def _mark_when_accepted(self, accepted: list[asyncio.Future[None]], entries: list[OutboxEntry]) -> None:
        """Marks `entries` done once the platform accepted every call; a call that failed or never went out
        (the adapter stopped) leaves them stored, taken back later as maybe done."""
        async def mark() -> None:
            try:
                outcomes = await asyncio.gather(*accepted, return_exceptions=True)
                failed = [o for o in outcomes if isinstance(o, BaseException)]
                if failed:
                    log.warning("platform work %s on %s not accepted (%r); left for a later delivery",
                                entries[-1].kind, entries[-1].stream, failed[0])
                elif self._store is not None:
                    await self._store.done(entries)
            except Exception:
                log.exception("marking delivered effects done failed; they will be delivered again")
            finally:
                for entry in entries:
                    self._known.discard(entry.id)

        task = asyncio.create_task(mark(), name=f"dispatch:accepted:{entries[-1].stream}")
        self._accepting.add(task)
        task.add_done_callback(self._accepting.discard)

    def _mark_soon(self, entries: list[OutboxEntry], *, at_once: bool = False) -> None:
        """Delivered effects are marked done by one writer, many in one write, so the stream goes on to its next
        effect at once and a storm's deliveries do not add one transaction each. Board edits wait up to
        MARK_EVERY for company (a repeated edit shows the same board); a member-visible effect is marked by the
        next write, which takes whatever was delivered meanwhile. Killed before the mark, an effect is taken
        back as maybe done and recognised on the platform (a post by its tag), so nothing is seen twice."""
        assert self._store is not None
        self._unmarked.extend(entries)
        if at_once:
            self._hurry.set()
        if self._marker is None:
            self._marker = asyncio.create_task(self._mark_later(), name="dispatch:mark")

    async def _mark_later(self) -> None:
        assert self._store is not None
        entries: list[OutboxEntry] = []
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._hurry.wait(), MARK_EVERY)
            self._hurry.clear()
            entries, self._unmarked = self._unmarked, []
            await self._store.done(entries)
        except Exception:
            log.exception("marking delivered effects done failed; they will be delivered again")
        finally:
            for entry in entries:  # queued again by this process only once stored as done or taken back
                self._known.discard(entry.id)
            if self._marker is asyncio.current_task():
                self._marker = None
            if self._marker is None and self._unmarked:
                self._marker = asyncio.create_task(self._mark_later(), name="dispatch:mark")

    async def _attempt(self, entry: OutboxEntry, memo: dict[str, Any]) -> Delivery | None:
        """The delivery that succeeded, or None once given up."""
        assert self._deliver is not None
        for attempt in range(RETRIES + 1):
            delivery = Delivery(entry.id, maybe_done=entry.maybe_done or attempt > 0)
            token = delivering.set(delivery)
            try:
                await self._deliver(entry, memo)
                return delivery
            except Elsewhere:
                raise
            except Exception as error:
                if attempt < RETRIES and transient(error):
                    log.warning("platform work %s on %s failed (%r); retrying", entry.kind, entry.stream, error)
                    memo.clear()
                    await asyncio.sleep(self._backoff * 2 ** attempt * random.uniform(0.8, 1.2))
                    continue
                log.exception("platform work %s on %s failed; given up", entry.kind, entry.stream)
                return None
            finally:
                delivering.reset(token)
        return None
