"""Delivers the community's effects: a closed stage's tallies and badges, then each badge said in the stage's
channel, told to its holder and, where the platform maps badges to roles, granted; a stage opened or a series
scheduled, then each follower told of it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.i18n.markers import N_
from bot.i18n.message import Mention, Message
from bot.ports import BadgePlatform, FollowerPlatform, StagePlatform, StageRef
from bot.services.community import Community
from bot.services.community_show import badge_message
from bot.services.discovery import tags_part, topic_part
from bot.services.effects import Effect
from bot.services.follows import DM, Follows, why_message
from bot.services.locales import Locales
from bot.services.queries import Queries


class CommunityNotifier:
    def __init__(self, community: Community, locales: Locales, queries: Queries, follows: Follows) -> None:
        self._community, self._locales, self._queries, self._follows = community, locales, queries, follows

    async def deliver(self, platform: StagePlatform, effect: Effect, stream: str) -> None:
        args = effect.args
        if effect.kind == "community.closed":
            await self._community.closed(stream)
            return
        if effect.kind == "community.follows":  # a stage opened, a series was scheduled: its followers' turn
            await self._follows.notify(stream, series=bool(args.get("series")))
            return
        if effect.kind == DM:
            await self._tell_follower(platform, args)
            return
        if effect.kind == "community.board":  # its links changed: drawn as they are now
            board = await self._queries.board(args["stage"])
            if board.state == "live":
                await platform.show_board(board)
            return
        ref = (await self._queries.heading(args["stage"])).ref
        match effect.kind:
            case "community.announce":
                locale = await self._locales.for_space(ref.platform, ref.space_id)
                await platform.announce(ref, badge_message(args["user"], args["badge"]), locale)
            case "community.tell":
                locale = await self._locales.for_member(ref.platform, ref.space_id, args["user"])
                await platform.notify(ref, args["user"], badge_message(args["user"], args["badge"], told=True), locale)
            case "community.role":
                if isinstance(platform, BadgePlatform):
                    await platform.grant_badge(ref, args["user"], args["badge"])

    async def _tell_follower(self, platform: StagePlatform, args: dict[str, object]) -> None:
        """The stage (or series) as it is now: one that closed (or was cancelled) meanwhile is not told of."""
        user, subject = str(args["user"]), str(args["subject"])
        why = [str(w) for w in args.get("why", []) or []]  # type: ignore[attr-defined]
        message: Message
        if args.get("series"):
            view = await self._queries.schedule(subject)
            if view.state != "active" or view.next_at is None:
                return
            ref, when = view.ref, view.next_at.astimezone(ZoneInfo(view.timezone))
            message = Message.of(N_("📅 Coming up: “{title}”, hosted by {host}, on {when}{topic}{tags}. {why}"),
                                 title=ref.title, host=Mention(view.host_id), when=when, topic=topic_part(view.topic),
                                 tags=tags_part(view.tags), why=why_message(why, view.host_id))
        else:
            board = await self._queries.heading(subject)
            if board.state != "live":
                return
            ref = board.ref
            message = Message.of(N_("🔔 Live now: “{title}”, hosted by {host}{topic}{tags}. {why}"), title=ref.title,
                                 host=Mention(board.host_id), topic=topic_part(board.topic), tags=tags_part(board.tags),
                                 why=why_message(why, board.host_id))
        await _send(platform, ref, user, message, await self._locales.for_member(ref.platform, ref.space_id, user))


async def _send(platform: StagePlatform, ref: StageRef, user: str, message: Message, locale: str) -> None:
    if isinstance(platform, FollowerPlatform):
        await platform.notify_follower(ref, user, message, locale)
    else:
        await platform.notify(ref, user, message, locale)


