"""A platform world kept running on an event loop of its own, for Hypothesis' synchronous tests: each example
sends its request into the same running bot and fake, as many would arrive at one process."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

T = TypeVar("T")
WATCHED = ("adapters", "bot", "scheduler", "slack_bolt", "discord", "aiohttp.server", "aiohttp.web")


class Errors(logging.Handler):
    """ERROR records of the bot's loggers and its libraries': a crash anywhere the members cannot see."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self) -> list[str]:
        return [f"{r.name}: {r.getMessage()}\n{r.exc_text or ''}" for r in self.records]


class Running:
    def __init__(self, world: AbstractAsyncContextManager[Any]) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fuzzed-world", daemon=True)
        self.thread.start()
        self.errors = Errors()
        for name in WATCHED:
            logging.getLogger(name).addHandler(self.errors)
        self._world = world
        self.world = self.call(world.__aenter__(), timeout=60)
        self.examples = self.statuses = 0

    def call(self, work: Awaitable[T], *, timeout: float = 30.0) -> T:
        async def run() -> T:
            return await work
        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout)

    def close(self) -> None:
        try:
            self.call(self._world.__aexit__(None, None, None), timeout=60)
        finally:
            for name in WATCHED:
                logging.getLogger(name).removeHandler(self.errors)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()
