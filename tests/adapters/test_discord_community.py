"""Statistics, leaderboards and badges on Discord: the real discord.py against the fake Discord, in English and
French; `/stats` beside `/stats hide` is `/stats view` (Discord cannot run a group itself)."""

from __future__ import annotations

from tests.support.discord import (  # noqa: F401 - fixtures
    bot, dms, channel_posts, is_ephemeral, podium_errors, refusal, reply, world)
from adapters.discord.members import say
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


async def badge_bot(world, tmp_path, roles):  # noqa: ANN001, ANN201
    from tests.support.discord import Bot

    return await Bot(world.fake, tmp_path / "badges.db", badge_roles=roles).start()


def roles_of(world, user) -> list[int]:  # noqa: ANN001
    return world.guild.members[user.id].roles


async def test_a_badge_grants_the_role_badge_roles_maps_it_to(world, tmp_path):
    speakers = world.fake.add_role(world.guild, "Speakers", 0)
    bot_role = next(r for r in world.guild.roles.values() if r.name == world.fake.store.bot.username)
    bot_role.position = speakers.position + 1  # the bot's role above the one it gives
    running = await badge_bot(world, tmp_path, {"first_stage": "Speakers"})
    try:
        await a_stage_where_bob_speaks(world, running)
        assert speakers.id in roles_of(world, world.bob)
        assert speakers.id not in roles_of(world, world.alice)  # the host did not speak
        [granted] = world.fake.calls("PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}")
        assert granted.status == 204
    finally:
        await running.stop()


async def test_a_role_above_the_bots_is_refused_as_discord_does_and_said_politely(world, tmp_path):
    above = world.fake.add_role(world.guild, "Legends", 0)  # added last: above the bot's own role
    running = await badge_bot(world, tmp_path, {"first_stage": str(above.id)})
    try:
        await a_stage_where_bob_speaks(world, running)
        refusals = world.fake.calls("PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}")
        assert [(r.status, r.response["code"]) for r in refusals] == [(403, 50013)]  # refused once, not retried
        assert above.id not in roles_of(world, world.bob)
        # told to the moderator who just closed the stage (else the channel), in their language
        told = [say(m, "en") for m in running.adapter.ctx.reporter.reported]
        assert [t for t in told if t.startswith(f"I could not give <@{world.bob.id}> the role Legends")], told
        assert "🎤 You earned a badge: First time on stage." in dms(world.fake, world.bob)  # the badge stands
    finally:
        await running.stop()


async def test_mod_suggest_lists_regulars_in_the_hosts_language(world, bot):
    await a_stage_where_bob_speaks(world, bot, minutes=2)
    changed = await bot.command(world, world.bob, "badges", where=world.text, changes="regular=1")
    assert reply(changed) == "Badge thresholds updated: regular=1."
    await bot.command(world, world.alice, "stage", "open", title="Office hours")
    suggested = await bot.command(world, world.alice, "mod", "suggest", locale="fr")
    assert is_ephemeral(suggested)
    assert f"<@{world.bob.id}> : 1 stages, 2\u00a0min de parole, 1 mains servies" in reply(suggested)
    refused = await bot.command(world, world.carol, "mod", "suggest")
    assert reply(refused) == refusal(errors.NotModerator)


async def test_links_are_masked_links_on_the_board_embed_and_in_the_recap(world, bot):
    await bot.command(world, world.alice, "stage", "open", title="Town hall")
    added = await bot.command(world, world.alice, "stage", "link", url="https://example.com/deck_(v2).pdf",
                              label="The *deck*")
    assert reply(added) == "Link #1 added to the board."
    # a closing parenthesis would end the masked link early
    assert "`1.` [The \\*deck\\*](https://example.com/deck_(v2%29.pdf)" in bot.board_text(world)
    refused = await bot.command(world, world.alice, "stage", "link", url="javascript:alert(1)", locale="fr")
    assert reply(refused) == "Seuls les liens http:// et https:// peuvent être ajoutés ; « javascript:alert(1) » " \
                             "n’en est pas un."
    await bot.command(world, world.alice, "stage", "close")
    recap = [m for m in channel_posts(world.fake, world.stage) if m.embeds and "Recap" in str(m.embeds[0])]
    assert recap and "https://example.com/deck_(v2).pdf" in str(recap[-1].embeds[0])


async def test_the_stage_list_mentions_the_stage_channel_to_join(world, bot):
    await bot.command(world, world.alice, "stage", "open", title="Town hall")
    listed = await bot.command(world, world.erin, "stage", "list", where=world.text)
    assert is_ephemeral(listed)
    assert f"🔴 “Town hall” in <#{world.stage.id}> · host <@{world.alice.id}> · 4 in the room" in reply(listed)
