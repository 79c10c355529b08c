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
from concurrent.futures import Future
from contextvars import ContextVar
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
    """Where one scheduler's fired commands go: its event loop and the bus's ``handle``."""

    def __init__(self, loop: asyncio.AbstractEventLoop, run: Run) -> None:
        self.loop, self.run = loop, run
        self._inflight: set[Future[None]] = set()
        self._lock = threading.Lock()

    def hand_over(self, key: str, command: Command) -> None:
        work = self._run(key, command)
        try:
            future = asyncio.run_coroutine_threadsafe(work, self.loop)
        except RuntimeError:  # the loop has closed under a job firing at shutdown
            work.close()
            log.warning("job %s fired after its event loop closed; dropped", key)
            return
        with self._lock:
            self._inflight.add(future)
        future.add_done_callback(self._done)

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._inflight.discard(future)

    async def settle(self) -> None:
        """Waits for the commands already handed over to finish."""
        while True:
            with self._lock:
                pending = [asyncio.wrap_future(f) for f in self._inflight]
            if not pending:
                return
            await asyncio.gather(*pending, return_exceptions=True)

    async def _run(self, key: str, command: Command) -> None:
        try:
            await self.run(command)
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

    def __init__(self, owner: str) -> None:
        super().__init__()
        self._owner_id = owner

    def submit_job(self, job: Any, run_times: list[Any]) -> None:
        # The base class counts running instances around a deferred run; an inline run needs no count
        # (and counting it would leave one entry per job id behind).
        self._do_submit_job(job, run_times)

    def _do_submit_job(self, job: Any, run_times: list[Any]) -> None:
        token = _owner.set(self._owner_id)
        try:
            events = run_job(job, job._jobstore_alias, run_times, self._logger.name)
        finally:
            _owner.reset(token)
        for event in events:
            self._scheduler._dispatch_event(event)
