"""The composition root: the one place that wires settings, persistence, platforms and scheduler."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from dataclasses import dataclass, field
from typing import Any

from bot.clock import SystemClock
from bot.config import Settings
from bot.persistence import schema
from bot.persistence.database import Database
from bot.persistence.repository import SqlStageRepository, StageCache
from bot.persistence.uow import SqlUnitOfWork
from bot.ports import Clock, StagePlatform
from bot.services.bus import MessageBus
from bot.services.dispatch import Dispatcher
from bot.services.locales import Locales
from bot.services.notifications import Notifier
from bot.services.schedule_notifications import ScheduleNotifier
from bot.services.platform_state import BoardMessages, Inbox
from bot.services.queries import Queries

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    db: Database
    clock: Clock
    scheduler: Any
    bus: MessageBus
    queries: Queries
    locales: Locales
    dispatcher: Dispatcher
    cache: StageCache
    boards: BoardMessages
    inbox: Inbox
    platforms: dict[str, StagePlatform] = field(default_factory=dict)

    def register(self, platform: StagePlatform) -> None:
        self.platforms[platform.name] = platform

    async def migrate(self) -> None:
        await self.db.run(schema.upgrade, self.db)

    async def start(self, *, migrate: bool = True) -> None:
        """Upgrades the schema, applies what ran out while the bot was away, and arms the timers."""
        if migrate:
            await self.migrate()
        live = await SqlStageRepository(self.db, self.cache).live_ids()
        await self.bus.rearm_all(live)
        await self.bus.rearm_series(await self.queries.active_schedule_ids())
        if hasattr(self.scheduler, "start"):
            self.scheduler.start()

    async def settle(self) -> None:
        """Waits until fired timers and platform work have run (for the console and tests)."""
        if hasattr(self.scheduler, "settle"):
            await self.scheduler.settle()
        await self.dispatcher.drain()

    async def stop(self) -> None:
        if hasattr(self.scheduler, "stop"):
            await self.scheduler.stop()
        await self.dispatcher.close()
        await self.db.dispose()


def build(settings: Settings, *, clock: Clock | None = None, scheduler: Any = None,
          database_url: str | None = None) -> App:
    from scheduler import calendar
    from scheduler.memory import MemoryScheduler

    clock = clock or SystemClock()
    db = Database(database_url or settings.resolved_database_url)
    cache = StageCache()
    dispatcher = Dispatcher()
    scheduler = scheduler or MemoryScheduler(clock)
    locales = Locales(db, settings.default_locale, settings.default_timezone)
    platforms: dict[str, StagePlatform] = {}
    bus = MessageBus(
        uow=lambda: SqlUnitOfWork(db, cache), clock=clock, scheduler=scheduler,
        defaults=settings.default_rules, new_id=lambda: uuid.uuid4().hex[:12], dispatcher=dispatcher,
        calendar=calendar.series, space_timezone=locales.timezone,
        reminder_lead=settings.schedule_reminder_lead,
        reminder_grace=timedelta(seconds=settings.schedule_reminder_grace),
        on_events=Notifier(platforms, locales), on_schedule_events=ScheduleNotifier(platforms, locales))
    if getattr(scheduler, "run", "absent") is None:
        scheduler.run = bus.handle
    queries = Queries(uow=lambda: SqlUnitOfWork(db, cache), db=db, clock=clock)
    return App(settings=settings, db=db, clock=clock, scheduler=scheduler, bus=bus, queries=queries,
               locales=locales, dispatcher=dispatcher, cache=cache, boards=BoardMessages(db), inbox=Inbox(db),
               platforms=platforms)
