"""The permission matrix on the console's path: every command of the table typed into a console session, as each
role (`/as NAME`), each cell allowed with its effect or refused with nothing stored changed and the refusal said
in the console's language (French here).

The console's moderators are space-wide (its `moderators` role, its admin), so `elsewhere` (a moderator delegated
on the stage of #lounge) has no power in #stage, where it types; the console sees its rooms, so it is away there.
Expectations otherwise as the gateway's (tests/support/matrix.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from adapters.console.session import ConsoleSession
from adapters.console.space import Member, Space
from bot.clock import ManualClock
from bot.config import Settings
from bot.domain import commands as c
from bot.domain import errors
from bot.domain.members import SYSTEM, Actor
from bot.surface.table import TABLE
from tests.support.apps import T0
from tests.support.matrix import LINES, ROLES, allowed, judge, refusal, rows

NAMES = (*ROLES, "waiting", "mod2", "barred", "newcomer")
BARRED = ("blocked", "blocked_platform", "barred")
# The console's own bookkeeping, and the members' language: not what a command changes.
BOOKKEEPING = {"processed_event", "request_inbox", "outbox", "board_message", "schedule_message", "member_setting"}
NOT_HERE = {"stage blocks", "badges"}  # the gateway's `elsewhere` moderates the space; the console's does not


def space() -> Space:
    members = {name: Member(name, frozenset({"moderators"}) if name in ("platform", "blocked_platform") else
                            frozenset(), guest=name == "guest") for name in NAMES}
    found = Space(members=members)
    found.room("stage").update(set(NAMES) - {"elsewhere", *BARRED})
    found.room("lounge").add("elsewhere")
    return found


def expected(row_name: str, role: str) -> tuple[bool, type[errors.StageError]]:
    if role == "elsewhere" and row_name in NOT_HERE:
        return False, errors.NotModerator
    return role in allowed(row_name), refusal(row_name, role)


class Console:
    def __init__(self, session: ConsoleSession, lines: list[str]) -> None:
        self.session, self.lines = session, lines

    async def type(self, who: str, text: str) -> str:
        await self.session.execute(f"/as {who}")
        del self.lines[:]
        await self.session.execute(text)
        return "\n".join(line[2:] for line in self.lines if line.startswith(("✓ ", "✗ ")))

    @property
    def app(self) -> Any:
        return self.session.app

    def stored(self) -> dict[str, list[Any]]:
        return {name: kept for name, kept in rows(self.app.db.engine).items() if name not in BOOKKEEPING}

    async def arrange(self) -> str:
        """A stage in #stage opened by the host, the roles set through the core, a series there unless one is."""
        app, host = self.app, Actor("host")
        await app.settle()
        self.session.space.room("stage").update(set(NAMES) - {"elsewhere", *BARRED})  # whoever was taken out
        await app.bus.handle(c.OpenStage(actor=host, platform="console", space_id="demo", channel_id="stage",
                                         title="Matrix", present=frozenset(self.session.space.room("stage"))))
        stage_id: str = await app.queries.live_stage("console", "demo", "stage")
        held = (await app.queries.roster(stage_id)).blocked
        for user_id in sorted(held - set(BARRED)):
            await app.bus.handle(c.UnblockMember(actor=host, stage_id=stage_id, user_id=user_id))
            await app.bus.handle(c.JoinAudio(actor=Actor(user_id), stage_id=stage_id))
        await app.settle()
        self.session.space.room("stage").update(set(NAMES) - {"elsewhere", *BARRED})
        series = not [v for v in await app.queries.schedules("console", "demo") if v.ref.channel_id == "stage"]
        for command in (c.AddModerator(actor=host, stage_id=stage_id, user_id="delegated"),
                        c.AddModerator(actor=host, stage_id=stage_id, user_id="mod2"),
                        c.ApproveSpeaker(actor=host, stage_id=stage_id, user_id="speaker"),
                        c.RaiseHand(actor=Actor("waiting"), stage_id=stage_id),
                        *(c.RemoveMember(actor=host, stage_id=stage_id, user_id=name, block=True)
                          for name in sorted(set(BARRED) - held)),
                        *((c.ScheduleStage(actor=host, platform="console", space_id="demo", channel_id="stage",
                                           title="Weekly", start="2026-03-05 18:00", timezone="UTC"),)
                          if series else ())):
            await app.bus.handle(command)
        await app.settle()
        return stage_id


@pytest.mark.parametrize("role", ROLES)
async def test_every_command_typed_in_the_console_for_each_role(tmp_path: Path, role: str) -> None:
    lines: list[str] = []
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'matrix.db'}", default_locale="fr",
                        rules={"hand_cooldown": 0})
    session = ConsoleSession(settings, write=lines.append, clock=ManualClock(T0), space=space())
    await session.start()
    console = Console(session, lines)
    try:
        await session.app.bus.handle(c.OpenStage(actor=Actor("host"), platform="console", space_id="demo",
                                                 channel_id="lounge", title="Lounge", present=frozenset()))
        lounge = await session.app.queries.live_stage("console", "demo", "lounge")
        await session.app.bus.handle(c.AddModerator(actor=Actor("host"), stage_id=lounge, user_id="elsewhere"))
        stage: tuple[str, dict[str, Any]] | None = None
        for n, row in enumerate(TABLE):
            if stage is not None and console.stored() != stage[1]:
                try:  # changed: the next cell gets a stage of its own
                    await session.app.bus.handle(c.CloseStage(actor=Actor("host"), stage_id=stage[0]))
                except errors.StageError:
                    pass
                await session.app.settle()
                stage = None
            if stage is None:
                stage_id = await console.arrange()
                stage = (stage_id, console.stored())
            await cell(console, stage[0], n, row.name, role)
    finally:
        await session.stop()


async def cell(console: Console, stage_id: str, n: int, row_name: str, role: str) -> None:
    if row_name == "hand lower":  # a hand to lower, for those who may have one
        try:
            await console.app.bus.handle(c.RaiseHand(actor=console.session.space.actor(role), stage_id=stage_id))
        except errors.StageError:
            pass
    if row_name == "stats show":
        await console.type(role, "/stats hide")
    if row_name.startswith("follow off"):  # followed first, so no longer following is a change
        await console.type(role, "/" + LINES[row_name].replace("follow off", "follow"))
    channel = f"/channel {'general' if row_name in ('stage open', 'stage schedule') else 'stage'}"
    await console.type(role, channel)
    if row_name in ("stage open", "stage schedule"):  # in a channel of its own, closed again after
        for live in await console.app.queries.live_stages("console", "demo"):
            if live.channel_id == "general":
                await console.app.bus.handle(c.CloseStage(actor=SYSTEM, stage_id=live.stage_id))
        await console.app.settle()
    before = console.stored()
    answer = await console.type(role, "/" + LINES[row_name])
    after = console.stored()
    await console.type(role, "/channel stage")
    may, refused = expected(row_name, role)
    judge(f"{row_name} by {role}", answer, before, after, row_name=row_name, may=may, refused=refused)
