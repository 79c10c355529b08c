"""The fake Discord's interactions (commands, buttons, modals, autocomplete), driven by the real discord.py client."""

from __future__ import annotations

import asyncio
import datetime as dt
from types import SimpleNamespace

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.http import Route

from tests.fakes.discord import FakeDiscord, running
from tests.fakes.discord import permissions as perms
from tests.support.fake_discord_world import client, raw, world  # noqa: F401  (fixtures)

VOICE_PATCH = "PATCH /guilds/{guild_id}/voice-states/{user_id}"
SEND = "POST /channels/{channel_id}/messages"


async def test_slash_command_reaches_the_tree_and_second_answer_is_refused(world, client):
    fake = world.fake
    outcome: dict[str, object] = {}
    group = app_commands.Group(name="stage", description="Stage controls")

    @group.command(name="open", description="Open the stage")
    async def open_stage(interaction: discord.Interaction, topic: str, speakers: int = 3) -> None:
        outcome["args"] = (topic, speakers, interaction.user.id, interaction.channel_id, interaction.locale)
        await interaction.response.send_message(f"opened {topic}")
        try:
            await interaction.response.send_message("again")
        except discord.InteractionResponded:
            outcome["local_refusal"] = True
        await interaction.followup.send("followup", ephemeral=True)

    client.tree.add_command(group, guild=discord.Object(world.guild.id))
    synced = await client.tree.sync(guild=discord.Object(world.guild.id))
    assert [c.name for c in synced] == ["stage"]

    record = fake.run_slash_command(world.guild, world.text, world.alice, "stage", "open", options={"topic": "AMA"}, locale="fr")
    response = await fake.wait_response(record)
    assert response.type == 4 and response.data["content"] == "opened AMA" and response.delay < 3.0
    assert outcome["args"] == ("AMA", 3, world.alice.id, world.text.id, discord.Locale.french)
    await fake.wait_for(lambda: record.followups)
    assert outcome["local_refusal"] is True and record.followups[0].flags & 64
    assert record.original.content == "opened AMA" and record.original.interaction_metadata["name"] == "stage"

    path = f"/interactions/{record.id}/{record.token}/callback"
    status, _, body = await raw(fake, "POST", path, auth=False, json={"type": 4, "data": {"content": "late"}})
    assert (status, body["code"]) == (400, 40060)
    status, _, body = await raw(fake, "POST", f"/interactions/{record.id}/wrong-token/callback", auth=False, json={"type": 6})
    assert (status, body["code"]) == (404, 10062)
    with pytest.raises(LookupError):
        fake.run_slash_command(world.guild, world.text, world.alice, "unregistered")


async def test_deferred_answer_then_edited_original(world, client):
    @client.tree.command(name="queue", description="Show the hand queue")
    async def queue(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.edit_original_response(content="1. alice")

    await client.tree.sync()
    record = world.fake.run_slash_command(world.guild, world.text, world.bob, "queue")
    assert (await world.fake.wait_response(record)).type == 5
    await world.fake.wait_for(lambda: record.original is not None and record.original.content == "1. alice")
    assert not record.original.flags & 128  # no longer "thinking"


async def test_callback_status_codes_without_a_client(fake_discord):
    fake = fake_discord
    guild = fake.add_guild()
    text = fake.add_text_channel(guild)
    carol = fake.add_member(guild, "carol").user
    app = fake.store.application_id
    status, _, _ = await raw(fake, "PUT", f"/applications/{app}/commands", json=[{"name": "hand", "description": "Raise"}])
    assert status == 200

    first = fake.run_slash_command(guild, text, carol, "hand")
    path = f"/interactions/{first.id}/{first.token}/callback"
    status, headers, body = await raw(fake, "POST", path, auth=False, json={"type": 5})
    assert (status, body) == (204, None) and "X-RateLimit-Bucket" in headers
    status, _, body = await raw(fake, "POST", path, auth=False, json={"type": 4, "data": {"content": "x"}})
    assert (status, body["code"]) == (400, 40060)
    status, _, body = await raw(fake, "PATCH", f"/webhooks/{app}/{first.token}/messages/@original", json={"content": "done"})
    assert status == 200 and body["content"] == "done" and body["interaction_metadata"]["id"] == str(first.id)

    second = fake.run_slash_command(guild, text, carol, "hand")
    path = f"/interactions/{second.id}/{second.token}/callback?with_response=true"
    status, _, body = await raw(fake, "POST", path, auth=False, json={"type": 8, "data": {"choices": []}})
    assert (status, body["code"]) == (400, 50035)
    status, _, body = await raw(fake, "POST", path, auth=False, json={"type": 4, "data": {"content": "up", "flags": 64}})
    assert status == 200 and body["interaction"]["response_message_ephemeral"] is True
    assert body["resource"]["type"] == 4 and body["resource"]["message"]["content"] == "up"
    status, _, body = await raw(fake, "POST", f"/webhooks/{app}/unknown-token?wait=true", json={"content": "x"})
    assert (status, body["code"]) == (404, 10015)
    fake.spec_violations.clear()  # the type-8 answer above was wrong on purpose


async def test_an_answer_after_three_seconds_is_unknown(world, client):
    fake = world.fake
    fake.interactions.timeout = 0.2  # the 3 s rule, shortened for the test
    errors: list[Exception] = []

    @client.tree.command(name="slow", description="Answers late")
    async def slow(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.3)
        await interaction.response.send_message("too late")

    @client.tree.error
    async def on_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        errors.append(error.original if isinstance(error, app_commands.CommandInvokeError) else error)

    await client.tree.sync()
    record = fake.run_slash_command(world.guild, world.text, world.bob, "slow")
    await fake.wait_for(lambda: record.refused or errors)
    await fake.wait_for(lambda: errors)
    assert isinstance(errors[0], discord.NotFound) and errors[0].code == 10062
    assert not record.acked and record.refused[0].delay > 0.2


async def test_button_opens_a_modal_whose_submission_reaches_the_bot(world, client):
    fake = world.fake
    got: list[str] = []

    class Question(discord.ui.Modal, title="Ask a question"):
        text = discord.ui.TextInput(label="Question", custom_id="question")

        async def on_submit(self, interaction: discord.Interaction) -> None:
            got.append(self.text.value)
            await interaction.response.send_message("queued", ephemeral=True)

    class Hand(discord.ui.View):
        @discord.ui.button(label="Ask", custom_id="ask")
        async def ask(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
            await interaction.response.send_modal(Question())

        @discord.ui.button(label="Lower", custom_id="lower")
        async def lower(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
            button.disabled = True
            await interaction.response.edit_message(content="hand lowered", view=self)

    message = await client.get_channel(world.text.id).send("Questions?", view=Hand())
    stored = fake.store.messages[message.id]
    press = fake.press_button(stored, "ask", world.bob)
    assert (await fake.wait_response(press)).type == 9
    submit = fake.submit_modal(press, {"question": "Why?"})
    assert (await fake.wait_response(submit)).type == 4
    assert got == ["Why?"] and submit.original.flags & 64
    with pytest.raises(LookupError):
        fake.press_button(stored, "no-such-button", world.bob)

    waiter = client.wait_for("raw_message_edit", timeout=3)
    lower = fake.press_button(stored, "lower", world.bob)
    assert (await fake.wait_response(lower)).type == 7
    assert (await waiter).message_id == message.id
    assert stored.content == "hand lowered"
    with pytest.raises(PermissionError):
        fake.press_button(stored, "lower", world.bob)  # now disabled


async def test_autocomplete_choices_are_recorded(world, client):
    @client.tree.command(name="topic", description="Pick a topic")
    async def topic(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(name)

    @topic.autocomplete("name")
    async def suggest(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=t, value=t) for t in ("rust", "python", "ruby") if t.startswith(current)]

    await client.tree.sync()
    record = world.fake.autocomplete(world.guild, world.text, world.bob, "topic", options={"name": "ru"}, focused="name")
    assert (await world.fake.wait_response(record)).type == 8
    assert [c["value"] for c in record.choices] == ["rust", "ruby"]


# -- voice and stages --------------------------------------------------------------------------
