"""The permission matrix's expectations, shared by the gateway's matrix (tests/integration/test_permission_matrix.py)
and the platform paths' (tests/e2e/test_permission_matrix_*.py): every command of the table, the line it is typed
as, and who may run it. Who is who on the stage of each cell:

    host       opened it                       delegated  made moderator by the host
    platform   a moderator by the platform's own roles (workspace admin, Discord stage moderator, console role)
    speaker    has the floor                    listener   in the room, nothing more
    guest      a guest account, in the room     blocked    blocked from the stage by the host
    blocked_platform   a platform moderator the host blocked
    elsewhere  a moderator of another channel only, acting on this stage from there

Targets named in the lines: waiting (a raised hand), mod2 (a second delegated moderator), barred (a blocked
member), newcomer (nobody yet), and the speaker.
"""

from __future__ import annotations

import re
import string
from typing import Any

from sqlalchemy import inspect, text

from bot.domain import errors
from bot.domain.links import NoSuchLink
from bot.domain.recording import NotYourSegment, ReplayNotFound
from bot.i18n.catalog import render
from bot.i18n.message import Message
from bot.surface.grammar import Grammar
from bot.surface.rows import Access
from bot.surface.table import TABLE

GRAMMAR = Grammar(TABLE)
PLATFORM = "matrix"
ROLES = ("host", "delegated", "platform", "speaker", "listener", "guest", "blocked", "blocked_platform", "elsewhere")
MODERATORS = {"host", "delegated", "platform"}
HANDS = {"host", "delegated", "platform", "listener", "guest"}  # in the room, free to raise a hand
EVERYONE = set(ROLES)

# The line each command is typed as, naming its targets: waiting (a raised hand), mod2 (a second delegated
# moderator), barred (a blocked member), newcomer (nobody yet), and the speaker.
LINES = {
    "stage open": "stage open Another", "stage close": "stage close", "stage topic": "stage topic New topic",
    "stage rules": "stage rules max_speakers=4", "stage lock": "stage lock", "stage unlock": "stage unlock",
    "stage status": "stage status", "stage log": "stage log", "stage recap": "stage recap",
    "stage invite": "stage invite newcomer", "stage remove": "stage remove waiting too loud",
    "stage block": "stage block waiting for=7d spam", "stage unblock": "stage unblock barred",
    "stage blocks": "stage blocks",
    "stage schedule": "stage schedule Later start=2026-03-09 18:00 tz=UTC", "stage schedules": "stage schedules",
    "stage edit": "stage edit title=Renamed", "stage cancel": "stage cancel", "rsvp": "rsvp",
    "hand raise": "hand raise about pricing", "hand lower": "hand lower", "queue": "queue",
    "speaker approve": "speaker approve waiting", "speaker next": "speaker next",
    "speaker deny": "speaker deny waiting off topic", "speaker audience": "speaker audience speaker",
    "mod add": "mod add listener", "mod remove": "mod remove mod2", "help": "help",
    "stage record": "stage record on", "stage strike": "stage strike waiting", "stage replays": "stage replays",
    "stage replay delete": "stage replay delete r0000001", "record consent": "record consent on",
    "record remove": "record remove",
    "stage link": "stage link https://example.com/agenda Agenda", "stage unlink": "stage unlink 1",
    "stage list": "stage list", "stats": "stats", "stats hide": "stats hide", "stats show": "stats show",
    "leaderboard": "leaderboard", "badges": "badges attended=3", "mod suggest": "mod suggest",
    "tags": "tags pricing design", "follow tag": "follow tag pricing", "follow host": "follow host waiting",
    "follow off tag": "follow off tag pricing", "follow off host": "follow off host waiting", "follows": "follows",
}
# Who may, per command, when it is not "moderators" (Access.MODERATORS) or "everyone" (reads, scheduling).
ALLOWED: dict[str, set[str]] = {
    "stage rules": MODERATORS,  # reading them is everyone's; changing them is not
    "hand raise": HANDS, "hand lower": HANDS,
    "speaker audience": MODERATORS | {"speaker"},  # a speaker may step down themselves
    # A series is its host's and the platform moderators' of its channel; a stage's block is not a series'.
    # The space's blocks: its platform moderators, or the moderators of the stage live where it is asked.
    "stage blocks": MODERATORS | {"elsewhere"},
    "stage replay delete": set(), "stage unlink": set(),
    # A space's badge thresholds are its platform moderators' (a stage's block is not a space setting's).
    "badges": {"platform", "blocked_platform", "elsewhere"},
    # A member's own consent and voice are theirs, blocked or not.
    "record consent": EVERYONE, "record remove": EVERYONE,
    "stage edit": {"host", "platform", "blocked_platform"}, "stage cancel": {"host", "platform", "blocked_platform"},
}
REFUSALS: dict[str, Any] = {
    "hand raise": {"speaker": errors.AlreadySpeaker, "blocked": errors.Blocked, "blocked_platform": errors.Blocked,
                   "elsewhere": errors.NotPresent},
    "hand lower": errors.NoHandRaised,
    "stage strike": NotYourSegment,  # a member may strike only their own voice from a replay
    "stage replay delete": ReplayNotFound,  # no replay is stored here: refused before anyone's authority
    # No link is pinned here: its moderators are told so; anyone else is refused as not moderating.
    "stage unlink": {role: NoSuchLink for role in MODERATORS},
}

def space(channel: str) -> str:
    return f"space-{channel}"


def allowed(row_name: str) -> set[str]:
    if row_name in ALLOWED:
        return ALLOWED[row_name]
    row = next(r for r in TABLE if r.name == row_name)
    return MODERATORS if row.access is Access.MODERATORS else EVERYONE


def refusal(row_name: str, role: str) -> type[errors.StageError]:
    known = REFUSALS.get(row_name, errors.NotModerator)
    return known if isinstance(known, type) else known.get(role, errors.NotModerator)


def rows(engine: Any) -> dict[str, list[Any]]:
    """Every row of every table: a refused command leaves all of them as they were."""
    with engine.connect() as conn:
        return {name: sorted(map(repr, conn.execute(text(f'SELECT * FROM "{name}"'))))
                for name in inspect(engine).get_table_names() if name != "alembic_version"}


def refusal_pattern(error: type[errors.StageError], locale: str) -> re.Pattern[str]:
    """The refusal's sentence as a member reads it in `locale`, whatever its details (who, which rule)."""
    names = [field for _, field, _, _ in string.Formatter().parse(error.message) if field]
    marks = {name: f"\x00{n}\x00" for n, name in enumerate(names)}
    shown = re.escape(render(Message(error.message, marks), locale))
    for mark in marks.values():
        shown = shown.replace(re.escape(mark), ".+?")
    return re.compile(shown, re.DOTALL)


def judge(cell: str, answer: str, before: dict[str, list[Any]], after: dict[str, list[Any]], *, row_name: str,
          may: bool, refused: type[errors.StageError], locale: str = "fr") -> None:
    """One cell of a platform path's matrix: allowed, it is no refusal and it stores what the row changes (a
    read stores nothing); refused, it is the expected refusal in the member's language and nothing stored
    changed. `before` and `after` are what the core stores (tests/support/matrix.py `rows`, less bookkeeping)."""
    label = f"{cell}: {answer!r}; changed {differences(before, after)}"
    if may:
        assert not any(refusal_pattern(e, locale).fullmatch(answer) for e in (errors.NotModerator, refused)), label
        row = next(r for r in TABLE if r.name == row_name)
        assert (after != before) == (row.build is not None), label
    else:
        assert refusal_pattern(refused, locale).fullmatch(answer), label
        assert after == before, label


def differences(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> dict[str, Any]:
    """Which tables changed, with a row or two of what went and came (for a failing cell's message)."""
    return {name: (sorted(set(before[name]) - set(after[name]))[:2], sorted(set(after[name]) - set(before[name]))[:2])
            for name in before if before[name] != after[name]}
