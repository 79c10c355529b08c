"""What every platform shows the same way: rules as people read them, the queue's summary, the help.

Adapters shape markup around these (code blocks, Block Kit, embeds); the words and values come from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.domain.members import Recap
from bot.domain.recurrence import Recurrence
from bot.domain.rules import DURATIONS, Rules
from bot.i18n.markers import N_
from bot.i18n.message import Duration, Mention, Message
from bot.i18n.terms import term
from bot.services.board import Board
from bot.services.schedule_view import repeats
from bot.services.timeline import timeline_messages
from bot.surface.grammar import Grammar
from bot.surface.rows import Row

NONE = N_("none")


def rule_values(rules: Rules) -> list[tuple[str, object]]:
    """Each rule's name (as members type it in `/stage rules name=value`) and its value, readable."""
    shown: list[tuple[str, object]] = []
    for name in Rules.names():
        value = getattr(rules, name)
        if name in DURATIONS:
            value = Duration(value, DURATIONS[name])
        elif isinstance(value, tuple):
            value = ", ".join(value) if value else Message(NONE)
        elif isinstance(value, str):
            value = str(value)  # a choice: shown as the word `/stage rules name=value` takes
        shown.append((name, value))
    return shown


def rules_summary(rules: Rules) -> Message:
    """The rules that matter while a stage runs, in one sentence (the board's footer)."""
    return Message.of(N_("Rules: queue {mode}; who may raise a hand: {hands}; time limit {limit}; cooldown {cooldown}"),
                      mode=term(rules.queue_mode.value), hands=term(rules.hand_mode.value),
                      limit=Duration(rules.speaking_time_limit, NONE), cooldown=Duration(rules.hand_cooldown, NONE))


def recap_messages(title: str, recap: Recap) -> list[Message]:
    """The recap's summary, one line per speaker (members as mentions, shown each platform's way), then its
    timeline (the replay's chapters)."""
    return [Message.of(N_("Recap of “{title}”: {length}, peak audience {peak}, {raised} hands raised, {served} served, "
                          "{waiting} still waiting."), title=title, length=Duration(recap.duration_seconds),
                       peak=recap.peak_audience, raised=recap.hands_raised, served=recap.hands_served,
                       waiting=len(recap.still_waiting)),
            *(Message.of(N_("{member}: {length}, turns: {turns}"), member=Mention(s.user_id),
                         length=Duration(s.talk_seconds), turns=s.turns) for s in recap.speakers),
            *timeline_messages(recap),
            *link_messages(recap.links)]


def link_messages(links: Iterable[tuple[str, str]]) -> list[Message]:
    """The links a stage's moderators attached, numbered, each as `label: url` (or the url alone)."""
    return [Message.of(N_("🔗 {number}. {label}: {url}"), number=n, label=label, url=url) if label else
            Message.of(N_("🔗 {number}. {url}"), number=n, url=url) for n, (url, label) in enumerate(links, 1)]


def rule_lines(rules: Rules) -> list[Message]:
    return [Message.of(N_("{rule} = {value}"), rule=name, value=value) for name, value in rule_values(rules)]


def queue_summary(board: Board, user_id: str) -> Message:
    mine = next((q.position for q in board.queue if q.user_id == user_id), None)
    if mine is None:
        return Message.of(N_("Hands raised: {count}; yours is not among them."), count=board.queue_length)
    return Message.of(N_("Hands raised: {count}; you are #{position}."), count=board.queue_length, position=mine)


def help_lines(grammar: Grammar, rows: Iterable[Row], asked: str = "") -> list[tuple[Message, Message]]:
    """(usage, help) for each row, or for the rows whose name starts with what was asked (`/help hand`)."""
    wanted = asked.strip().lstrip("/").lower()
    chosen = [r for r in rows if not wanted or r.name.startswith(wanted) or r.flat.startswith(wanted)]
    return [(grammar.usage(row), Message(row.help)) for row in chosen or list(rows)]


def repeat_words(recurrence: str, locale: str, *, code: Callable[[str], object] = str) -> Message:
    """How a stored series repeats, in words of the reader's language (days named by Babel when shown)."""
    try:
        parsed = Recurrence.parse(recurrence)
    except Exception:  # a stored value from a later version: shown as it is
        return Message.of("{value}", value=recurrence)
    return repeats(parsed, code=code)
