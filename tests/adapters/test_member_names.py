"""Members named as people type them (issue 10): an unambiguous start of a display name, on Slack and Discord."""

from __future__ import annotations

from pathlib import Path

from tests.support.discord import bot, podium_errors, reply, world  # noqa: F401 - fixtures
from tests.support.slack import slack_world


async def test_slack_takes_a_name_typed_without_at(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await w.command("alice", "open Weekly AMA")
        await w.command("carol", "raise I'd like to ask about pricing")
        await w.command("dave", "raise")
        refused = await w.command("alice", "approve nobody")
        assert "There is no member called “nobody” here." in refused.text
        await w.command("alice", "approve car")  # carol, typed as Slack sends it: without a mention
        roster = await w.app.queries.roster(await w.stage_id())
        assert roster.speakers == {w["carol"].id} and roster.hands == (w["dave"].id,)


async def test_discord_takes_the_start_of_a_display_name(world, bot) -> None:  # noqa: F811
    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    await bot.command(world, world.carol, "hand", "raise", note="J'ai une question")
    await bot.command(world, world.dave, "hand", "raise")
    await bot.command(world, world.alice, "speaker", "deny", member="Da", reason="hors sujet, désolé")
    roster = await bot.roster(world)
    assert roster.hands == (str(world.carol.id),)
    await bot.command(world, world.alice, "speaker", "approve", member="car")
    assert (await bot.roster(world)).speakers == {str(world.carol.id)}
