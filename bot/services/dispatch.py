"""Runs platform work after a commit, in order per stage, without holding up the reply or other stages."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class Dispatcher:
    def __init__(self) -> None:
        self._queues: dict[str, asyncio.Queue[Job]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}

    def submit(self, key: str, job: Job) -> None:
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = asyncio.Queue()
            self._workers[key] = asyncio.create_task(self._work(key, queue), name=f"dispatch:{key}")
        queue.put_nowait(job)

    async def drain(self) -> None:
        """Waits until every submitted job has run (tests and the console use it)."""
        while self._queues:
            await asyncio.gather(*(q.join() for q in list(self._queues.values())))
            await asyncio.sleep(0)

    async def close(self) -> None:
        await self.drain()
        for task in self._workers.values():
            task.cancel()

    async def _work(self, key: str, queue: asyncio.Queue[Job]) -> None:
        try:
            while not queue.empty():
                job = queue.get_nowait()
                try:
                    await job()
                except Exception:  # a platform failure must not stop this stage's later work
                    log.exception("platform work for %s failed", key)
                finally:
                    queue.task_done()
        finally:
            # No await since the emptiness check: a later submit starts a fresh worker.
            self._queues.pop(key, None)
            self._workers.pop(key, None)
