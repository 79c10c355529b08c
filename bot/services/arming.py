"""Timer jobs: which a transaction must store (a stage's next timer, a series' reminder and opening), and what
this process armed last, so that a command that did not move a timer does not store its job again.

Where the scheduler keeps its jobs in the database (StoredScheduler), a transaction writes its jobs with its
other rows, so a job is stored if and only if the commands that moved it are; else (the in-memory scheduler, or
one stopping) they are armed once the transaction committed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain import commands as c
from bot.domain.members import SYSTEM
from bot.domain.schedule import ScheduledStage
from bot.domain.timers import next_due
from bot.ports import JobWrite, Scheduler, StoredScheduler, UnitOfWork

log = logging.getLogger(__name__)

# A series' job to store (key, time, command) or to remove (key, None, None).
_Change = tuple[str, datetime | None, c.Command | None]


@dataclass
class JobPlan:
    """Jobs a transaction writes (``stages``: a stage's timer; ``series``: a series' jobs as armed then, and the
    writes), and those stored once it committed, where they cannot be written by it."""

    stages: list[tuple[str, JobWrite]] = field(default_factory=list)
    series: list[tuple[str, dict[str, datetime], list[JobWrite]]] = field(default_factory=list)
    later_stages: dict[str, datetime | None] = field(default_factory=dict)
    later_series: list[ScheduledStage] = field(default_factory=list)

    def writes(self) -> list[JobWrite]:
        """In the order of their keys, as every transaction takes their rows."""
        return sorted([write for _, write in self.stages] + [write for _, _, ws in self.series for write in ws],
                      key=lambda write: write.key)


class TimerJobs:
    def __init__(self, scheduler: Scheduler, *, shared: bool) -> None:
        self._scheduler = scheduler
        # Where jobs live in the database, a command's own transaction writes its stage's timer job.
        self._stored = scheduler if isinstance(scheduler, StoredScheduler) else None
        # Another process sharing the job store may re-time a job: only a process alone trusts what it armed.
        self._shared = shared
        # When time alone next changes each stage this process knows, as of its last commit; a series' jobs.
        self._armed: dict[str, datetime | None] = {}
        self._armed_series: dict[str, dict[str, datetime]] = {}

    def due(self, stage_id: str, otherwise: datetime) -> datetime | None:
        """When the stage's timer was armed to run out (`otherwise` for a stage this process never armed)."""
        return self._armed.get(stage_id, otherwise)

    def armed(self, stage_id: str) -> bool:
        return stage_id in self._armed

    async def plan(self, uow: UnitOfWork, expired: bool) -> JobPlan:
        """The jobs the commands of `uow` moved (every stage's, when `expired`: timers were applied)."""
        plan = JobPlan()
        for schedule in uow.schedules.seen.values():
            changes, jobs = self._series_jobs(schedule)
            writes = ([await self._stored.job_write(key, at, command) for key, at, command in changes]
                      if self._stored is not None else None)
            if writes is None or None in writes:  # all of a series' jobs one way: none written half
                plan.later_series.append(schedule)
            else:
                plan.series.append((schedule.id, jobs, [write for write in writes if write is not None]))
        before = uow.stages.due_before
        for stage_id, stage in uow.stages.seen.items():
            due = next_due(stage)
            if stage_id in before and before[stage_id] == due and stage_id in self._armed and not expired:
                continue  # these commands did not move the stage's timer: its job stands as stored
            if not self._shared and stage_id in self._armed and self._armed[stage_id] == due:
                continue
            write = None
            if self._stored is not None:
                write = await self._stored.job_write(_due_key(stage_id), due, _expire(stage_id))
            if write is None:
                plan.later_stages[stage_id] = due
            else:
                plan.stages.append((stage_id, write))
        return plan

    async def committed(self, plan: JobPlan, writes: list[JobWrite]) -> None:
        """The transaction that carried `plan` (its `writes`) committed: the rest is armed now. A timer not
        armed is logged and armed again by the stage's next command (or the next start), which re-applies what
        came due; it must not turn the commands' answers into failures."""
        for stage_id, write in plan.stages:
            self._armed[stage_id] = write.at
        for schedule_id, jobs, _ in plan.series:
            self._armed_series[schedule_id] = jobs
        if self._stored is not None:
            for write in writes:
                self._stored.stored(write)
        for schedule in plan.later_series:
            await _quietly(self.arm_series(schedule), schedule.id)
        for stage_id, due in plan.later_stages.items():
            await _quietly(self._rearm(stage_id, due), stage_id)

    async def arm_series(self, schedule: ScheduledStage, *, not_before: datetime | None = None) -> None:
        """Keeps the series' reminder and opening jobs in step with it; a moment already past fires at once."""
        changes, jobs = self._series_jobs(schedule, not_before)
        for key, at, command in changes:
            if at is None or command is None:
                await self._scheduler.cancel(key)
            else:
                await self._scheduler.schedule(key, at, command)
        self._armed_series[schedule.id] = jobs

    def _series_jobs(self, schedule: ScheduledStage,
                     not_before: datetime | None = None) -> tuple[list[_Change], dict[str, datetime]]:
        """The series' jobs to store or remove, and all it has then."""
        jobs = {kind: max(at, not_before) if not_before else at for kind, at in schedule.jobs().items()}
        armed = self._armed_series.get(schedule.id, {})
        changes: list[_Change] = []
        for kind in ("remind", "start"):
            key = f"schedule-{kind}:{schedule.id}"
            if kind not in jobs:
                if kind in armed:
                    changes.append((key, None, None))
                continue
            if armed.get(kind) == jobs[kind] and not_before is None and not self._shared:
                continue
            occurrence = schedule.next_at
            assert occurrence is not None
            command: c.Command = (c.SendReminder if kind == "remind" else c.StartScheduled)(
                schedule_id=schedule.id, occurrence=occurrence, actor=SYSTEM)
            changes.append((key, jobs[kind], command))
        return changes, jobs

    async def _rearm(self, stage_id: str, due: datetime | None) -> None:
        self._armed.pop(stage_id, None)  # known again once stored
        if due is None:
            await self._scheduler.cancel(_due_key(stage_id))
        else:
            await self._scheduler.schedule(_due_key(stage_id), due, _expire(stage_id))
        self._armed[stage_id] = due


async def _quietly(arming: Awaitable[None], subject: str) -> None:
    try:
        await arming
    except Exception:
        log.exception("arming the timers of %s failed; armed again at its next command", subject)


def _due_key(stage_id: str) -> str:
    return f"stage-due:{stage_id}"


def _expire(stage_id: str) -> c.ExpireDue:
    return c.ExpireDue(stage_id=stage_id, actor=SYSTEM)
