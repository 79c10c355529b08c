"""From a stored effect to the platform call: the stage's board (or the series) as it is now, then the
notifier's delivery of that one effect. On a platform split between processes (Discord shards), an effect of a
space another process serves is not delivered here: `Elsewhere` names its route, and the outbox hands it over."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from bot.ports import OutboxEntry, RecordingPlatform, RoutedPlatform, StagePlatform
from bot.services.board import Board
from bot.services.community_delivery import CommunityNotifier
from bot.services.effects import Effect, Elsewhere
from bot.services.notifications import Notifier
from bot.services.queries import Queries
from bot.services.schedule_notifications import ScheduleNotifier
from bot.services.schedule_view import ScheduleView
from bot.services.space_blocks import SpaceBlocks

log = logging.getLogger(__name__)


class Deliveries:
    def __init__(self, *, platforms: Mapping[str, StagePlatform], queries: Queries, stages: Notifier,
                 series: ScheduleNotifier, community: CommunityNotifier | None = None,
                 space_blocks: SpaceBlocks | None = None) -> None:
        self._platforms, self._queries, self._stages, self._series = platforms, queries, stages, series
        self._community, self._space_blocks = community, space_blocks

    async def __call__(self, entry: OutboxEntry, memo: dict[str, Any]) -> None:
        if entry.kind == "space.block":  # the core's own work on the space's other live stages: any process
            if self._space_blocks is not None:
                await self._space_blocks.deliver(entry)
            return
        platform = self._platforms[entry.platform]
        if isinstance(platform, RoutedPlatform) and platform.routes:
            route = platform.route(await self._space(entry, memo))
            if route not in platform.routes:
                raise Elsewhere(route)
        effect = Effect(entry.kind, entry.args)
        if entry.kind.startswith("community."):
            if self._community is not None:
                await self._community.deliver(platform, effect, entry.stream)
            return
        if entry.kind.startswith("recording."):  # no board: the platform that records follows the change
            if isinstance(platform, RecordingPlatform):
                await platform.recording_changed(entry.args["space_id"], entry.args["stage_id"])
            return
        if entry.kind.startswith("series."):
            await self._series.deliver(platform, effect, await self._view(entry.stream, memo))
            return
        await self._stages.deliver(platform, effect, await self._board(entry.stream, memo))

    async def _board(self, stage_id: str, memo: dict[str, Any]) -> Board:
        board = memo.get("board")  # a stream is one stage's (or series'): its board read once a batch
        if board is None:
            board = memo["board"] = await self._queries.board(stage_id)
        return board

    async def _view(self, schedule_id: str, memo: dict[str, Any]) -> ScheduleView:
        view = memo.get("view")
        if view is None:
            view = memo["view"] = await self._queries.schedule(schedule_id)
        return view

    async def _space(self, entry: OutboxEntry, memo: dict[str, Any]) -> str:
        """The space an effect acts in, for a platform that routes spaces to processes."""
        if entry.kind.startswith("recording."):
            return str(entry.args["space_id"])
        if entry.kind.startswith("series."):
            return (await self._view(entry.stream, memo)).ref.space_id
        # A follower's message names its stage or series (its stream holds one subject's); a stage's followers'
        # notice and a close come on the stage's (or series') own stream.
        subject = str(entry.args.get("subject") or entry.args.get("stage") or entry.stream)
        if entry.kind.startswith("community.") and entry.args.get("series"):
            return (await self._view(subject, memo)).ref.space_id
        return (await self._queries.place_of(subject))[1]  # a stage never moves: read once
