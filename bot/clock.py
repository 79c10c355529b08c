"""Clocks behind the Clock port: the real one, and one the console and tests move by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class SystemClock:
    real = True

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """Stands still until advanced; whoever waits on time (the scheduler) is told when it moves."""

    real = False

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC).replace(microsecond=0)
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("time only moves forward")
        self._now += delta
        for listener in list(self._listeners):
            listener()
        return self._now

    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)
