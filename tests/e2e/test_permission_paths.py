"""The permission matrix's refusals on the platform paths: every moderators-only command of the table, typed on
Slack by a member, a guest and a workspace admin the host blocked, and run on Discord by a member and a
moderator-role holder the host blocked; each refused in the member's language and nothing changed.

(tests/integration/test_permission_matrix.py judges every command × role through the gateway itself.)
"""

from __future__ import annotations

from pathlib import Path

from bot.domain.errors import NotModerator
from bot.domain.recording import NotYourSegment, ReplayNotFound
from bot.i18n.catalog import render
from bot.i18n.message import Message
from bot.surface.rows import Access
from bot.surface.table import TABLE
from tests.support.discord import (  # noqa: F401 - fixtures
    Bot, World, bot, discord_errors, fake_discord, podium_errors, refusal, reply, world)
from tests.support.slack import slack_world

# Moderators only, and the everyone rows whose typed form here is a moderator's act.
GUARDED = [row for row in TABLE if row.access is Access.MODERATORS] + \
    [row for row in TABLE if row.name in ("stage rules", "speaker audience")]
ARGS = {  # what follows the command's words; {m}: the member it is about
    "stage close": "", "stage topic": "Hijacked", "stage rules": "max_speakers=9", "stage lock": "",
    "stage unlock": "", "stage log": "", "stage invite": "{m}", "stage remove": "{m} bye", "stage block": "{m} for=1d x",
    "stage blocks": "", "stage unblock": "{m}", "speaker approve": "{m}", "speaker next": "", "speaker deny": "{m}",
    "mod add": "{m}", "mod remove": "{m}", "speaker audience": "{m}", "stage record": "on", "stage strike": "{m}",
    "stage replay delete": "r0000001", "stage link": "https://example.com/agenda Agenda", "stage unlink": "1",
    "mod suggest": "", "tags": "pricing",
}
# Refused for another reason first: a member may strike only their own voice; no replay is stored here.
REFUSED = {"stage strike": NotYourSegment, "stage replay delete": ReplayNotFound}


def test_the_paths_cover_every_guarded_row_of_the_table() -> None:
    assert set(ARGS) == {row.name for row in GUARDED}


async def test_on_slack_members_guests_and_a_blocked_admin_are_refused_every_moderators_command(
        tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await w.command("carol", "open Guarded")  # carol hosts; alice is a workspace admin
        await w.command("dave", "raise")
        await w.command("carol", f"block <@{w['alice'].id}|alice>")
        stage_id = await w.stage_id()
        before = await w.app.queries.board(stage_id)
        dave = f"<@{w['dave'].id}|dave>"
        for name in ("bob", "erin", "alice"):
            for row in GUARDED:
                line = f"{row.flat} {ARGS[row.name].format(m=dave)}".strip()
                answer = await w.command(name, line)
                expected = REFUSED.get(row.name, NotModerator)
                assert answer.text == render(Message(expected.message, {"replay_id": "r0000001"}), "en"), (
                    name, line, answer.text)
        assert (await w.app.queries.board(stage_id)).version == before.version


async def test_on_discord_a_member_and_a_blocked_moderator_are_refused_every_moderators_command(
        world: World, bot: Bot) -> None:
    await bot.command(world, world.alice, "stage", "open", title="Guarded")
    await bot.press(world, world.dave, f"podium:raise:{await bot.stage_id(world)}")
    await bot.command(world, world.alice, "stage", "block", member=world.bob.id)  # bob holds the moderator role
    before = await bot.app.queries.board(await bot.stage_id(world))  # type: ignore[union-attr]
    for user in (world.carol, world.bob):
        for row in GUARDED:
            options: dict[str, object] = {}
            for option in row.options:
                if option.name == "member":
                    options["member"] = world.dave.id
                elif option.name == "changes":
                    options["changes"] = "max_speakers=9"
                elif option.name == "replay" and option.required:
                    options["replay"] = "r0000001"
                elif option.name == "recording":
                    options["recording"] = True
                elif option.name == "url":
                    options["url"] = "https://example.com/agenda"
                elif option.name == "number":
                    options["number"] = 1
                elif option.required:
                    options[option.name] = "Hijacked"
            record = await bot.command(world, user, *row.path, **options)
            expected = REFUSED.get(row.name, NotModerator)
            assert reply(record) == refusal(expected, replay_id="r0000001"), (user.username, row.name,
                                                                             reply(record))
    after = await bot.app.queries.board(await bot.stage_id(world))  # type: ignore[union-attr]
    assert after.version == before.version
