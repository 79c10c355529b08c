"""Threads that run blocking database work for the event loop, for less than a thread pool executor.

Every command crosses to a database thread and back once. `run_in_executor` pays for a concurrent Future (a
lock and a condition), its chaining to an asyncio Future and a second hop to copy the result; on this path
that was about a fifth of a SQLite command. Here a worker takes (loop, future, work) off a queue and sets the
asyncio future from the loop's own thread: one wake-up each way.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from queue import SimpleQueue
from typing import Any, TypeVar

T = TypeVar("T")
_Job = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[..., Any], tuple[Any, ...]]


class Workers:
    def __init__(self, count: int, name: str) -> None:
        self._jobs: SimpleQueue[_Job | None] = SimpleQueue()
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{n}", daemon=True)
                         for n in range(count)]
        for thread in self._threads:
            thread.start()

    def run(self, work: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[T] = loop.create_future()
        self._jobs.put((loop, answer, work, args))
        return answer

    def shutdown(self) -> None:
        """Lets the work already queued finish, then stops the threads."""
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            loop, answer, work, args = job
            if answer.cancelled():  # its caller gave up before it started (read racily: at worst it runs)
                continue
            try:
                result = work(*args)
            except BaseException as error:  # handed to the caller, as the executor would
                _answer(loop, answer, None, error)
            else:
                _answer(loop, answer, result, None)


def _answer(loop: asyncio.AbstractEventLoop, answer: asyncio.Future[Any], result: Any,
            error: BaseException | None) -> None:
    try:
        loop.call_soon_threadsafe(_settle, answer, result, error)
    except RuntimeError:  # the loop is closed: nobody is waiting any more
        pass


def _settle(answer: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if answer.done():
        return
    if error is not None:
        answer.set_exception(error)
    else:
        answer.set_result(result)
