"""Voice-state changes the bot itself asked for, so their echo from the gateway is not read as a member's act.

Without this, a late echo of "unsuppressed" (the bot gave the floor, then the speaker's time ran out) would look
like someone invited to speak outside the bot, and the bot would act on a stale view.
"""

from __future__ import annotations

import time
from collections.abc import Callable

Key = tuple[int, int]  # guild id, user id

KEEP_FOR = 30.0  # an echo later than this is not coming


class Expectations:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._waiting: dict[Key, tuple[bool, float]] = {}

    def expect(self, guild_id: int, user_id: int, *, suppress: bool) -> None:
        self._waiting[(guild_id, user_id)] = (suppress, self._clock())

    def forget(self, guild_id: int, user_id: int) -> None:
        self._waiting.pop((guild_id, user_id), None)

    def is_echo(self, guild_id: int, user_id: int, *, suppress: bool) -> bool:
        """True (once) when this state is the one the bot asked for."""
        waiting = self._waiting.get((guild_id, user_id))
        if waiting is None or self._clock() - waiting[1] > KEEP_FOR:
            return False
        if waiting[0] != suppress:
            return False
        del self._waiting[(guild_id, user_id)]
        return True
