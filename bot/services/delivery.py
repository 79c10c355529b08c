"""From a stored effect to the platform call: the stage's board (or the series) as it is now, then the
notifier's delivery of that one effect."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from bot.ports import OutboxEntry, RecordingPlatform, StagePlatform
from bot.services.community_delivery import CommunityNotifier
from bot.services.effects import Effect
from bot.services.notifications import Notifier
from bot.services.queries import Queries
from bot.services.schedule_notifications import ScheduleNotifier
from bot.services.space_blocks import SpaceBlocks

log = logging.getLogger(__name__)


class Deliveries:
    def __init__(self, *, platforms: Mapping[str, StagePlatform], queries: Queries, stages: Notifier,
                 series: ScheduleNotifier, community: CommunityNotifier | None = None,
                 space_blocks: SpaceBlocks | None = None) -> None:
        self._platforms, self._queries, self._stages, self._series = platforms, queries, stages, series
        self._community, self._space_blocks = community, space_blocks

    async def __call__(self, entry: OutboxEntry, memo: dict[str, Any]) -> None:
        platform = self._platforms[entry.platform]
        effect = Effect(entry.kind, entry.args)
        if entry.kind.startswith("community."):
            if self._community is not None:
                await self._community.deliver(platform, effect, entry.stream)
            return
        if entry.kind == "space.block":  # the core's own work on the space's other live stages
            if self._space_blocks is not None:
                await self._space_blocks.deliver(entry)
            return
        if entry.kind.startswith("recording."):  # no board: the platform that records follows the change
            if isinstance(platform, RecordingPlatform):
                await platform.recording_changed(entry.args["space_id"], entry.args["stage_id"])
            return
        if entry.kind.startswith("series."):
            view = memo.get("view")
            if view is None:
                view = memo["view"] = await self._queries.schedule(entry.stream)
            await self._series.deliver(platform, effect, view)
            return
        board = memo.get("board")
        if board is None:
            board = memo["board"] = await self._queries.board(entry.stream)
        await self._stages.deliver(platform, effect, board)
