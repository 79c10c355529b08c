"""The community's reads by the name a row of the command table gives them (`read="stats"`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.domain.community import Board, Period
from bot.i18n.message import Message
from bot.services.community import Asked, Community
from bot.services.discovery import Listing, listed
from bot.services.follows import Follows
from bot.surface.rows import Values, Where

Read = Callable[[Values, Where], Awaitable[list[Message]]]


def community_reads(community: Community, queries: Any, follows: Follows) -> dict[str, Read]:
    def asked(where: Where) -> Asked:
        return Asked(where.actor, where.platform, where.space_id)

    async def stats(values: Values, where: Where) -> list[Message]:
        return await community.stats(asked(where), values.get("member") or None, Period(values["period"]))

    async def leaderboard(values: Values, where: Where) -> list[Message]:
        return await community.leaderboard(asked(where), Board(values["board"]), Period(values["period"]))

    async def badges(values: Values, where: Where) -> list[Message]:
        return await community.badge_lines(asked(where))

    async def suggest(values: Values, where: Where) -> list[Message]:
        await queries.require_moderator(where.stage_id, where.actor)
        board = await queries.board(where.stage_id)
        return await community.suggest(asked(where), {board.host_id, *board.moderators})

    async def stages(values: Values, where: Where) -> Listing:
        refs = await queries.live_stages(where.platform, where.space_id)
        boards = [await queries.board(ref.stage_id) for ref in refs]
        return listed(boards, await queries.schedules(where.platform, where.space_id), community.now())

    async def following(values: Values, where: Where) -> list[Message]:
        return await follows.listing(asked(where))

    found: dict[str, Any] = {"stats": stats, "leaderboard": leaderboard, "badges": badges, "suggest": suggest,
                             "stages": stages, "follows": following}
    return found
