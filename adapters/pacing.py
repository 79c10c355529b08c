"""Pacing for bulk platform work: a token bucket per key, so a burst goes out at once and the rest waits its turn.

discord.py and slack_sdk already wait when a response says a bucket is empty; pacing keeps the bot from emptying
the hidden buckets (voice states, direct messages, Slack's workspace-wide posting limit) in the first place, so a
10,000-member stage or 5,000 followers draw no 429 storm.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class Pacer:
    def __init__(self, *, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self._clock = rate, burst, clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when counted)

    async def wait(self, key: str = "") -> None:
        """Returns when the caller may make one call under ``key``; callers are served in arrival order."""
        now = self._clock()
        tokens, then = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * self.rate) - 1.0
        self._buckets[key] = (tokens, now)
        if tokens < 0:
            # The debt is this caller's place in line: the later one arrives, the longer it waits.
            await asyncio.sleep(-tokens / self.rate)
