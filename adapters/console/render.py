"""Shapes the board and the recap as terminal text; every word comes from the catalogues."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from zoneinfo import ZoneInfo

from bot.domain.members import Recap
from bot.i18n.catalog import render
from bot.i18n.markers import N_
from bot.i18n.message import Duration, Message
from bot.i18n.terms import term
from bot.services.board import Board
from bot.services.community_show import Lines
from bot.services.discovery import Listing, listing_lines
from bot.services.replay_list import replay_lines
from bot.services.schedule_view import ScheduleView
from bot.surface.gateway import Done
from bot.surface.show import queue_summary, recap_messages, repeat_words, rule_lines, rules_summary

Say = Callable[[Message], str]


def sayer(locale: str) -> Say:
    return lambda message: render(message, locale)


def board_text(board: Board, say: Say, marks: Mapping[str, str] | None = None) -> list[str]:
    """`marks`: a member's badges as emoji, shown beside their name."""
    def t(msgid: str, **params: object) -> str:
        return say(Message(msgid, params))

    def name(user_id: str) -> str:
        mark = (marks or {}).get(user_id)
        return f"{user_id} {mark}" if mark else user_id

    rules = board.rules
    head = t(N_("“{title}” · {state} · {visibility} · {present} in the room"), title=board.ref.title,
             state=term(board.state), visibility=term(board.visibility), present=board.present_count)
    lines = [f"┌ {head}"]
    if board.topic:
        lines.append("│ " + t(N_("Topic: {topic}"), topic=board.topic))
    speakers = ", ".join(
        name(s.user_id) if s.seconds_left is None else t(N_("{member} ({left} left)"), member=name(s.user_id),
                                                   left=Duration(s.seconds_left))
        for s in board.speakers) or "—"
    lines.append("│ " + t(N_("Speakers ({count}/{limit}): {names}"), count=len(board.speakers),
                            limit=rules.max_speakers, names=speakers))
    queue = [f"#{q.position} {name(q.user_id)}" + (f" “{q.note}”" if q.note else "")
             + (" " + t(N_("(away)")) if q.away else "") for q in board.queue]
    if board.queue_length > len(board.queue):
        queue.append(t(N_("and {count} more"), count=board.queue_length - len(board.queue)))
    lines.append("│ " + t(N_("Queue ({count}): {entries}"), count=board.queue_length,
                            entries=" · ".join(queue) or "—"))
    lines.append("│ " + say(rules_summary(rules)))
    if board.hands_locked:
        lines.append("│ " + t(N_("Hands are locked.")))
    if rules.record:  # the console has no audio to record; what it would keep is the recap's timeline
        lines.append("│ 🔴 " + t(N_("Recording is on: only members who accept (/record consent on) are heard. The "
                                   "console has no audio; its recap keeps the timeline.")))
    if board.moderators:
        lines.append("│ " + t(N_("Moderators: {names}"), names=", ".join(board.moderators)))
    for link in board.links:
        lines.append("│ 🔗 " + (f"{link.number}. {link.label} <{link.url}>" if link.label else f"{link.number}. {link.url}"))
    lines.append("└")
    return lines


def recap_text(title: str, recap: Recap, say: Say) -> list[str]:
    summary, *speakers = recap_messages(title, recap)
    return [say(summary), *("  " + say(line) for line in speakers)]


def schedule_text(view: ScheduleView, say: Say, locale: str) -> str:
    when = view.next_at.astimezone(ZoneInfo(view.timezone)) if view.next_at else "—"
    return say(Message.of(N_("📅 {schedule_id} “{title}” · next: {when} ({timezone}) · {repeat} · going: {going}"),
                          schedule_id=view.schedule_id, title=view.ref.title, when=when, timezone=view.timezone,
                          repeat=repeat_words(view.recurrence, locale), going=len(view.rsvps)))


def shown(done: Done, *, write: Callable[[str], None], who: str, locale: str) -> Message | None:
    """What the member sees of a gateway's answer: the reply, or the lines of what was read."""
    say = sayer(locale)
    match done.row.read if done.reply is None else None:
        case "board":
            for text in board_text(done.view, say):
                write(text)
        case "rules":
            for line in rule_lines(done.view.rules):
                write("  " + say(line))
        case "queue":
            for entry in done.view.queue:
                write(f"  #{entry.position} {entry.user_id}" + (f" “{entry.note}”" if entry.note else ""))
            return queue_summary(done.view, who)
        case "log":
            for entry in done.view:
                write(f"  {entry.at:%H:%M:%S}  " + say(entry.message))
        case "recap":
            title, recap = done.view
            for text in recap_text(title, recap, say):
                write(text)
        case "schedules":
            for view in done.view:
                write("  " + schedule_text(view, say, locale))
            return Message.of(N_("Scheduled stages: {count}."), count=len(done.view))
        case "replays":
            for line in replay_lines(done.view):
                write("  " + say(line))
    if done.reply is None and isinstance(done.view, Lines):
        for line in done.view:
            write("  " + say(line))
    if done.reply is None and isinstance(done.view, Listing):
        for line in listing_lines(done.view, lambda channel_id: f"#{channel_id}"):
            write("  " + say(line))
    return done.reply
