"""Fixtures for running the real discord.py against the loopback fake Discord."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import AsyncIterator, Iterator

import pytest

from tests.fakes.discord import FakeDiscord, pointed_at


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def failing_on_errors(who: str, *loggers: str) -> Iterator[list[logging.LogRecord]]:
    """Fails the test if these loggers log at ERROR; a test expecting one clears the list it is given."""
    handler = _Collect()
    watched = [logging.getLogger(name) for name in loggers]
    for logger in watched:
        logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        for logger in watched:
            logger.removeHandler(handler)
    if handler.records:
        pytest.fail(f"{who} logged errors:\n" + "\n".join(
            f"{r.name}: {r.getMessage()}\n{r.exc_text or ''}" for r in handler.records))


@pytest.fixture
def discord_errors() -> Iterator[list[logging.LogRecord]]:
    """Fails the test if discord.py logs at ERROR (a payload it could not parse, a crashed handler)."""
    with failing_on_errors("discord.py", "discord") as records:
        yield records


@pytest.fixture
async def fake_discord(discord_errors: list[logging.LogRecord]) -> AsyncIterator[FakeDiscord]:
    """A started FakeDiscord with discord.py pointed at it.

    At teardown the test fails if any request broke the API description or a
    documented rule (``fake.spec_violations``), or hit a route the fake lacks.
    A test that provokes violations on purpose clears ``fake.spec_violations``.
    """
    async with FakeDiscord(heartbeat_interval_ms=500) as fake:
        with pointed_at(fake):
            yield fake
    fake.assert_no_spec_violations()
