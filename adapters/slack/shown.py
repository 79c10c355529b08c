"""What a Slack member sees of the gateway's answer: the reply, or what was read, in Slack's markup."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.slack.announcements import WHEN, repeat_words
from adapters.slack.blocks import board_blocks, board_summary, recap_lines
from adapters.slack.replies import Outcome, Shaped
from adapters.slack.text import Markup, Say, date_token, escape, mention
from bot.domain.errors import StageNotFound
from bot.i18n.markers import N_
from bot.i18n.message import Message
from bot.services.community_show import Lines
from bot.services.discovery import Listing, listing_lines
from bot.services.replay_list import replay_lines
from bot.surface.gateway import Done
from bot.surface.show import queue_summary, rule_values

if TYPE_CHECKING:
    from adapters.slack.adapter import SlackAdapter, Where


async def shown(adapter: SlackAdapter, where: Where, done: Done) -> Outcome:
    if done.reply is not None:
        return done.reply
    view = done.view
    match done.row.read:
        case "board":
            return Shaped(lambda say: (board_summary(view, say), board_blocks(view, say)))
        case "rules":
            return Shaped(lambda say: ("\n".join(
                f"`{name}` = {say(Message.of('{value}', value=value))}" for name, value in rule_values(view.rules)),
                None))
        case "queue":
            return Shaped(lambda say: _queue(view, where.user_id, say))
        case "log":
            return Shaped(lambda say: ("\n".join(f"{date_token(e.at)}  {say(e.message)}" for e in view), None))
        case "recap":
            if view is None:
                raise StageNotFound()
            title, last = view
            return Shaped(lambda say: ("\n".join(recap_lines(title, last, say)), None))
        case "schedules":
            locale = await adapter.directory.locale(where.team_id, where.user_id)

            def schedules(say: Say) -> tuple[str, None]:
                lines = [say(Message.of(N_("Scheduled stages: {count}."), count=len(view)))]
                for series in view:
                    when = date_token(series.next_at, WHEN) if series.next_at else "—"
                    going = say(Message.of(N_("Going: {count}"), count=len(series.rsvps)))
                    lines.append(f"📅 *{escape(series.ref.title)}* · <#{series.ref.channel_id}> · {when} · "
                                 f"{repeat_words(series.recurrence, say, locale)} · {going} · `{series.schedule_id}`")
                return "\n".join(lines), None
            return Shaped(schedules)
        case "replays":
            return Shaped(lambda say: ("\n".join(say(line) for line in replay_lines(view)), None))
    if isinstance(view, Listing):  # a channel link: one click to it, then join its huddle
        return Shaped(lambda say: ("\n".join(say(line) for line in listing_lines(
            view, lambda channel_id: Markup(f"<#{channel_id}>"))), None))
    if isinstance(view, Lines):
        return Shaped(lambda say: ("\n".join(say(line) for line in view), None))
    return None


def _queue(board: object, user_id: str, say: Say) -> tuple[str, None]:
    lines = []
    for entry in board.queue:  # type: ignore[attr-defined]
        note = " " + say(Message.of(N_("“{note}”"), note=entry.note)) if entry.note else ""
        lines.append(f"#{entry.position} {mention(entry.user_id)}{note}")
    lines.append(say(queue_summary(board, user_id)))  # type: ignore[arg-type]
    return "\n".join(lines), None

