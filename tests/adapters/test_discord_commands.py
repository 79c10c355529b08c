"""Slash commands through the real discord.py: each is one core command, answered ephemerally in time."""

from __future__ import annotations

import asyncio

from adapters.discord.errors import NotAStageChannel
from bot.domain import errors
from bot.i18n.catalog import render
from bot.i18n.markers import N_
from bot.i18n.message import Message
from tests.support.discord import (  # noqa: F401 - fixtures
    bot, dms, embed_text, is_ephemeral, mention, podium_errors, refusal, reply, world)
from tests.fakes.discord import permissions as perms

STAGE_MOD = perms.MANAGE_CHANNELS | perms.MUTE_MEMBERS | perms.MOVE_MEMBERS


async def open_stage(bot, world, **options):
    record = await bot.command(world, world.alice, "stage", "open", title="Weekly AMA", **options)
    assert reply(record) == "Stage “Weekly AMA” is live.", reply(record)
    return record


async def test_opening_creates_the_discord_stage_and_posts_the_board_with_its_buttons(world, bot):
    record = await open_stage(bot, world, topic="Pricing")
    assert is_ephemeral(record) and record.ack_delay < 3
    assert world.guild.stage_instances[world.stage.id].topic == "Pricing"
    stage_id = await bot.stage_id(world)
    board = bot.board(world)
    buttons = [c["custom_id"] for row in board.components for c in row["components"]]
    assert buttons == [f"podium:{action}:{stage_id}" for action in ("raise", "lower", "next", "approve", "deny")]
    text = embed_text(board.embeds[0])
    assert "Weekly AMA" in text and "Pricing" in text and "Speakers (0/5)" in text and "Queue (0)" in text
    assert "Up to 5 speakers" in text
    roster = await bot.roster(world)
    assert roster.present == {str(u.id) for u in (world.alice, world.bob, world.carol, world.dave)}


async def test_a_stage_opens_from_a_stage_channel_only(world, bot):
    record = await bot.command(world, world.alice, "stage", "open", where=world.text, title="AMA")
    assert reply(record) == refusal(NotAStageChannel)
    assert is_ephemeral(record) and not world.guild.stage_instances
    record = await bot.command(world, world.alice, "stage", "open", where=world.text, title="AMA",
                               channel=world.stage.id)
    assert reply(record) == "Stage “AMA” is live." and world.stage.id in world.guild.stage_instances


async def test_refusals_are_ephemeral_and_read_in_the_members_language(world, bot):
    await open_stage(bot, world)
    english = await bot.command(world, world.carol, "stage", "close")
    assert reply(english) == refusal(errors.NotModerator) and is_ephemeral(english)
    french = await bot.command(world, world.carol, "stage", "close", locale="fr")
    assert reply(french) == refusal(errors.NotModerator, "fr") != reply(english)
    # A Discord language we have no catalogue for: the one last learned for the member, else the server's.
    await bot.app.locales.set_member("discord", str(world.dave.id), "fr")
    stored = await bot.command(world, world.dave, "stage", "close", locale="de")
    assert reply(stored) == refusal(errors.NotModerator, "fr")
    await bot.app.locales.set_space("discord", str(world.guild.id), "fr")
    british = await bot.command(world, world.dave, "stage", "close", locale="en-GB")
    assert reply(british) == refusal(errors.NotModerator)  # English is spoken here: the server's French is not used
    assert world.stage.id in world.guild.stage_instances  # nothing changed
    assert all(r.ack_delay < 3 for r in world.fake.interactions.records)


async def test_what_the_bot_sends_a_member_later_is_in_their_discord_language(world, bot):
    await open_stage(bot, world)
    await bot.command(world, world.carol, "hand", "raise", locale="fr")
    await bot.command(world, world.alice, "speaker", "next")
    assert render(Message(N_("You have the floor on “{title}”."), {"title": "Weekly AMA"}), "fr") in dms(
        world.fake, world.carol)
    # The language is kept, and follows the member when they change it in Discord.
    assert await bot.app.locales.for_member("discord", str(world.guild.id), str(world.carol.id)) == "fr"
    await bot.command(world, world.carol, "hand", "raise", locale="en-US")
    assert await bot.app.locales.for_member("discord", str(world.guild.id), str(world.carol.id)) == "en"


async def test_moderators_are_discord_stage_moderators_and_the_configured_roles(world, bot):
    fake = world.fake
    mods = fake.add_role(world.guild, "Stage Mods", STAGE_MOD)
    frank = fake.add_member(world.guild, "frank", roles=[mods]).user
    await open_stage(bot, world)
    assert reply(await bot.command(world, frank, "stage", "lock")) == "Hands are locked."
    assert reply(await bot.command(world, world.bob, "stage", "unlock")) == "Hands are unlocked."
    assert reply(await bot.command(world, world.carol, "stage", "lock")) == refusal(errors.NotModerator)
    assert reply(await bot.command(world, world.alice, "mod", "add", member=world.carol.id)) == (
        f"{mention(world.carol)} is now a moderator.")
    assert reply(await bot.command(world, world.carol, "stage", "lock")) == "Hands are locked."


async def test_rules_are_shown_changed_and_refused_in_one_piece(world, bot):
    await open_stage(bot, world)
    shown = reply(await bot.command(world, world.carol, "stage", "rules"))
    assert "max_speakers = 5" in shown and "queue_mode = fifo" in shown
    changed = await bot.command(world, world.bob, "stage", "rules", changes="max_speakers=2 hand_cooldown=30s")
    assert reply(changed) == "Rules updated: max_speakers=2, hand_cooldown=30s."
    wrong = await bot.command(world, world.bob, "stage", "rules", changes="max_speakers=0 queue_mode=fair")
    assert "Invalid value for max_speakers" in reply(wrong) and is_ephemeral(wrong)
    assert "queue_mode = fifo" in reply(await bot.command(world, world.carol, "stage", "rules"))
    assert "Speakers (0/2)" in bot.board_text(world)
    garbled = await bot.command(world, world.bob, "stage", "rules", changes="max_speakers")
    assert "name=value" in reply(garbled)
    assert "Only the host and moderators" in reply(await bot.command(
        world, world.carol, "stage", "rules", changes="max_speakers=3"))


async def test_topic_follows_on_the_discord_stage_and_the_board(world, bot):
    await open_stage(bot, world, topic="Pricing")
    assert reply(await bot.command(world, world.bob, "stage", "topic", topic="Roadmap")) == "Topic set: Roadmap"
    await world.fake.wait_for(lambda: world.guild.stage_instances[world.stage.id].topic == "Roadmap")
    assert "Roadmap" in bot.board_text(world)


async def test_status_queue_log_and_recap(world, bot):
    await open_stage(bot, world)
    world.fake.member_request_to_speak(world.guild, world.carol)
    await bot.settle()
    await bot.command(world, world.dave, "hand", "raise", note="about pricing")
    status = await bot.command(world, world.erin, "stage", "status", where=world.text)
    assert "Queue (2)" in reply(status) and is_ephemeral(status)
    queue = await bot.command(world, world.dave, "queue")
    assert reply(queue).startswith("Hands raised: 2; you are #2.") and "about pricing" in reply(queue)
    log = await bot.command(world, world.bob, "stage", "log", count=10)
    assert "raised a hand (#1)" in reply(log) and f"{mention(world.alice)} opened “Weekly AMA”" in reply(log)
    assert reply(await bot.command(world, world.carol, "stage", "log")) == refusal(errors.NotModerator)
    await bot.command(world, world.alice, "stage", "close")
    recap = await bot.command(world, world.carol, "stage", "recap")
    assert "Recap of “Weekly AMA”" in reply(recap) and "2 hands raised" in reply(recap)


async def test_autocomplete_offers_the_queue_the_speakers_and_the_live_stages(world, bot):
    fake = world.fake
    await open_stage(bot, world)
    for user in (world.carol, world.dave):
        fake.member_request_to_speak(world.guild, user)
    await bot.settle()
    record = fake.autocomplete(world.guild, world.stage, world.bob, "speaker", "approve",
                               options={"member": ""}, focused="member")
    await fake.wait_response(record)
    assert [(c["name"], c["value"]) for c in record.choices] == [
        ("#1 Carol", str(world.carol.id)), ("#2 Dave", str(world.dave.id))]
    record = fake.autocomplete(world.guild, world.stage, world.bob, "speaker", "deny",
                               options={"member": "da"}, focused="member")
    await fake.wait_response(record)
    assert [c["value"] for c in record.choices] == [str(world.dave.id)]
    record = fake.autocomplete(world.guild, world.text, world.bob, "stage", "close", options={"stage": ""},
                               focused="stage")
    await fake.wait_response(record)
    assert record.choices == [{"name": "Weekly AMA · #town-hall", "value": await bot.stage_id(world)}]


async def test_members_are_named_by_autocomplete_value_mention_or_name_from_any_channel(world, bot):
    fake = world.fake
    await open_stage(bot, world)
    for user in (world.carol, world.dave):
        fake.member_request_to_speak(world.guild, user)
    await bot.settle()
    approved = await bot.command(world, world.bob, "speaker", "approve", where=world.text, member="carol")
    assert reply(approved) == f"{mention(world.carol)} is now a speaker."
    denied = await bot.command(world, world.bob, "speaker", "deny", member=f"<@{world.dave.id}>", reason="later")
    assert reply(denied) == f"{mention(world.dave)}'s hand was denied."
    assert any("later" in text for text in dms(fake, world.dave))
    unknown = await bot.command(world, world.bob, "speaker", "approve", member="nobody")
    assert reply(unknown) == refusal(errors.UnknownMember, name="nobody")
    await bot.command(world, world.alice, "stage", "open", where=world.text, title="Second",
                      channel=fake.add_stage_channel(world.guild, "second").id)
    ambiguous = await bot.command(world, world.bob, "stage", "lock", where=world.text)
    assert "Several stages are live" in reply(ambiguous)


async def test_the_board_speaks_the_servers_language_and_follows_when_it_changes(world, bot):
    async def server_language(expected: str) -> str:
        for _ in range(250):  # GUILD_UPDATE's handler and the reconciler run as tasks of their own
            found = await bot.app.locales.for_space("discord", str(world.guild.id))
            if found == expected:
                break
            await asyncio.sleep(0.02)
        return found

    world.fake.guild_set_locale(world.guild, "fr")
    assert await server_language("fr") == "fr"
    await open_stage(bot, world)
    assert "Intervenants (0/5)" in embed_text(bot.board(world).embeds[0])
    world.fake.guild_set_locale(world.guild, "en-GB")
    await bot.command(world, world.carol, "hand", "raise")  # an edit of the board, in the new language
    await world.fake.wait_for(lambda: "Speakers (0/5)" in embed_text(bot.board(world).embeds[0]), timeout=5)
    # A member whose Discord language the bot does not speak reads the server's.
    german = await bot.command(world, world.dave, "stage", "close", locale="de")
    assert reply(german) == refusal(errors.NotModerator)
    # Changed while the bot was away: learned when it is back (GUILD_CREATE).
    await bot.stop()
    world.guild.preferred_locale = "fr"
    await bot.start()
    assert await server_language("fr") == "fr"
