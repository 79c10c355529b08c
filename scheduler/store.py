"""APScheduler's SQLAlchemy job store, made safe for a table that several bot processes write to.

APScheduler 3 assumes one scheduler owns its store. Here every process adds and removes jobs while one
leader runs them (see ``leader.py``), so the store changes three things:

- Due jobs are *claimed*: deleted by the very statement that reads them (``DELETE ... RETURNING``). A job
  thus runs at most once even if two schedulers briefly both ran (a leader that lost its lock and has not
  noticed yet), and a job that another process replaced or cancelled meanwhile never runs in its old form.
- APScheduler removes a one-shot job after submitting it; for a job this thread just claimed, that removal
  does nothing, so it cannot delete a newer job another process stored under the same key in between.
- Adding is one upsert, so replacing a key never races with the leader claiming it.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import threading
from datetime import datetime
from functools import cached_property
from typing import Any

from apscheduler.job import Job
from apscheduler.jobstores.base import BaseJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.util import datetime_to_utc_timestamp, utc_timestamp_to_datetime
from sqlalchemy import Engine, bindparam, delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

log = logging.getLogger(__name__)

TABLE = "apscheduler_jobs"
CLAIM_BATCH = 500
_UNKNOWN = object()


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory locks."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


class ClaimingJobStore(SQLAlchemyJobStore):  # type: ignore[misc]
    def __init__(self, engine: Engine, *, tablename: str = TABLE) -> None:
        super().__init__(engine=engine, tablename=tablename)
        self._local = threading.local()
        self.claiming = True  # turned off first thing when stopping: a job claimed is a job that must run

    def start(self, scheduler: Any, alias: str) -> None:
        BaseJobStore.start(self, scheduler, alias)
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Processes starting together would otherwise both try to create the table.
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                             {"key": advisory_key(f"podium-scheduler-create:{self.jobs_t.name}")})
            self.jobs_t.create(conn, checkfirst=True)

    def get_due_jobs(self, now: datetime) -> list[Job]:
        t = self.jobs_t
        self._local.claimed, self._local.next_run = set(), _UNKNOWN
        if not self.claiming:
            return []
        due = t.c.next_run_time <= datetime_to_utc_timestamp(now)
        with self.engine.begin() as conn:
            # On SQLite a read first: most rounds find nothing due, and a DELETE takes the one write lock
            # the core's commits need even when it deletes nothing. PostgreSQL's DELETE locks only rows.
            if conn.dialect.name == "sqlite" and conn.execute(select(t.c.id).where(due).limit(1)).first() is None:
                return []
            # The earliest CLAIM_BATCH only: APScheduler comes straight back for the rest, so the first
            # commands of a large batch are handed over while later ones are still being claimed.
            # PostgreSQL: rows a command's transaction is rewriting (a job is written with the command that
            # moved it) are skipped, not waited for: they are claimed, as then stored, by a later round. Waiting
            # on them could deadlock with a command rewriting two due jobs, each holding one row the other wants.
            earliest = (select(t.c.id).where(due).order_by(t.c.next_run_time).limit(CLAIM_BATCH)
                        .with_for_update(skip_locked=True).scalar_subquery())
            claim = delete(t).where(t.c.id.in_(earliest), due).returning(t.c.id, t.c.next_run_time, t.c.job_state)
            rows = sorted(conn.execute(claim), key=lambda row: row.next_run_time)
            # APScheduler asks for the next run time right after this round: answered from this transaction,
            # one round trip to the database instead of a transaction of its own.
            self._local.next_run = conn.execute(select(func.min(t.c.next_run_time))).scalar()
        self._local.claimed = {row.id for row in rows}
        jobs = []
        for row in rows:
            try:
                jobs.append(self._reconstitute_job(row.job_state))
            except Exception:
                log.exception("stored job %s cannot be restored; dropped", row.id)
        return jobs

    def get_next_run_time(self) -> datetime | None:
        known, self._local.next_run = getattr(self._local, "next_run", _UNKNOWN), _UNKNOWN
        if known is _UNKNOWN:
            return super().get_next_run_time()  # type: ignore[no-any-return]
        return utc_timestamp_to_datetime(known)  # type: ignore[no-any-return]

    def remove_job(self, job_id: str) -> None:
        claimed: set[str] = getattr(self._local, "claimed", set())
        if job_id in claimed:
            claimed.discard(job_id)  # already deleted when claimed; a row here now is a newer job
            return
        super().remove_job(job_id)

    def holds(self, job_id: str) -> bool:
        """Whether a job is stored under this id, read without APScheduler's lock and without a write."""
        with self.engine.connect() as conn:
            return conn.execute(select(self.jobs_t.c.id).where(self.jobs_t.c.id == job_id)).first() is not None

    def add_job(self, job: Job) -> None:
        if self.engine.dialect.name not in ("postgresql", "sqlite"):
            super().add_job(job)  # insert, then update on conflict
            return
        with self.engine.begin() as conn:
            conn.execute(self.upsert, self.row(job))

    def row(self, job: Job) -> dict[str, Any]:
        """The job as its row stores it."""
        return {"id": job.id, "next_run_time": datetime_to_utc_timestamp(job.next_run_time),
                "job_state": pickle.dumps(job.__getstate__(), self.pickle_protocol)}

    @cached_property
    def upsert(self) -> Any:
        """Stores a job's `row` under its id, replacing the one there (PostgreSQL and SQLite)."""
        insert = (postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert)(self.jobs_t)
        stored = insert.values(id=bindparam("id"), next_run_time=bindparam("next_run_time"),
                               job_state=bindparam("job_state"))
        return stored.on_conflict_do_update(index_elements=["id"], set_={
            "next_run_time": stored.excluded.next_run_time, "job_state": stored.excluded.job_state})

    @cached_property
    def remove(self) -> Any:
        """Deletes the job of an id (`{"id": ...}`), if there is one."""
        return delete(self.jobs_t).where(self.jobs_t.c.id == bindparam("id"))
