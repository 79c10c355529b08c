"""Tags on Discord, through the real discord.py against the fake: given when a stage opens or is scheduled,
changed by its moderators, shown by `/stage list` and carried in the scheduled event's description."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.domain import errors
from bot.domain.tags import TooManyTags
from tests.support.discord import (  # noqa: F401 - fixtures
    bot, is_ephemeral, podium_errors, refusal, reply, world)

PARIS = ZoneInfo("Europe/Paris")


async def test_tags_given_at_opening_are_listed_and_changed_by_moderators_only(world, bot):
    opened = await bot.command(world, world.alice, "stage", "open", title="Weekly AMA", tags="#Pricing, design")
    assert reply(opened) == "Stage “Weekly AMA” is live."
    listed = await bot.command(world, world.erin, "stage", "list", where=world.text)
    assert f"🔴 “Weekly AMA” in <#{world.stage.id}> · host <@{world.alice.id}> · 4 in the room · #pricing #design" \
        in reply(listed)
    refused = await bot.command(world, world.carol, "tags", tags="roadmap")
    assert reply(refused) == refusal(errors.NotModerator)
    changed = await bot.command(world, world.bob, "tags", tags="roadmap design")
    assert reply(changed) == "Tags set: #roadmap #design"
    french = await bot.command(world, world.erin, "stage", "list", where=world.text, locale="fr")
    assert f"🔴 « Weekly AMA » dans <#{world.stage.id}> · hôte <@{world.alice.id}> · 4 dans le salon · " \
           "#roadmap #design" in reply(french)
    cleared = await bot.command(world, world.bob, "tags", tags="none", locale="fr")
    assert reply(cleared) == "Étiquettes retirées."
    assert "#roadmap" not in reply(await bot.command(world, world.erin, "stage", "list", where=world.text))


async def test_tags_past_the_limits_are_refused_in_the_members_language_and_nothing_opens(world, bot):
    refused = await bot.command(world, world.alice, "stage", "open", title="AMA", tags="a,b,c,d,e,f", locale="fr")
    assert is_ephemeral(refused)
    assert reply(refused) == refusal(TooManyTags, "fr", max=5, count=6, tags="a, b, c, d, e, f")
    bad = await bot.command(world, world.alice, "stage", "open", title="AMA", tags="c++")
    assert reply(bad) == "A tag holds only letters, digits, - and _; “c++” does not."
    assert await bot.app.queries.live_stages("discord", str(world.guild.id)) == []


async def test_a_scheduled_stage_carries_its_tags_in_the_events_description_and_the_list(world, bot):
    start = (bot.clock.now() + timedelta(hours=3)).astimezone(PARIS)
    await bot.command(world, world.alice, "stage", "schedule", title="Office hours", start=f"{start:%Y-%m-%d %H:%M}",
                      timezone="Europe/Paris", topic="Questions", tags="pricing,design")
    [event] = world.guild.events.values()
    assert event.description == "Questions\n#pricing #design"
    listed = await bot.command(world, world.erin, "stage", "list", where=world.text)
    assert "· #pricing #design" in reply(listed).splitlines()[-1]
    schedule_id = (await bot.app.queries.schedules("discord", str(world.guild.id)))[0].schedule_id
    edited = await bot.command(world, world.alice, "stage", "edit", series=schedule_id, tags="roadmap")
    assert reply(edited).startswith("“Office hours” now next happens at")
    await bot.settle()
    assert world.guild.events[event.id].description == "Questions\n#roadmap"
    # the occurrence opens with the series' tags
    await bot.advance(3 * 3600 + 60)
    [board] = [await bot.app.queries.board(ref.stage_id)
               for ref in await bot.app.queries.live_stages("discord", str(world.guild.id))]
    assert board.tags == ("roadmap",)
