"""Statistics, leaderboards and badges on Discord: the real discord.py against the fake Discord, in English and
French; `/stats` beside `/stats hide` is `/stats view` (Discord cannot run a group itself)."""

from __future__ import annotations

from tests.support.discord import (  # noqa: F401 - fixtures
    bot, dms, channel_posts, is_ephemeral, podium_errors, refusal, reply, world)
from bot.domain import errors


async def a_stage_where_bob_speaks(world, bot, minutes: int = 3) -> None:
    await bot.command(world, world.alice, "stage", "open", title="Town hall")
    await bot.command(world, world.bob, "hand", "raise")
    await bot.command(world, world.alice, "speaker", "next")
    await bot.advance(minutes * 60)
    await bot.command(world, world.alice, "stage", "close")


async def test_stats_leaderboard_and_badges_in_english_and_french(world, bot):
    await a_stage_where_bob_speaks(world, bot)
    mine = await bot.command(world, world.bob, "stats", "view", where=world.text)
    assert is_ephemeral(mine)
    assert f"Statistics of <@{world.bob.id}> (the last 30 days):" in reply(mine)
    assert "Times on stage: 1; minutes spoken: 3." in reply(mine)
    assert "Badges: First time on stage" in reply(mine)
    french = await bot.command(world, world.bob, "stats", "view", where=world.text, period="all", locale="fr")
    assert f"Statistiques de <@{world.bob.id}> (depuis toujours) :" in reply(french)
    board = await bot.command(world, world.carol, "leaderboard", where=world.text, board="speakers")
    assert f"#1 <@{world.bob.id}> 🎤 — 3 min spoken" in reply(board)
    # the badge: said in the stage's chat and told to bob
    assert any(f"🎤 <@{world.bob.id}> earned a badge: First time on stage." in m.content
               for m in channel_posts(world.fake, world.stage))
    assert "🎤 You earned a badge: First time on stage." in dms(world.fake, world.bob)


async def test_only_moderators_see_others_and_a_hidden_member_leaves_the_board(world, bot):
    await a_stage_where_bob_speaks(world, bot)
    refused = await bot.command(world, world.carol, "stats", "view", where=world.text, member=world.bob.id)
    assert reply(refused) == refusal(errors.NotModerator)
    seen = await bot.command(world, world.bob, "stats", "view", where=world.stage, member=world.alice.id)
    assert "Stages hosted: 1; largest audience: 4." in reply(seen)  # bob has the moderator role
    hidden = await bot.command(world, world.bob, "stats", "hide", where=world.text, locale="fr")
    assert reply(hidden).startswith("Vos statistiques sont masquées")
    board = await bot.command(world, world.carol, "leaderboard", where=world.text)
    assert f"<@{world.bob.id}>" not in reply(board) and "Nobody is on this board yet." in reply(board)
