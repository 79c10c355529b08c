"""Which core stage is live in each Discord stage channel, remembered so voice events skip a database read."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.domain.errors import StageNotFound
from bot.services.queries import Queries

from adapters.discord.members import PLATFORM

Key = tuple[str, str]


class StageDirectory:
    def __init__(self, queries: Queries, *, forget_absence_after: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._queries, self._ttl, self._clock = queries, forget_absence_after, clock
        self._live: dict[Key, str] = {}
        self._absent: dict[Key, float] = {}  # a stage may open from elsewhere (a scheduler): absence is re-checked

    async def stage_in(self, guild_id: str, channel_id: str) -> str | None:
        key = (guild_id, channel_id)
        if key in self._live:
            return self._live[key]
        checked = self._absent.get(key)
        if checked is not None and self._clock() - checked < self._ttl:
            return None
        try:
            stage_id = await self._queries.live_stage(PLATFORM, guild_id, channel_id)
        except StageNotFound:
            self._absent[key] = self._clock()
            return None
        self._live[key] = stage_id
        return stage_id

    def opened(self, guild_id: str, channel_id: str, stage_id: str) -> None:
        self._absent.pop((guild_id, channel_id), None)
        self._live[(guild_id, channel_id)] = stage_id

    def closed(self, guild_id: str, channel_id: str) -> None:
        self._live.pop((guild_id, channel_id), None)
        self._absent[(guild_id, channel_id)] = self._clock()
