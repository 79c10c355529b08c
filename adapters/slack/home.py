"""App Home: the member's live stages with their place in each queue, and the upcoming scheduled stages.

Published when the member opens the tab, and again after they act from it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from adapters.slack.blocks import LOWER, RAISE, button
from adapters.slack.directory import PLATFORM
from adapters.slack.text import Markup, date_token, escape, mention, sayer
from bot.domain.tags import shown
from bot.i18n.markers import N_
from bot.i18n.message import Message

if TYPE_CHECKING:
    from adapters.slack.adapter import SlackAdapter

log = logging.getLogger(__name__)

MAX_SHOWN = 20  # a home view holds 100 blocks


async def publish(adapter: SlackAdapter, team_id: str, user_id: str) -> None:
    queries = adapter.app.queries
    say = sayer(await adapter.directory.locale(team_id, user_id))
    live = []
    for ref in (await queries.live_stages(PLATFORM, team_id))[:MAX_SHOWN]:
        roster = await queries.roster(ref.stage_id)
        board = await queries.heading(ref.stage_id)
        live.append((ref, roster.hands, roster.speakers, board.topic, board.tags))
    upcoming = [s for s in await queries.schedules(PLATFORM, team_id) if s.next_at is not None][:MAX_SHOWN]

    blocks: list[dict[str, Any]] = []
    mine = (await adapter.app.community.marks(PLATFORM, team_id, [user_id])).get(user_id)
    if mine:  # the member's badges, beside their name
        blocks.append(_context(f"{mention(user_id)} {mine}"))
    blocks.append(_header(say(Message(N_("Live stages")))))
    if not live:
        blocks.append(_context(say(Message(N_("No live stage right now.")))))
    for index, (ref, hands, speakers, topic, tags) in enumerate(live):
        if user_id in speakers:
            status, action = say(Message(N_("You have the floor."))), None
        elif user_id in hands:
            status = say(Message.of(N_("Your hand is raised: #{position} of {count}."),
                                    position=hands.index(user_id) + 1, count=len(hands)))
            action = button(say(Message(N_("Lower hand"))), f"{LOWER}_{index}", ref.stage_id)
        else:
            status = say(Message.of(N_("Hands raised: {count}."), count=len(hands)))
            action = button(say(Message(N_("Raise hand"))), f"{RAISE}_{index}", ref.stage_id, "primary")
        text = f"*{escape(ref.title)}* · <#{ref.channel_id}>{_about(topic, tags)}\n{status}"
        block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
        if action is not None:
            block["accessory"] = action
        blocks.append(block)
    blocks += [{"type": "divider"}, _header(say(Message(N_("Upcoming stages"))))]
    if not upcoming:
        blocks.append(_context(say(Message(N_("No stage is scheduled.")))))
    for schedule in upcoming:
        assert schedule.next_at is not None
        when = date_token(schedule.next_at, "{date_short_pretty} {time}")
        line = say(Message.of(N_("{when} in {channel}"), when=when, channel=Markup(f"<#{schedule.ref.channel_id}>")))
        about = _about(schedule.topic, schedule.tags)
        blocks.append({"type": "section", "text": {"type": "mrkdwn",
                                                   "text": f"*{escape(schedule.ref.title)}*{about}\n{line}"}})
    await adapter.client.views_publish(user_id=user_id, view={"type": "home", "blocks": blocks})


async def publish_quietly(adapter: SlackAdapter, team_id: str, user_id: str) -> None:
    try:
        await publish(adapter, team_id, user_id)
    except Exception:
        log.exception("publishing the App Home of %s in team %s failed", user_id, team_id)


def _about(topic: str, tags: tuple[str, ...]) -> str:
    """The topic and tags beside a stage's title, as typed (escaped for mrkdwn)."""
    return "".join(f" · {escape(part)}" for part in (topic, shown(tags)) if part)


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150]}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
