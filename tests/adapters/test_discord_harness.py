"""The Discord harness itself (tests/support/discord.py): the bot connects through the settings' addresses,
registers its commands, and stops cleanly."""

from __future__ import annotations

from tests.support.discord import bot, podium_errors, world  # noqa: F401 - fixtures


async def test_the_bot_connects_through_the_settings_addresses_and_registers_its_commands(world, bot):
    fake = world.fake
    assert fake.hub.identifies == 1
    names = {command["name"] for command in fake.store.global_commands.values()}
    # one per first word of the table
    assert names == {"stage", "hand", "speaker", "mod", "record", "queue", "rsvp", "help", "stats", "leaderboard",
                     "badges", "tags", "follow", "follows"}
    stage = next(cmd for cmd in fake.store.global_commands.values() if cmd["name"] == "stage")
    assert stage["name_localizations"] == {"fr": "scène"}
    opened = next(o for o in stage["options"] if o["name"] == "open")
    assert opened["name_localizations"] == {"fr": "ouvrir"}
    assert opened["description_localizations"]["fr"].startswith("Ouvrir")


async def test_stopping_restores_nothing_global_and_disconnects(world, bot):
    import discord.http

    assert discord.http.Route.BASE == world.fake.api_base  # the fixture's pointing, untouched by the adapter
    await bot.stop()
    assert not world.fake.hub.connections
