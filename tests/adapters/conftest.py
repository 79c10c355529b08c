"""Fixtures for running the real discord.py against the loopback fake Discord."""

from __future__ import annotations

import logging
from typing import AsyncIterator, Iterator

import pytest

from tests.fakes.discord import FakeDiscord, pointed_at


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def discord_errors() -> Iterator[list[logging.LogRecord]]:
    """Fails the test if discord.py logs at ERROR (a payload it could not parse, a crashed handler)."""
    handler = _Collect()
    logger = logging.getLogger("discord")
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
    if handler.records:
        text = logging.Formatter("%(name)s: %(message)s")
        lines = [text.format(r) for r in handler.records]
        pytest.fail("discord.py logged errors:\n" + "\n".join(lines))


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
