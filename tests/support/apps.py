"""Apps built by the composition root, the way `podium run` builds them, on the test's database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.bootstrap import App, build
from bot.clock import ManualClock
from bot.config import Settings
from bot.ports import StagePlatform

# Microseconds on purpose: a round trip must keep them.
T0 = datetime(2026, 3, 2, 18, 0, 0, 123456, tzinfo=UTC)


def make_settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class Apps:
    """Builds Apps the way `podium run` does, and stops whatever a test left running."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._running: list[App] = []

    async def start(self, *, clock: ManualClock | None = None, url: str | None = None,
                    platform: StagePlatform | None = None, default_locale: str = "en",
                    settings: dict[str, Any] | None = None) -> App:
        app = build(make_settings(default_locale=default_locale, **(settings or {})), clock=clock or ManualClock(T0),
                    database_url=url or self.url)
        if platform is not None:
            app.register(platform)
        self._running.append(app)
        await app.start()
        return app

    async def stop(self, app: App) -> None:
        self._running.remove(app)
        await app.stop()

    async def stop_all(self) -> None:
        while self._running:
            await self.stop(self._running[-1])


@pytest.fixture
async def apps(database_url: str) -> AsyncIterator[Apps]:
    running = Apps(database_url)
    try:
        yield running
    finally:
        await running.stop_all()


@pytest.fixture
async def pg_apps(pg_url: str) -> AsyncIterator[Apps]:
    """Apps on PostgreSQL only: what several bot processes sharing one database look like."""
    running = Apps(pg_url)
    try:
        yield running
    finally:
        await running.stop_all()
