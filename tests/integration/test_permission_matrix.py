"""Every command of the table × every role, through the gateway every platform path enters by (`act`): each
cell is allowed with its effect, or refused with its typed refusal and nothing changed.

The rows come from the command table: a command added to it without its line and expectations (in
tests/support/matrix.py, shared with the platform paths' matrices) fails `test_the_matrix_covers_the_whole_table`.
Here `elsewhere` is a platform moderator of another channel only, acting on this stage from there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.domain import commands as c
from bot.domain import errors
from bot.domain.members import Actor
from bot.surface.gateway import Place, act
from bot.surface.table import TABLE
from tests.support.apps import Apps
from tests.support.matrix import GRAMMAR, LINES, PLATFORM, ROLES, allowed, refusal, rows, space
from tests.support.stages import load, snapshot


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


async def _member(typed: str) -> str:
    return typed
