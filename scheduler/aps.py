"""The production Scheduler port: APScheduler 3 with its jobs in the core's database.

Jobs live in APScheduler's own table (``apscheduler_jobs``) next to the core's, so a restart re-arms
every job, and one whose time passed while the bot was down fires once at start-up if it is no later
than the misfire grace time. A job holds a key and an encoded command; firing hands the command to the
bus of the process that runs it (see ``jobs.py``).

The event loop is never blocked: APScheduler's ``BackgroundScheduler`` (``background.py``) waits, reads the table
and fires on a thread of its own, fired commands reach the loop through ``call_soon_threadsafe`` (in batches), and
``schedule``/``cancel`` write the table from a worker thread. On PostgreSQL, where several bot processes
may share the database, only the elected leader runs jobs (see ``leader.py``); the others start paused.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from apscheduler.job import Job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import URL, create_engine, event
from sqlalchemy.engine import make_url

from bot.domain.commands import Command
from bot.ports import JobWrite
from scheduler import jobs
from scheduler.background import LazyWakeScheduler
from scheduler.codec import encode
from scheduler.leader import Leadership
from scheduler.store import TABLE, ClaimingJobStore

log = logging.getLogger(__name__)

T = TypeVar("T")


class ApsScheduler:
    def __init__(self, url: URL | str, *, run: jobs.Run | None = None, misfire_grace: int = 300,
                 poll_interval: float = 0.2, lock_retry: float = 1.0, table: str = TABLE) -> None:
        self.url = make_url(url) if isinstance(url, str) else url
        self.run = run
        self.misfire_grace, self.poll_interval, self.lock_retry = misfire_grace, poll_interval, lock_retry
        self.table = table
        self.shared = self.url.get_backend_name() == "postgresql"
        self._owner = uuid.uuid4().hex
        self._aps: LazyWakeScheduler | None = None
        self._leadership: Leadership | None = None
        self._outlet: jobs.Outlet | None = None
        self._opening: asyncio.Lock | None = None
        self._stopped = False
        # Called on the loop each time this process is elected leader later than its start() (see _elected);
        # the election within start() needs none, as the App has armed everything just before.
        self.on_elected: Callable[[], Awaitable[None]] | None = None
        # Told how many seconds after its due time each job fired (the scheduler-lag metric).
        self.on_late: Callable[[float], None] | None = None
        self._rearming: set[asyncio.Task[None]] = set()
        # Writes to the job table leave the loop here; SQLite has one writer, so one thread is enough.
        self._writer: ThreadPoolExecutor | None = None

    # ---- the port --------------------------------------------------------------------------------

    async def schedule(self, key: str, at: datetime, command: Command) -> None:
        job = _job(key, at, command)  # fails here, in the caller, rather than when the job fires
        await self._write(lambda aps: aps.add_job(**job, replace_existing=True))

    async def job_write(self, key: str, at: datetime | None, command: Command | None) -> JobWrite | None:
        job = _job(key, at, command) if at is not None and command is not None else None
        if self._stopped and self._aps is None:
            return None  # stopping: `schedule` writes it on its own
        aps = await self._open()
        if job is None:
            return JobWrite(key, None, aps.store.remove, {"id": key})
        # As APScheduler's add_job makes it, with this scheduler's defaults and the trigger's one time.
        made = Job(aps, **job, kwargs={}, executor="default", next_run_time=job["trigger"].run_date, **self._defaults())
        return JobWrite(key, at, aps.store.upsert, aps.store.row(made))

    def stored(self, write: JobWrite) -> None:
        if self._aps is not None and write.at is not None:
            self._aps.stored(write.at)

    async def cancel(self, key: str) -> None:
        def remove(aps: LazyWakeScheduler) -> None:
            # The bus mostly cancels jobs that have just fired: a read, not APScheduler's lock and a DELETE
            # (on SQLite a DELETE takes the write lock the core's commits wait for, even deleting nothing).
            if not aps.store.holds(key):
                return
            try:
                aps.remove_job(key)
            except JobLookupError:
                pass  # fired or cancelled by another process meanwhile

        await self._write(remove)

    # ---- life cycle ------------------------------------------------------------------------------

    @property
    def leader(self) -> bool:
        return self._aps is not None and self._outlet is not None and (
            not self.shared or (self._leadership is not None and self._leadership.leader))

    async def start(self) -> None:
        """Runs due and future jobs in this process, or stands by while another process leads."""
        if self._stopped:
            raise RuntimeError("a stopped ApsScheduler does not start again; build another")
        if self._outlet is not None:
            return
        if self.run is None:
            raise RuntimeError("ApsScheduler.start() needs run (the bus's handle) to hand commands to")
        aps = await self._open()
        self._outlet = jobs.Outlet(asyncio.get_running_loop(), self.run)
        jobs.register(self._owner, self._outlet)
        if not self.shared:
            aps.resume()  # SQLite: one bot process, always the leader
            return
        loop = asyncio.get_running_loop()
        self._leadership = Leadership(self.url, table=self.table, on_elected=partial(self._elected, aps, loop),
                                      on_deposed=aps.pause, on_tick=aps.wakeup, tick=self.poll_interval,
                                      retry=self.lock_retry)
        await self._offload(self._leadership.start)

    async def stop(self) -> None:
        """Stops firing, lets fired commands finish (they may re-arm jobs), then gives leadership up."""
        if self._stopped:
            return
        self._stopped = True
        if self._leadership is not None:
            await self._offload(self._leadership.halt)  # no election may resume jobs from here on
        for task in list(self._rearming):
            await asyncio.gather(task, return_exceptions=True)
        aps = self._aps
        if aps is not None:
            aps.store.claiming = False
            aps.pause()
            # Looking a job up takes the job-store lock, so this returns once a round that claimed jobs
            # before claiming stopped has handed all its commands over.
            await self._offload(aps.get_job, "")
        if self._outlet is not None:
            await self._outlet.settle()
            jobs.unregister(self._owner)
            self._outlet = None
        if aps is not None:
            await self._offload(aps.shutdown)
            self._aps = None
        if self._leadership is not None:
            await self._offload(self._leadership.release)  # only now may another process lead
            self._leadership = None
        if self._writer is not None:
            self._writer.shutdown(wait=True)
            self._writer = None

    async def settle(self) -> None:
        """Waits for commands already fired to finish."""
        if self._outlet is not None:
            await self._outlet.settle()

    async def pending(self) -> dict[str, datetime]:
        """Every stored job and its time, whoever stored it."""
        found: dict[str, datetime] = {}
        await self._write(lambda aps: found.update((job.id, job.next_run_time) for job in aps.get_jobs()))
        return found

    # ---- inside ----------------------------------------------------------------------------------

    def _elected(self, aps: LazyWakeScheduler, loop: asyncio.AbstractEventLoop, first: bool) -> None:
        """On the election thread: run the jobs, and have the loop re-arm them from the database.

        A leader that died between claiming a job and committing its command took that job with it;
        every job the bot stores follows from stored state (a stage's next timer, a series' next
        reminder and opening), so re-arming from that state when taking over brings it back.
        """
        aps.resume()
        if self.on_elected is not None and not first:
            loop.call_soon_threadsafe(self._rearm, self.on_elected)

    def _rearm(self, rearm: Callable[[], Awaitable[None]]) -> None:
        async def guarded() -> None:
            try:
                await rearm()
            except Exception:
                log.exception("re-arming the jobs after the election failed; they are re-armed at the next start")

        task = asyncio.create_task(guarded(), name="scheduler-rearm")
        self._rearming.add(task)
        task.add_done_callback(self._rearming.discard)

    async def _write(self, work: Callable[[LazyWakeScheduler], None]) -> None:
        if self._stopped and self._aps is None:
            # A late write (a command finishing during shutdown) still lands in the table.
            await asyncio.to_thread(self._one_off, work)
            return
        aps = await self._open()
        await self._offload(work, aps)

    async def _open(self) -> LazyWakeScheduler:
        """Opens the job store, paused: jobs may be stored before start() (the bus re-arms timers first)."""
        if self._aps is not None:
            return self._aps
        if self._opening is None:
            self._opening = asyncio.Lock()
        async with self._opening:
            if self._aps is None:
                aps = self._build()
                await self._offload(partial(aps.start, paused=True))
                self._aps = aps
        return self._aps

    def _one_off(self, work: Callable[[LazyWakeScheduler], None]) -> None:
        aps = self._build()
        aps.start(paused=True)
        try:
            work(aps)
        finally:
            aps.shutdown()

    def _build(self) -> LazyWakeScheduler:
        engine = create_engine(self.url, pool_pre_ping=self.shared,
                               **({"pool_size": 2, "max_overflow": 2} if self.shared else
                                  {"connect_args": {"check_same_thread": False}}))
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        return LazyWakeScheduler(
            ClaimingJobStore(engine, tablename=self.table), timezone=UTC,
            executors={"default": jobs.HandOffExecutor(self._owner, on_late=lambda s: self._late(s))},
            job_defaults=self._defaults(),
            jobstore_retry_interval=1,
        )

    def _defaults(self) -> dict[str, Any]:
        """What every job of this scheduler is added with (and `job_write` writes)."""
        return {"coalesce": True, "max_instances": 1, "misfire_grace_time": self.misfire_grace}

    def _late(self, seconds: float) -> None:
        if self.on_late is not None:
            self.on_late(seconds)

    async def _offload(self, work: Callable[..., T], *args: Any) -> T:
        if self._writer is None:
            self._writer = ThreadPoolExecutor(max_workers=2 if self.shared else 1, thread_name_prefix="podium-sched")
        return await asyncio.get_running_loop().run_in_executor(self._writer, work, *args)


def _job(key: str, at: datetime, command: Command) -> dict[str, Any]:
    """What a job of the bot's is: `command`, encoded, handed to the bus at `at` (which must have a zone)."""
    if at.tzinfo is None:
        raise ValueError(f"scheduled time for {key} has no time zone: {at!r}")
    return {"func": jobs.FIRE, "trigger": DateTrigger(run_date=at, timezone=UTC), "args": (key, encode(command)),
            "id": key, "name": key}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
