"""An in-process scheduler behind the Scheduler port, for the console and tests.

Jobs live in memory only: a restart re-arms them from the stages themselves (see MessageBus.rearm_all).
It follows a ManualClock too: moving that clock fires what has come due.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.domain.commands import Command
from scheduler.jobs import run_fired


class MemoryScheduler:
    def __init__(self, clock: Any, run: Callable[[Command], Awaitable[object]] | None = None) -> None:
        self._clock, self.run = clock, run
        self._jobs: dict[str, tuple[datetime, Command]] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._firing: set[asyncio.Task[None]] = set()
        if hasattr(clock, "on_change"):
            clock.on_change(self._wake.set)

    async def schedule(self, key: str, at: datetime, command: Command) -> None:
        self._jobs[key] = (at, command)
        self._wake.set()

    async def cancel(self, key: str) -> None:
        self._jobs.pop(key, None)
        self._wake.set()

    def pending(self) -> dict[str, datetime]:
        return {key: at for key, (at, _) in self._jobs.items()}

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="memory-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self.settle()

    async def settle(self) -> None:
        """Waits for jobs already fired to finish (the console shows their effect before its prompt)."""
        await asyncio.sleep(0)
        while self._firing:
            await asyncio.gather(*self._firing, return_exceptions=True)

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            now = self._clock.now()
            for key, (at, command) in sorted(self._jobs.items(), key=lambda item: item[1][0]):
                if at <= now:
                    del self._jobs[key]
                    task = asyncio.create_task(self._fire(key, command))
                    self._firing.add(task)
                    task.add_done_callback(self._firing.discard)
            timeout = None
            if self._jobs and getattr(self._clock, "real", True):
                earliest = min(at for at, _ in self._jobs.values())
                timeout = max(0.0, (earliest - self._clock.now()).total_seconds())
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                pass

    async def _fire(self, key: str, command: Command) -> None:
        if self.run is not None:
            await run_fired(self.run, key, command)
