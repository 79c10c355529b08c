"""Follows on Discord, through the real discord.py against the fake: /follow tag, /follow host, /follow off …,
/follows; a stage opening or scheduled with a followed tag or host DMs each follower once, in their language,
with the stage channel to join; the host, blocked members and those who stopped following hear nothing."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.domain.follows import FollowingYourself, NotFollowing
from tests.support.discord import (  # noqa: F401 - fixtures
    bot, dms, is_ephemeral, podium_errors, refusal, reply, world)


async def test_followers_of_a_tag_or_the_host_get_one_dm_each_in_their_language(world, bot):
    followed = await bot.command(world, world.carol, "follow", "tag", where=world.text, tag="Pricing, design")
    assert is_ephemeral(followed)
    assert reply(followed) == "You follow #pricing #design: a direct message tells you when their stages open or " \
                              "are scheduled."
    french = await bot.command(world, world.dave, "follow", "host", where=world.text, member=world.alice.id,
                               locale="fr")
    assert reply(french) == f"Vous suivez <@{world.alice.id}> : un message privé vous prévient quand leurs scènes " \
                            "ouvrent ou sont programmées."
    await bot.command(world, world.erin, "follow", "tag", where=world.text, tag="pricing")
    await bot.command(world, world.erin, "follow", "host", where=world.text, member=world.alice.id)
    await bot.command(world, world.alice, "follow", "tag", where=world.text, tag="pricing")  # the host herself
    mine = await bot.command(world, world.alice, "follow", "host", where=world.text, member=world.alice.id)
    assert reply(mine) == refusal(FollowingYourself)
    listed = await bot.command(world, world.erin, "follows", where=world.text)
    assert reply(listed).splitlines() == ["You follow 2 tags and hosts (at most 50):", "Tags: #pricing",
                                          f"Host: <@{world.alice.id}>"]

    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA", tags="pricing,design")
    assert dms(world.fake, world.carol) == [
        f"🔔 Live now: “Weekly AMA”, hosted by <@{world.alice.id}> · #pricing #design. You follow #pricing #design."
        f"\n<#{world.stage.id}>"]
    assert dms(world.fake, world.dave) == [
        f"🔔 En direct : « Weekly AMA », animée par <@{world.alice.id}> · #pricing #design. Vous suivez "
        f"<@{world.alice.id}>.\n<#{world.stage.id}>"]
    assert len(dms(world.fake, world.erin)) == 1  # a tag and the host: one message
    assert dms(world.fake, world.alice) == []


async def test_following_off_and_a_block_leave_a_member_out(world, bot):
    for user in (world.carol, world.dave):
        await bot.command(world, user, "follow", "tag", where=world.text, tag="pricing")
    stopped = await bot.command(world, world.carol, "follow", "off", "tag", where=world.text, tag="pricing",
                                locale="fr")
    assert reply(stopped) == "Vous ne suivez plus #pricing."
    again = await bot.command(world, world.carol, "follow", "off", "tag", where=world.text, tag="pricing")
    assert reply(again) == refusal(NotFollowing, what="#pricing")
    await bot.command(world, world.alice, "stage", "open", title="First")
    await bot.command(world, world.alice, "stage", "block", member=world.dave.id)
    await bot.command(world, world.alice, "stage", "close")
    await bot.command(world, world.alice, "stage", "open", title="Second", tags="pricing")
    assert dms(world.fake, world.carol) == [] and not any("Second" in m for m in dms(world.fake, world.dave))


async def test_a_scheduled_stage_dms_its_followers_once_and_its_opening_once_more(world, bot):
    await bot.command(world, world.carol, "follow", "tag", where=world.text, tag="hiring")
    start = (bot.clock.now() + timedelta(hours=3)).astimezone(ZoneInfo("Europe/Paris"))
    await bot.command(world, world.alice, "stage", "schedule", title="Office hours",
                      start=f"{start:%Y-%m-%d %H:%M}", timezone="Europe/Paris", tags="hiring")
    [coming] = dms(world.fake, world.carol)
    assert coming.startswith("📅 Coming up: “Office hours”, hosted by") and coming.endswith(
        f"· #hiring. You follow #hiring.\n<#{world.stage.id}>")
    await bot.advance(3 * 3600 + 60)
    assert dms(world.fake, world.carol)[1:] == [
        f"🔔 Live now: “Office hours”, hosted by <@{world.alice.id}> · #hiring. You follow #hiring.\n"
        f"<#{world.stage.id}>"]
