"""Shapes the board and the recap as terminal text; every word comes from the catalogues."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from bot.domain.members import Recap
from bot.i18n.catalog import render
from bot.i18n.markers import N_
from bot.services.timeline import timeline_messages
from bot.i18n.message import Message
from bot.i18n.terms import term
from bot.services.board import Board
from bot.services.schedule_view import ScheduleView

Say = Callable[[Message], str]


def sayer(locale: str) -> Say:
    return lambda message: render(message, locale)


def board_text(board: Board, say: Say) -> list[str]:
    def t(msgid: str, **params: object) -> str:
        return say(Message(msgid, params))

    rules = board.rules
    head = t(N_("“{title}” · {state} · {visibility} · {present} in the room"), title=board.ref.title,
             state=term(board.state), visibility=term(board.visibility), present=board.present_count)
    lines = [f"┌ {head}"]
    if board.topic:
        lines.append("│ " + t(N_("Topic: {topic}"), topic=board.topic))
    speakers = ", ".join(
        s.user_id if s.seconds_left is None else t(N_("{member} ({seconds} s left)"), member=s.user_id,
                                                   seconds=s.seconds_left)
        for s in board.speakers) or "—"
    lines.append("│ " + t(N_("Speakers ({count}/{limit}): {names}"), count=len(board.speakers),
                            limit=rules.max_speakers, names=speakers))
    queue = [f"#{q.position} {q.user_id}" + (f" “{q.note}”" if q.note else "")
             + ("" if q.present else " " + t(N_("(away)"))) for q in board.queue]
    if board.queue_length > len(board.queue):
        queue.append(t(N_("and {count} more"), count=board.queue_length - len(board.queue)))
    lines.append("│ " + t(N_("Queue ({count}): {entries}"), count=board.queue_length,
                            entries=" · ".join(queue) or "—"))
    limit = t(N_("{seconds} s"), seconds=rules.speaking_time_limit) if rules.speaking_time_limit else t(N_("none"))
    lines.append("│ " + t(N_("Rules: queue {mode}; who may raise a hand: {hands}; time limit {limit}; "
                               "cooldown {cooldown} s"),
                            mode=term(rules.queue_mode.value), hands=term(rules.hand_mode.value), limit=limit,
                            cooldown=rules.hand_cooldown))
    if board.hands_locked:
        lines.append("│ " + t(N_("Hands are locked.")))
    if board.moderators:
        lines.append("│ " + t(N_("Moderators: {names}"), names=", ".join(board.moderators)))
    lines.append("└")
    return lines


def recap_text(title: str, recap: Recap, say: Say) -> list[str]:
    def t(msgid: str, **params: object) -> str:
        return say(Message(msgid, params))

    lines = [t(N_("Recap of “{title}”: {minutes} min, peak audience {peak}, {raised} hands raised, {served} served, "
                  "{waiting} still waiting."), title=title, minutes=round(recap.duration_seconds / 60, 1),
               peak=recap.peak_audience, raised=recap.hands_raised, served=recap.hands_served,
               waiting=len(recap.still_waiting))]
    for speaker in recap.speakers:
        lines.append("  " + t(N_("{member}: {seconds} s, turns: {turns}"), member=speaker.user_id,
                              seconds=round(speaker.talk_seconds), turns=speaker.turns))
    lines += ["  " + say(line) for line in timeline_messages(recap)]
    return lines


def schedule_text(view: ScheduleView, say: Say) -> str:
    when = view.next_at.astimezone(ZoneInfo(view.timezone)) if view.next_at else "—"
    return say(Message.of(N_("📅 {schedule_id} “{title}” · next: {when} ({timezone}) · {repeat} · going: {going}"),
                          schedule_id=view.schedule_id, title=view.ref.title, when=when, timezone=view.timezone,
                          repeat=view.recurrence, going=len(view.rsvps)))
