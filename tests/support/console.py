"""The console for tests: `podium …` as a user runs it from a shell (a process of its own on a SQLite file), and a
session driven line by line in the test's own process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from adapters.console.session import ConsoleSession
from bot.clock import ManualClock
from bot.config import Settings


def podium(*args: str, database: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DEFAULT_LOCALE": "en", "LOG_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=120, cwd=database.parent)


class Console:
    """A console session driven line by line in the test's own process; calling it returns what the last of
    the lines given printed."""

    def __init__(self, session: ConsoleSession, lines: list[str]) -> None:
        self.session, self.lines = session, lines

    async def __call__(self, *texts: str) -> list[str]:
        for text in texts:
            del self.lines[:]
            await self.session.execute(text)
        return list(self.lines)


@asynccontextmanager
async def console_session(database: Path, **settings: Any) -> AsyncIterator[Console]:
    """A console on its own SQLite file, English, no cooldown, on a manual clock; `settings` add to them."""
    lines: list[str] = []
    values: dict[str, Any] = {"default_locale": "en", "rules": {"hand_cooldown": 0}, **settings}
    session = ConsoleSession(Settings(_env_file=None, database_url=f"sqlite:///{database}", **values),
                             write=lines.append, clock=ManualClock())
    await session.start()
    try:
        yield Console(session, lines)
    finally:
        await session.stop()
