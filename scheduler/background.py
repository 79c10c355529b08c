"""APScheduler's BackgroundScheduler, woken only when a new job is due before its next planned look.

The base class wakes its thread after every added job, and each wake-up is a round of queries holding
the job-store lock that the next add waits for. The bus stores a job after most commands, and nearly
all of them are due later than something already planned, so those rounds only slowed ``schedule``
down (threefold on PostgreSQL).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING

from scheduler.store import ClaimingJobStore


class LazyWakeScheduler(BackgroundScheduler):  # type: ignore[misc]
    def __init__(self, store: ClaimingJobStore, **options: Any) -> None:
        super().__init__(jobstores={"default": store}, **options)
        self.store = store
        # When the thread will look again; None while a round runs or when unknown: then always wake it.
        self._planned: datetime | None = None
        self._adding = threading.local()

    def _process_jobs(self) -> float | None:
        self._planned = None
        wait: float | None = super()._process_jobs()
        if wait is not None:
            self._planned = datetime.now(UTC) + timedelta(seconds=wait)
        return wait

    def _real_add_job(self, job: Any, jobstore_alias: str, replace_existing: bool) -> None:
        self._adding.active = True
        try:
            super()._real_add_job(job, jobstore_alias, replace_existing)
        finally:
            self._adding.active = False
        self.stored(job.next_run_time)

    def stored(self, at: datetime) -> None:
        """A job due at `at` was just stored: the thread looks again now if that is before its next look."""
        planned = self._planned
        if self.state == STATE_RUNNING and (planned is None or at < planned):
            super().wakeup()

    def wakeup(self) -> None:
        if getattr(self._adding, "active", False):
            return  # _real_add_job decides once the job is stored
        super().wakeup()
