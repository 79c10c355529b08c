"""The composition root: the one place that wires settings, persistence, platforms and scheduler."""

from __future__ import annotations

import asyncio
import inspect
import logging
import socket
import uuid
from collections.abc import Callable
from datetime import timedelta
from dataclasses import dataclass, field
from typing import Any

from bot import heap
from bot.clock import SystemClock
from bot.config import Settings
from bot.domain.recording import RECORDING_COMMANDS
from bot.persistence import schema
from bot.persistence.database import Database
from bot.persistence.outbox import SqlOutbox
from bot.persistence.repository import SqlStageRepository, StageCache
from bot.persistence.replay_store import BucketReplayStore, FolderReplayStore, ReplayStore
from bot.persistence.uow import SqlUnitOfWork
from bot.ports import Clock, RoutedPlatform, StagePlatform
from bot.services.bus import MessageBus
from bot.services.community import Community, Outbox, thresholds_of
from bot.services.community_delivery import CommunityNotifier
from bot.surface.community import community_reads
from bot.domain.community_commands import COMMUNITY_COMMANDS
from bot.domain.links import LINK_COMMANDS
from bot.services.links import Links
from bot.domain.follows import FOLLOW_COMMANDS
from bot.persistence.blocks import blocked_ids
from bot.services.follows import Follows
from bot.metrics import Metrics
from bot.services.delivery import Deliveries
from bot.services.space_blocks import SpaceBlocks
from bot.services.outbox import OutboxDispatcher
from bot.services.locales import Locales
from bot.services.notifications import Notifier
from bot.services.schedule_notifications import ScheduleNotifier
from bot.services.platform_state import BoardMessages, Inbox, RequestInbox
from bot.services.queries import Queries
from bot.services.recordings import Recordings

log = logging.getLogger(__name__)


@dataclass(eq=False)
class App:
    settings: Settings
    db: Database
    clock: Clock
    scheduler: Any
    bus: MessageBus
    queries: Queries
    locales: Locales
    dispatcher: OutboxDispatcher
    cache: StageCache
    boards: BoardMessages
    inbox: Inbox
    requests: RequestInbox
    outbox: SqlOutbox
    recordings: Recordings
    community: Community
    follows: Follows
    platforms: dict[str, StagePlatform] = field(default_factory=dict)
    # Reads a row names that the gateway does not know itself (bot.surface.gateway), by name.
    reads: dict[str, Callable[..., Any]] = field(default_factory=dict)
    started: bool = False
    _waiting: set[str] = field(default_factory=set)
    _purging: asyncio.Task[None] | None = None
    metrics: Metrics = field(default_factory=Metrics)
    # Whether each adapter is connected to its platform now (/readyz); an adapter adds itself as it starts.
    links: dict[str, Callable[[], bool]] = field(default_factory=dict)

    def register(self, platform: StagePlatform, *, connected: bool = True) -> None:
        """An adapter's platform. Effects for it go out once it is connected: at once here, or when the
        adapter calls `connected` (Discord: once its gateway is ready)."""
        self.platforms[platform.name] = platform
        if isinstance(platform, RoutedPlatform) and platform.routes:
            self.dispatcher.serve(platform.routes)  # effects other processes hand to this one's shards
        if connected and self.started:
            self.dispatcher.connect_soon(platform.name)
        elif connected:
            self._waiting.add(platform.name)

    async def connected(self, platform: str) -> None:
        """The platform's adapter can act now: what waited for it (committed while it was away, or
        left undelivered by a previous run) goes out, oldest first."""
        if self.started:
            await self.dispatcher.connect(platform)
        else:
            self._waiting.add(platform)

    def disconnected(self, platform: str) -> None:
        self.dispatcher.disconnect(platform)

    async def migrate(self) -> None:
        await self.db.run(schema.upgrade, self.db)

    async def start(self, *, migrate: bool = True) -> None:
        """Upgrades the schema, applies what ran out while the bot was away, and arms the timers."""
        if migrate:
            await self.migrate()
        self.started = True
        for platform in sorted(self._waiting):
            await self.dispatcher.connect(platform)
        self._waiting.clear()
        heap.freeze_what_start_built()  # before any stage is loaded: a stage may leave the cache again
        await self.rearm()
        if hasattr(self.scheduler, "start"):
            started = self.scheduler.start()
            if inspect.isawaitable(started):  # the APScheduler one opens its job table off the loop
                await started
        self._purging = asyncio.create_task(self._purge_replays(), name="replays:retention")

    async def _purge_replays(self, every: float = 3600.0) -> None:
        """Replays past REPLAY_RETENTION_DAYS are deleted at start and every hour after."""
        while True:
            try:
                removed = await self.recordings.purge()
                if removed:
                    log.info("deleted %d replay(s) past their retention: %s", len(removed), ", ".join(removed))
            except Exception:
                log.exception("could not delete the replays past their retention; trying again in an hour")
            await asyncio.sleep(every)

    async def rearm(self) -> None:
        """Arms every job from what is stored; what ran out meanwhile is applied now."""
        live = await SqlStageRepository(self.db, self.cache).live_ids()
        await self.bus.rearm_all(live)
        await self.bus.rearm_series(await self.queries.active_schedule_ids())

    async def settle(self) -> None:
        """Waits until fired timers and platform work have run (for the console and tests)."""
        if hasattr(self.scheduler, "settle"):
            await self.scheduler.settle()
        await self.dispatcher.drain()

    async def stop(self) -> None:
        if self._purging is not None:
            self._purging.cancel()
        if hasattr(self.scheduler, "stop"):
            await self.scheduler.stop()
        await self.dispatcher.close()
        await self.db.dispose()
        heap.thaw()


def build(settings: Settings, *, clock: Clock | None = None, scheduler: Any = None,
          database_url: str | None = None) -> App:
    """``scheduler`` is "aps" (jobs in the database; the default on the real clock), "memory" (the
    default with a ManualClock, which only the in-memory scheduler follows) or a Scheduler instance."""
    from scheduler import calendar

    clock = clock or SystemClock()
    db = Database(database_url or settings.resolved_database_url)
    cache = StageCache()
    outbox = SqlOutbox(db, owner=settings.instance_name or socket.gethostname()[:60])
    metrics = Metrics()
    scheduler = _scheduler(scheduler, settings, clock, db)
    if hasattr(scheduler, "on_late"):
        scheduler.on_late = metrics.late
    locales = Locales(db, settings.default_locale, settings.default_timezone)
    platforms: dict[str, StagePlatform] = {}
    recordings = Recordings(db=db, clock=clock, uow=lambda: SqlUnitOfWork(db, cache, read_only=True),
                            folder=settings.replay_dir, retention_days=settings.replay_retention_days,
                            outbox=outbox, submit=lambda entries: dispatcher.submit(entries),
                            store=replay_store(settings))
    queries = Queries(uow=lambda: SqlUnitOfWork(db, cache, read_only=True), db=db, clock=clock)
    community_outbox = Outbox(outbox.write)
    community = Community(db=db, clock=clock, defaults=thresholds_of(settings), outbox=community_outbox)
    follows = Follows(db=db, clock=clock, outbox=community_outbox,
                      blocked=lambda platform, space_id, now: blocked_ids(db, platform, space_id, now))
    deliveries = Deliveries(platforms=platforms, queries=queries, stages=Notifier(locales, recordings.timeline),
                            series=ScheduleNotifier(locales),
                            community=CommunityNotifier(community, locales, queries, follows),
                            space_blocks=(space_blocks := SpaceBlocks(queries)))
    dispatcher = OutboxDispatcher(store=outbox, deliver=deliveries, now=clock.now)
    community_outbox.submit = dispatcher.submit
    bus = MessageBus(
        uow=lambda: SqlUnitOfWork(db, cache, outbox=outbox), clock=clock, scheduler=scheduler,
        defaults=settings.default_rules, new_id=lambda: uuid.uuid4().hex[:12], dispatcher=dispatcher,
        calendar=calendar.series, space_timezone=locales.timezone,
        reminder_lead=settings.schedule_reminder_lead,
        reminder_grace=timedelta(seconds=settings.schedule_reminder_grace),
        shared_jobs=db.shared, metrics=metrics)
    space_blocks.run = bus.handle
    if getattr(scheduler, "run", "absent") is None:
        scheduler.run = bus.handle
    app = App(settings=settings, db=db, clock=clock, scheduler=scheduler, bus=bus, queries=queries,
              locales=locales, dispatcher=dispatcher, cache=cache, boards=BoardMessages(db), inbox=Inbox(db),
              requests=RequestInbox(db), outbox=outbox, recordings=recordings, community=community,
              follows=follows, platforms=platforms, metrics=metrics, reads=community_reads(community, queries, follows))
    for kind in RECORDING_COMMANDS:
        bus.services[kind] = app.recordings.handle  # type: ignore[assignment]
    for community_kind in COMMUNITY_COMMANDS:
        bus.services[community_kind] = community.handle  # type: ignore[assignment]
    for follow_kind in FOLLOW_COMMANDS:
        bus.services[follow_kind] = follows.handle  # type: ignore[assignment]
    links = Links(db=db, clock=clock, uow=lambda: SqlUnitOfWork(db, cache, read_only=True), outbox=community_outbox)
    for link_kind in LINK_COMMANDS:
        bus.services[link_kind] = links.handle  # type: ignore[assignment]
    if hasattr(scheduler, "on_elected"):
        scheduler.on_elected = app.rearm  # a process taking over the jobs re-arms them from the database
    return app


def replay_store(settings: Settings) -> ReplayStore:
    """REPLAY_DIR unless REPLAY_S3_BUCKET names a bucket."""
    if not settings.replay_s3_bucket:
        return FolderReplayStore()
    secret = settings.replay_s3_secret_access_key
    return BucketReplayStore(settings.replay_s3_bucket, prefix=settings.replay_s3_prefix,
                             endpoint_url=settings.replay_s3_endpoint_url, region=settings.replay_s3_region,
                             access_key_id=settings.replay_s3_access_key_id,
                             secret_access_key=secret.get_secret_value() if secret is not None else None)


def _scheduler(choice: Any, settings: Settings, clock: Clock, db: Database) -> Any:
    wall_clock = getattr(clock, "real", True)
    if choice is None:
        choice = "aps" if wall_clock else "memory"
    if choice == "memory":
        from scheduler.memory import MemoryScheduler

        return MemoryScheduler(clock)
    if choice == "aps":
        if not wall_clock:
            raise ValueError("APScheduler fires on the wall clock; with a ManualClock use scheduler='memory'")
        from scheduler.aps import ApsScheduler

        return ApsScheduler(db.url, misfire_grace=settings.scheduler_misfire_grace)
    if isinstance(choice, str):
        raise ValueError(f"unknown scheduler {choice!r}: 'aps' or 'memory'")
    return choice
