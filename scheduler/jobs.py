"""What a stored job runs: ``scheduler.jobs:fire``, which hands its command to this process's running bus.

A job holds a key and an encoded command, nothing of the process that scheduled it: on PostgreSQL the
job may run in another bot process than the one that stored it. The executor of each scheduler names
its owner while a job runs, and ``fire`` finds that owner's event loop and bus in a registry that
``ApsScheduler.start()`` fills (never at import).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from apscheduler.executors.base import BaseExecutor, run_job

from bot.domain.commands import Command
from bot.domain.errors import StageError
from scheduler.codec import decode

log = logging.getLogger(__name__)

FIRE = "scheduler.jobs:fire"

Run = Callable[[Command], Awaitable[object]]

_owner: ContextVar[str | None] = ContextVar("scheduler_owner", default=None)


class Outlet:
    """Where one scheduler's fired commands go: its event loop and the bus's ``handle``.

    Commands cross to the loop in batches: the first one of a batch schedules a single callback
    (``call_soon_threadsafe``) that starts a task for every command handed over until it runs. When a
    thousand timers run out together, one wake-up of the loop replaces a thousand (each a write to the
    loop's self-pipe and a future): in bench/scheduler_bench.py's burst, the last of them reached the bus
    about twice as soon as with one ``run_coroutine_threadsafe`` per command.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, run: Run) -> None:
        self.loop, self.run = loop, run
        self._lock = threading.Lock()
        self._waiting: list[tuple[str, Command]] = []  # handed over, not started yet
        self._running: set[asyncio.Task[None]] = set()

    def hand_over(self, key: str, command: Command) -> None:
        with self._lock:
            self._waiting.append((key, command))
            first = len(self._waiting) == 1
        if first:
            try:
                self.loop.call_soon_threadsafe(self._start_waiting)
            except RuntimeError:  # the loop closed under a job firing at shutdown
                log.warning("job %s fired after its event loop closed; dropped", key)

    def _start_waiting(self) -> None:
        with self._lock:
            batch, self._waiting = self._waiting, []
        for key, command in batch:
            task = self.loop.create_task(run_fired(self.run, key, command), name=f"scheduled:{key}")
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def settle(self) -> None:
        """Waits for the commands already handed over to finish (called on the loop)."""
        while True:
            self._start_waiting()
            if not self._running:
                return
            await asyncio.gather(*list(self._running), return_exceptions=True)


async def run_fired(run: Run, key: str, command: Command) -> None:
    """Runs a job's command; a refusal or a failure is logged and ends there (the next job still runs)."""
    try:
        await run(command)
    except StageError as refusal:
        log.info("scheduled %s refused: %s", key, refusal)
    except Exception:
        log.exception("scheduled %s failed", key)


_outlets: dict[str, Outlet] = {}


def register(owner: str, outlet: Outlet) -> None:
    _outlets[owner] = outlet


def unregister(owner: str) -> Outlet | None:
    return _outlets.pop(owner, None)


def fire(key: str, command: dict[str, Any]) -> None:
    """The function every stored job references by text. It decodes and hands over; it decides nothing."""
    outlet = _outlets.get(_owner.get() or "")
    if outlet is None:
        log.warning("job %s fired with no running bus in this process; dropped", key)
        return
    outlet.hand_over(key, decode(command))


class HandOffExecutor(BaseExecutor):
    """Runs ``fire`` on the scheduler's own thread: handing a command to the loop takes microseconds,
    so a thread pool would only add a hop, and the order of due jobs is kept."""

    def __init__(self, owner: str, *, on_late: Callable[[float], None] | None = None) -> None:
        super().__init__()
        self._owner_id = owner
        self._on_late = on_late

    def submit_job(self, job: Any, run_times: list[Any]) -> None:
        # The base class counts running instances around a deferred run; an inline run needs no count
        # (and counting it would leave one entry per job id behind).
        self._do_submit_job(job, run_times)

    def _do_submit_job(self, job: Any, run_times: list[Any]) -> None:
        if self._on_late is not None and run_times:
            self._on_late((datetime.now(UTC) - run_times[-1]).total_seconds())
        token = _owner.set(self._owner_id)
        try:
            events = run_job(job, job._jobstore_alias, run_times, self._logger.name)
        finally:
            _owner.reset(token)
        for event in events:
            self._scheduler._dispatch_event(event)
