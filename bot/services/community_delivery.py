"""Delivers the community's effects: a closed stage's tallies and badges, then each badge said in the stage's
channel, told to its holder and, where the platform maps badges to roles, granted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.ports import BadgePlatform, StagePlatform
from bot.services.board import Board
from bot.services.community import Community
from bot.services.community_show import badge_message
from bot.services.effects import Effect
from bot.services.locales import Locales


class CommunityNotifier:
    def __init__(self, community: Community, locales: Locales, board: Callable[[str], Awaitable[Board]]) -> None:
        self._community, self._locales, self._board = community, locales, board

    async def deliver(self, platform: StagePlatform, effect: Effect, stream: str) -> None:
        args = effect.args
        if effect.kind == "community.closed":
            await self._community.closed(stream)
            return
        board = await self._board(args["stage"])
        ref = board.ref
        match effect.kind:
            case "community.board":  # its links changed: drawn as they are now
                if board.state == "live":
                    await platform.show_board(board)
            case "community.announce":
                locale = await self._locales.for_space(ref.platform, ref.space_id)
                await platform.announce(ref, badge_message(args["user"], args["badge"]), locale)
            case "community.tell":
                locale = await self._locales.for_member(ref.platform, ref.space_id, args["user"])
                await platform.notify(ref, args["user"], badge_message(args["user"], args["badge"], told=True), locale)
            case "community.role":
                if isinstance(platform, BadgePlatform):
                    await platform.grant_badge(ref, args["user"], args["badge"])
