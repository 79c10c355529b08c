"""A block holds in the whole space: decided (or lifted) on one stage, it reaches the space's other live stages.

Planned as an effect of the block's commit (notifications.py, "space.block"), so it is in the outbox with the
block itself: a stop before it spread loses nothing, the next start spreads it. Delivering it runs one core
command per live stage of the space, each under that stage's own lock and in its own transaction, with its own
effects (the floor taken back, the board shown again). Delivered twice, it changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.domain import commands as c
from bot.domain import errors
from bot.domain.members import Actor
from bot.i18n.message import Message
from bot.ports import OutboxEntry
from bot.services.queries import Queries


class SpaceBlocks:
    def __init__(self, queries: Queries) -> None:
        self._queries = queries
        self.run: Callable[[c.Command], Awaitable[Message]] | None = None  # the bus, set once it is built

    async def deliver(self, entry: OutboxEntry) -> None:
        assert self.run is not None, "SpaceBlocks.run is wired by bootstrap"
        args = entry.args
        until = datetime.fromisoformat(args["until"]) if args.get("until") else None
        for stage in await self._queries.live_stages(entry.platform, args["space_id"]):
            if stage.stage_id == entry.stream:
                continue
            try:
                await self.run(c.HoldSpaceBlock(
                    actor=Actor(args["actor"]), stage_id=stage.stage_id, user_id=args["user"], origin=entry.stream,
                    blocked=args["blocked"], reason=args.get("reason", ""), until=until))
            except (errors.StageNotFound, errors.StageNotLive):
                continue  # closed meanwhile: nothing to hold there
