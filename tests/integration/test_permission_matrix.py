"""Every command of the table × every role, through the gateway every platform path enters by (`act`): each
cell is allowed with its effect, or refused with its typed refusal and nothing changed.

The rows come from the command table: a command added to it without its line and expectations here fails
`test_the_matrix_covers_the_whole_table`. Who is who on the stage of each cell:

    host       opened it                       delegated  made moderator by the host
    platform   a moderator by the platform's own roles (workspace admin, Discord stage moderator, console role)
    speaker    has the floor                    listener   in the room, nothing more
    guest      a guest account, in the room     blocked    blocked from the stage by the host
    blocked_platform   a platform moderator the host blocked
    elsewhere  a platform moderator of another channel only, acting on this stage from there
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.domain import commands as c
from bot.domain import errors
from bot.domain.links import NoSuchLink
from bot.domain.members import Actor
from bot.domain.recording import NotYourSegment, ReplayNotFound
from bot.surface.gateway import Place, act
from bot.surface.grammar import Grammar
from bot.surface.rows import Access
from bot.surface.table import TABLE
from tests.support.apps import Apps
from sqlalchemy import inspect, text

from tests.support.stages import load, snapshot

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


def actor_of(role: str, stage_channel: str) -> Any:
    """How a platform sees the member in a channel: `elsewhere` moderates only its own channel."""
    async def actor(stage_id: str | None, channel_id: str) -> Actor:
        platform = role in ("platform", "blocked_platform") or (role == "elsewhere" and channel_id == "elsewhere")
        return Actor(role, platform_moderator=platform, guest=role == "guest")
    return actor


async def arrange(app: Any, channel: str) -> str:
    """A live stage in `channel` with every role in place, and a series scheduled there by the host. Each
    cell's channel is in a space of its own: blocks hold across a space."""
    host = Actor("host")
    present = frozenset({*ROLES, "waiting", "mod2", "barred", "newcomer"} - {"elsewhere"})
    await app.bus.handle(c.OpenStage(actor=host, platform=PLATFORM, space_id=space(channel), channel_id=channel,
                                     title="Matrix", present=present))
    stage_id: str = await app.queries.live_stage(PLATFORM, space(channel), channel)
    for command in (c.AddModerator(actor=host, stage_id=stage_id, user_id="delegated"),
                    c.AddModerator(actor=host, stage_id=stage_id, user_id="mod2"),
                    c.ApproveSpeaker(actor=host, stage_id=stage_id, user_id="speaker"),
                    c.RaiseHand(actor=Actor("waiting"), stage_id=stage_id),
                    c.RemoveMember(actor=host, stage_id=stage_id, user_id="blocked", block=True),
                    c.RemoveMember(actor=host, stage_id=stage_id, user_id="blocked_platform", block=True),
                    c.RemoveMember(actor=host, stage_id=stage_id, user_id="barred", block=True),
                    c.ScheduleStage(actor=host, platform=PLATFORM, space_id=space(channel), channel_id=channel,
                                    title="Weekly", start="2026-03-05 18:00", timezone="UTC")):
        await app.bus.handle(command)
    return stage_id


def test_the_matrix_covers_the_whole_table() -> None:
    assert set(LINES) == {row.name for row in TABLE}
    for name, line in LINES.items():
        assert GRAMMAR.parse(line).row.name == name


@pytest.mark.parametrize("role", ROLES)
async def test_every_command_for_each_role_is_allowed_with_its_effect_or_refused_with_nothing_changed(
        tmp_path: Path, role: str) -> None:
    # On SQLite only: what is judged here is authority, the same on either database (both are covered by
    # the persistence tests); it keeps the 27 × 9 cells to seconds.
    apps = Apps(f"sqlite:///{tmp_path / 'matrix.db'}")
    try:
        await _cells(await apps.start(), role)
    finally:
        await apps.stop_all()


async def _cells(app: Any, role: str) -> None:
    outcomes: dict[str, str] = {}
    for n, row in enumerate(TABLE):
        channel = f"chan-{n}"
        stage_id = await arrange(app, channel)
        if row.name == "hand lower":  # a hand to lower, for those who may have one
            try:
                await app.bus.handle(c.RaiseHand(actor=await actor_of(role, channel)(stage_id, channel),
                                                 stage_id=stage_id))
            except errors.StageError:
                pass
        parsed = GRAMMAR.parse(LINES[row.name])
        here = "elsewhere" if role == "elsewhere" else channel
        place = Place(platform=PLATFORM, space_id=space(channel), channel_id=here,
                      stage_id=stage_id if role == "elsewhere" and parsed.row.scope.value == "stage" else "")
        if row.scope.value == "none" and row.name in ("stage open", "stage schedule"):
            place = Place(platform=PLATFORM, space_id=space(channel), channel_id=f"new-{n}")
        if row.name == "stats show":  # hidden first, so showing them is a change
            hide = GRAMMAR.parse("stats hide")
            await act(app, hide.row, hide.values, place, actor=actor_of(role, channel), member=_member)
        if row.name.startswith("follow off"):  # followed first, so no longer following is a change
            first = GRAMMAR.parse(LINES[row.name].replace("follow off", "follow"))
            await act(app, first.row, first.values, place, actor=actor_of(role, channel), member=_member)
        values = dict(parsed.values)
        if role == "elsewhere" and row.scope.value == "series":  # named, as from another channel one must
            values["series"] = next(v.schedule_id for v in await app.queries.schedules(PLATFORM, space(channel))
                                    if v.ref.channel_id == channel)
        before = (snapshot(await load(app, stage_id)), rows(app.db.engine))
        try:
            done = await act(app, parsed.row, values, place, actor=actor_of(role, channel),
                             member=_member)
        except errors.StageError as refused:
            outcomes[row.name] = type(refused).__name__
            assert role not in allowed(row.name), f"{row.name} by {role}: refused {refused.code}"
            assert isinstance(refused, refusal(row.name, role)), f"{row.name} by {role}: {refused.code}"
            assert (snapshot(await load(app, stage_id)), rows(app.db.engine)) == before, row.name
            continue
        outcomes[row.name] = "allowed"
        assert role in allowed(row.name), f"{row.name} by {role}: allowed"
        changed = (snapshot(await load(app, stage_id)), rows(app.db.engine)) != before
        effect = done.reply is not None and row.build is not None
        assert changed == effect, f"{row.name} by {role}: changed {changed}"
    assert len(outcomes) == len(TABLE)


def rows(engine: Any) -> dict[str, list[Any]]:
    """Every row of every table: a refused command leaves all of them as they were."""
    with engine.connect() as conn:
        return {name: sorted(map(repr, conn.execute(text(f'SELECT * FROM "{name}"'))))
                for name in inspect(engine).get_table_names() if name != "alembic_version"}


async def _member(typed: str) -> str:
    return typed
