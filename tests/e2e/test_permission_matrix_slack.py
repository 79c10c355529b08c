"""The permission matrix on Slack's paths: every command of the table typed under `/stage` into the real bolt app
with real signatures, and the board's buttons, overflow menu and raise-hand modal where a command has them, by
every role. Each cell is allowed with its effect, or refused with nothing stored changed and the refusal said in
the member's language (French: their Slack is set so).

The cells come from the command table and the expectations of tests/support/matrix.py (shared with the gateway's
matrix). Slack's differences: its moderators are workspace-wide (admins, SLACK_MODERATORS), and a slash command
cannot name a stage of another channel, so `elsewhere` (a moderator delegated on a stage of another channel)
acts here as any member of the channel would; no huddle runs, so presence is unknown and nobody is refused as
away. One fake Slack and one app serve a role's cells; a stage serves the cells that leave it as it was.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.domain import commands as c
from bot.domain import errors
from bot.domain.members import Actor
from bot.surface.table import TABLE
from tests.fakes.slack import Channel, FakeSlack, User
from tests.fakes.slack.requests import SlackRequests
from tests.support.matrix import LINES, ROLES, allowed, judge, refusal, rows
from tests.support.slack import World, eventually, slack_world

NAMES = (*ROLES, "waiting", "mod2", "barred", "newcomer")
# The adapters' own bookkeeping, and the members' language as the platform reports it (learned whenever the
# platform names a member, a refused command's target included): not what a command changes.
BOOKKEEPING = {"processed_event", "request_inbox", "outbox", "board_message", "schedule_message", "member_setting"}
# The board's controls, with the row each stands for: (action id, value template or None).
PRESSES = {"hand lower": ("podium_lower", None), "speaker next": ("podium_next", None),
           "speaker approve": ("podium_queue_0", "approve:{stage}:{waiting}"),
           "speaker deny": ("podium_queue_0", "deny:{stage}:{waiting}"), "hand raise": ("podium_raise", None)}


OTHER: dict[int, Channel] = {}  # the channel of `elsewhere`'s own stage, by fake


def cast(fake: FakeSlack) -> tuple[dict[str, User], Channel]:
    people = {name: fake.add_user(name, locale="fr-FR", is_admin=name in ("platform", "blocked_platform"),
                                  is_restricted=name == "guest") for name in NAMES}
    room = fake.add_channel("stage", members=[u.id for u in people.values()])
    OTHER[id(fake)] = fake.add_channel("elsewhere", members=[people["elsewhere"].id, people["host"].id])
    return people, room


def typed(row_name: str, w: World, line: str | None = None) -> str:
    """The matrix's line (or `line`) under Slack's one command, members named by mention as Slack sends them."""
    row = next(r for r in TABLE if r.name == row_name)
    words = (line or LINES[row_name]).split()
    rest = " ".join(words[len(row.path):])
    for name in NAMES:
        rest = re.sub(rf"(?<!\S){name}(?!\S)", f"<@{w[name].id}|{name}>", rest)
    rest = re.sub(r"start=\S+", f"start={soon(w, 7)}", rest)  # a date to come, by the clock of the day
    return f"{row.flat} {rest}".strip().replace("&", "&amp;")


def expected(row_name: str, role: str) -> tuple[bool, type[errors.StageError]]:
    like = "listener" if role == "elsewhere" else role  # no power here, and not seen away (no huddle)
    return like in allowed(row_name), refusal(row_name, like)


def stored(w: World) -> dict[str, list[Any]]:
    return {name: kept for name, kept in rows(w.app.db.engine).items() if name not in BOOKKEEPING}


async def arrange(w: World) -> str:
    """A stage in the room opened by the host, the roles set through the core, a series scheduled there."""
    app, space, host = w.app, w.fake.team.id, Actor(w["host"].id)
    await app.bus.handle(c.OpenStage(actor=host, platform="slack", space_id=space, channel_id=w.room.id,
                                     title="Matrix", presence_known=False))
    stage_id = await app.queries.live_stage("slack", space, w.room.id)
    for user_id in sorted((await app.queries.roster(stage_id)).blocked):  # held from earlier cells: lifted
        await app.bus.handle(c.UnblockMember(actor=host, stage_id=stage_id, user_id=user_id))
    for command in (c.AddModerator(actor=host, stage_id=stage_id, user_id=w["delegated"].id),
                    c.AddModerator(actor=host, stage_id=stage_id, user_id=w["mod2"].id),
                    c.ApproveSpeaker(actor=host, stage_id=stage_id, user_id=w["speaker"].id),
                    c.RaiseHand(actor=Actor(w["waiting"].id), stage_id=stage_id),
                    *(c.RemoveMember(actor=host, stage_id=stage_id, user_id=w[name].id, block=True)
                      for name in ("blocked", "blocked_platform", "barred")),
                    c.ScheduleStage(actor=host, platform="slack", space_id=space, channel_id=w.room.id,
                                    title="Weekly", start=f"{soon(w, 3)} 18:00", timezone="UTC")):
        await app.bus.handle(command)
    await w.settle()
    return stage_id


def soon(w: World, days: int) -> str:
    return (w.clock.now() + timedelta(days=days)).strftime("%Y-%m-%d")


@pytest.mark.parametrize("role", ROLES)
async def test_every_command_on_slacks_paths_for_each_role(tmp_path: Path, role: str) -> None:
    async with slack_world(tmp_path, people=cast, board_interval=0.01) as w:
        host = Actor(w["host"].id)
        other = OTHER.pop(id(w.fake))
        await w.app.bus.handle(c.OpenStage(actor=host, platform="slack", space_id=w.fake.team.id,
                                           channel_id=other.id, title="Elsewhere", presence_known=False))
        elsewhere = await w.app.queries.live_stage("slack", w.fake.team.id, other.id)
        await w.app.bus.handle(c.AddModerator(actor=host, stage_id=elsewhere, user_id=w["elsewhere"].id))
        cells = [(row.name, "slash") for row in TABLE] + [(name, "press") for name in PRESSES]
        stage: tuple[str, dict[str, Any]] | None = None
        for row_name, path in cells:
            if stage is not None and stored(w) != stage[1]:
                try:  # changed: the next cell gets a stage of its own
                    await w.app.bus.handle(c.CloseStage(actor=host, stage_id=stage[0]))
                except errors.StageError:
                    pass
                stage = None
            if stage is None:
                stage_id = await arrange(w)
                stage = (stage_id, stored(w))
            await cell(w, stage[0], row_name, path, role)


async def cell(w: World, stage_id: str, row_name: str, path: str, role: str) -> None:
    if row_name == "hand lower":  # a hand to lower, for those who may have one
        try:
            await w.app.bus.handle(c.RaiseHand(actor=Actor(w[role].id), stage_id=stage_id))
        except errors.StageError:
            pass
    if row_name == "stats show":
        await w.command(role, "stats hide")
    if row_name.startswith("follow off"):  # followed first, so no longer following is a change
        follow = LINES[row_name].replace("follow off", "follow")
        await w.command(role, typed(row_name.replace("follow off", "follow"), w, follow))
    before = stored(w)
    if path == "slash":
        where = None
        if row_name in ("stage open", "stage schedule"):  # in a channel of its own, as the matrix's other paths
            where = w.fake.add_channel(f"new-{row_name.split()[1]}-{role}", members=[u.id for u in w.people.values()])
        answer = (await w.command(role, typed(row_name, w), channel=where)).text
    elif row_name == "hand raise":  # the button opens a modal; its submission raises the hand
        await w.click(role, "podium_raise", message=board_of(w))
        await eventually(lambda: w.fake.modals(w[role].id), what="the raise-hand modal")
        modal = w.fake.modals(w[role].id)[-1]
        sent = len(answers(w, role))
        response = await w.slack.view_submission(modal, user=w[role], values={})
        assert response.status == 200 and response.in_time, response
        await w.settle()
        await eventually(lambda: len(answers(w, role)) > sent, what="the modal's answer")
        answer = answers(w, role)[-1]
    else:
        action_id, value = PRESSES[row_name]
        board = board_of(w)
        if value is not None:
            value = value.format(stage=stage_id, waiting=w["waiting"].id)
        answer = (await w.click(role, action_id, message=board, value=value)).text
    after = stored(w)
    may, refused = expected(row_name, role)
    judge(f"{row_name} ({path}) by {role}", answer, before, after, row_name=row_name, may=may, refused=refused)


def board_of(w: World) -> Any:
    """The live stage's board: the newest message of the bot's with the board's buttons."""
    return [m for m in w.fake.messages(w.room.id) if m.user == w.fake.bot.id and any(
        e.get("action_id") == "podium_raise" for b in m.blocks or [] for e in b.get("elements") or [])][-1]


def answers(w: World, role: str) -> list[str]:
    """What the member was shown in the channel, only to them (the modal's answer)."""
    return [e.text for e in w.fake.ephemerals if e.user == w[role].id]


_ = SlackRequests  # the modal's submission is built as Slack's (tests/fakes/slack/requests.py)
