"""Group commit: whatever is queued while a transaction is in flight goes, together, into the next one.

A unit is a list of commands on one lock key (a stage, a series, a channel being opened), handed in by whoever
holds that key's lock, so a stage's commands still go one unit after the other. A lone unit is taken at once,
with no added wait; while its transaction runs, units of other stages queue, and the next transaction takes
all of them: one commit (and on PostgreSQL one lock round trip and one batch) for a hundred busy stages instead
of a hundred. Each unit is answered once its transaction committed, or with why it could not.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

U = TypeVar("U")
R = TypeVar("R")


class GroupCommit(Generic[U, R]):
    def __init__(self, commit: Callable[[list[U]], Awaitable[list[R]]]) -> None:
        self._commit = commit  # one transaction for the units given, an outcome for each, in order
        self._queued: list[tuple[U, asyncio.Future[R]]] = []
        self._writing: object | None = None  # the task writing, or _LEADING, or None: nobody

    async def submit(self, unit: U) -> R:
        """The unit's outcome, once the transaction that took it ended."""
        answer: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queued.append((unit, answer))
        if self._writing is None:
            if len(self._queued) == 1:
                # Alone: committed by its own caller, without the cost of a task (a cancelled caller can only
                # cancel its own transaction). What queues meanwhile is written by a task once it is done.
                self._writing = _LEADING
                try:
                    await self._take()
                finally:
                    self._writing = None
                    self._start()
            else:
                self._start()
        return await answer

    def _start(self) -> None:
        if self._queued and self._writing is None:
            # On a task of its own: a caller that is cancelled while waiting leaves the others' transaction,
            # and their answers, untouched.
            self._writing = asyncio.create_task(self._write())

    async def _write(self) -> None:
        try:
            while self._queued:
                await self._take()
                # Those just answered run first: whoever sends its next command at once joins the next
                # transaction instead of finding the writer idle and going alone ahead of the rest.
                await asyncio.sleep(0)
        finally:
            self._writing = None

    async def _take(self) -> None:
        batch, self._queued = self._queued, []
        try:
            outcomes = await self._commit([unit for unit, _ in batch])
        except BaseException as error:  # the commit's own failures are outcomes; this is a bug or a stop
            for _, answer in batch:
                if not answer.done():
                    answer.set_exception(error if isinstance(error, Exception) else RuntimeError("stopped"))
            if not isinstance(error, Exception):
                raise
            # Each caller gets the error; the writer goes on with what queued meanwhile.
            log.exception("group commit of %d units failed", len(batch))
            return
        for (_, answer), outcome in zip(batch, outcomes):
            if not answer.done():  # its caller may have been cancelled meanwhile
                answer.set_result(outcome)


_LEADING = object()  # in `_writing`: the lone unit's own caller is writing it
