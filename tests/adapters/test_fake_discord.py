"""The fake Discord, driven by the real discord.py 2.7.1 client."""

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

VOICE_PATCH = "PATCH /guilds/{guild_id}/voice-states/{user_id}"
SEND = "POST /channels/{channel_id}/messages"


@pytest.fixture
def world(fake_discord: FakeDiscord) -> SimpleNamespace:
    fake = fake_discord
    guild = fake.add_guild("Podium Guild")
    stage = fake.add_stage_channel(guild, "town-hall")
    text = fake.add_text_channel(guild, "general")
    alice = fake.add_member(guild, "alice").user
    bob = fake.add_member(guild, "bob").user
    fake.member_join_voice(guild, alice, stage)
    return SimpleNamespace(fake=fake, guild=guild, stage=stage, text=text, alice=alice, bob=bob)


@pytest.fixture
async def client(world: SimpleNamespace):
    intents = discord.Intents.default()
    intents.members = True
    bot = discord.Client(intents=intents, guild_ready_timeout=0.05)
    bot.tree = app_commands.CommandTree(bot)
    async with running(bot, world.fake):
        yield bot


async def raw(fake: FakeDiscord, method: str, path: str, *, auth: bool = True, **kw) -> tuple[int, dict, object]:
    headers = {"Authorization": f"Bot {fake.token}"} if auth else {}
    async with aiohttp.ClientSession() as session:
        async with session.request(method, fake.api_base + path, headers=headers, **kw) as resp:
            body = await resp.json(content_type=None) if resp.status != 204 else None
            return resp.status, dict(resp.headers), body


# -- connecting ---------------------------------------------------------------------------


async def test_ready_and_guild_create_fill_the_cache(world, client):
    guild = client.get_guild(world.guild.id)
    assert guild is not None and guild.name == "Podium Guild"
    stage = guild.get_channel(world.stage.id)
    assert isinstance(stage, discord.StageChannel)
    assert {m.name for m in guild.members} == {"owner-of-podium-guild", "Podium", "alice", "bob"}
    alice = guild.get_member(world.alice.id)
    assert alice.voice is not None and alice.voice.channel == stage and alice.voice.suppress is True
    assert guild.me.id == client.user.id == world.fake.store.bot.id
    assert client.application_id == world.fake.store.application_id
    hub = world.fake.hub
    assert hub.identifies == 1 and hub.connect_queries[0]["compress"] == "zlib-stream"
    assert hub.connect_queries[0]["v"] == "10" and hub.connect_queries[0]["encoding"] == "json"


async def test_member_chunks_and_message_content_intent(world, client):
    guild = client.get_guild(world.guild.id)
    members = await guild.chunk()
    assert len(members) == 4
    session = world.fake.hub.sessions[client.ws.session_id]
    assert any(f.get("op") == 8 for f in session.received)

    waiter = client.wait_for("message", timeout=3)
    world.fake.member_send_message(world.text, world.alice, "raise my hand")
    message = await waiter
    assert message.author.id == world.alice.id and message.content == ""  # no MESSAGE_CONTENT intent


async def test_member_event_after_ready_reaches_the_client(world, client):
    waiter = client.wait_for("voice_state_update", check=lambda m, b, a: m.id == world.bob.id, timeout=3)
    world.fake.member_join_voice(world.guild, world.bob, world.stage)
    member, before, after = await waiter
    assert before.channel is None and after.channel.id == world.stage.id and after.suppress
    waiter = client.wait_for("voice_state_update", check=lambda m, b, a: m.id == world.alice.id, timeout=3)
    world.fake.member_request_to_speak(world.guild, world.alice)
    _, _, after = await waiter
    assert after.requested_to_speak_at is not None


# -- REST basics -----------------------------------------------------------------------------


async def test_send_message_answers_json_with_rate_limit_headers(world, client):
    status, headers, body = await raw(world.fake, "POST", f"/channels/{world.text.id}/messages", json={"content": "hi"})
    assert status == 200 and headers["Content-Type"] == "application/json"
    for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Reset-After", "X-RateLimit-Bucket"):
        assert name in headers
    assert body["content"] == "hi" and body["author"]["id"] == str(client.user.id)

    waiter = client.wait_for("message", check=lambda m: m.content == "hello stage", timeout=3)
    sent = await client.get_channel(world.text.id).send("hello stage")
    seen = await waiter
    assert seen.id == sent.id and world.fake.store.messages[sent.id].content == "hello stage"


async def test_typing_and_reactions(world, client):
    channel = client.get_channel(world.text.id)
    async with channel.typing():
        message = await channel.send("raise your hand with a reaction")
    waiter = client.wait_for("raw_reaction_add", timeout=3)
    await message.add_reaction("\N{RAISED HAND}")
    event = await waiter
    assert event.message_id == message.id and str(event.emoji) == "\N{RAISED HAND}"
    fetched = await channel.fetch_message(message.id)
    assert [(str(r.emoji), r.count) for r in fetched.reactions] == [("\N{RAISED HAND}", 1)]
    await message.remove_reaction("\N{RAISED HAND}", client.user)
    assert not world.fake.store.messages[message.id].reactions["\N{RAISED HAND}"]
    assert world.fake.calls("POST /channels/{channel_id}/typing")[0].status == 204


async def test_unknown_route_and_missing_token(world, client):
    status, headers, body = await raw(world.fake, "GET", "/no/such/route")
    assert (status, body) == (404, {"message": "404: Not Found", "code": 0})
    status, _, body = await raw(world.fake, "GET", "/users/@me", auth=False)
    assert status == 401
    status, _, body = await raw(world.fake, "GET", f"/channels/{world.text.id}/messages/pins")  # in the spec, not the fake
    assert status == 404 and world.fake.unimplemented == ["GET /channels/{channel_id}/messages/pins"]
    with pytest.raises(AssertionError, match="unimplemented route"):
        world.fake.assert_no_spec_violations()
    world.fake.unimplemented.clear()
    with pytest.raises(discord.NotFound) as caught:
        await client.http.get_message(world.text.id, 42)
    assert caught.value.code == 10008


async def test_invalid_bodies_are_refused_and_recorded(world, client):
    fake = world.fake
    channel = client.get_channel(world.text.id)
    with pytest.raises(discord.HTTPException) as caught:
        await channel.send("x" * 2001)
    assert caught.value.status == 400 and caught.value.code == 50035
    assert "content" in str(caught.value)
    route = Route("POST", "/channels/{channel_id}/messages", channel_id=world.text.id)
    with pytest.raises(discord.HTTPException) as caught:
        await client.http.request(route, json={"content": "ok", "tts": "loud"})
    assert caught.value.code == 50035
    sources = [(v.route, v.source) for v in fake.spec_violations]
    assert sources == [(SEND, "discord-rule"), (SEND, "openapi-body")]
    assert fake.spec_violations[1].errors == {"tts": {"_errors": [{"code": "BOOLEAN_TYPE_COERCE", "message": 'Value "loud" is not a bool.'}]}}
    with pytest.raises(AssertionError):
        fake.assert_no_spec_violations()
    fake.spec_violations.clear()
    assert not [m for m in fake.store.messages.values() if m.content.startswith("x")]


# -- interactions ----------------------------------------------------------------------------


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


async def test_voice_state_patch_for_a_member_not_in_the_stage_is_refused(world, client):
    bob = client.get_guild(world.guild.id).get_member(world.bob.id)
    with pytest.raises(discord.NotFound) as caught:
        await bob.edit(suppress=False)
    assert caught.value.code == 10065
    with pytest.raises(discord.HTTPException) as caught:
        await client.http.edit_voice_state(world.guild.id, world.alice.id, {"channel_id": world.text.id, "suppress": False})
    assert caught.value.code == 50024


async def test_unsuppressing_a_member_in_the_stage_emits_voice_state_update(world, client):
    alice = client.get_guild(world.guild.id).get_member(world.alice.id)
    waiter = client.wait_for("voice_state_update", check=lambda m, b, a: m.id == alice.id and not a.suppress, timeout=3)
    await alice.edit(suppress=False)
    _, before, after = await waiter
    assert before.suppress and not after.suppress
    assert world.fake.voice_state(world.guild, world.alice).suppress is False
    assert world.fake.calls(VOICE_PATCH)[0].status == 204

    bot_role = next(r for r in world.guild.roles.values() if r.name == "Podium")
    world.fake.set_overwrite(world.stage, bot_role.id, type=0, deny=perms.MUTE_MEMBERS)
    with pytest.raises(discord.Forbidden) as caught:
        await alice.edit(suppress=True)
    assert caught.value.code == 50013


async def test_bot_joins_a_stage_over_the_gateway_and_becomes_speaker(world, client):
    guild = client.get_guild(world.guild.id)
    world.fake.voice_endpoint = "127.0.0.1:9"
    waiter = client.wait_for("voice_state_update", check=lambda m, b, a: m.id == client.user.id, timeout=3)
    await client.ws.voice_state(world.guild.id, world.stage.id, self_deaf=True)
    _, _, after = await waiter
    assert after.channel.id == world.stage.id and after.suppress and after.self_deaf
    sent = world.fake.hub.sessions[client.ws.session_id].buffer
    server = [f for f in sent if f["t"] == "VOICE_SERVER_UPDATE"][-1]["d"]
    assert server == {"token": world.fake.voice_token, "guild_id": str(world.guild.id), "endpoint": "127.0.0.1:9"}
    await guild.me.edit(suppress=False)
    await world.fake.wait_for(lambda: guild.me.voice and not guild.me.voice.suppress)


async def test_member_disconnect_and_channel_settings(world, client):
    guild = client.get_guild(world.guild.id)
    alice = guild.get_member(world.alice.id)
    await alice.move_to(None)
    await world.fake.wait_for(lambda: alice.voice is None)
    assert world.fake.voice_state(world.guild, world.alice) is None
    with pytest.raises(discord.HTTPException) as caught:
        await alice.move_to(None)
    assert caught.value.code == 40032

    stage = guild.get_channel(world.stage.id)
    await stage.edit(user_limit=5)
    await stage.set_permissions(guild.get_member(world.bob.id), request_to_speak=False)
    await world.fake.wait_for(lambda: stage.user_limit == 5 and stage.overwrites)
    assert world.fake.store.channels[world.stage.id].user_limit == 5
    assert not stage.permissions_for(guild.get_member(world.bob.id)).request_to_speak


async def test_stage_instance_create_conflict_and_delete(world, client):
    stage = client.get_guild(world.guild.id).get_channel(world.stage.id)
    instance = await stage.create_instance(topic="Weekly AMA")
    await world.fake.wait_for(lambda: stage.instance is not None)
    assert stage.instance.topic == "Weekly AMA"
    with pytest.raises(discord.HTTPException) as caught:
        await stage.create_instance(topic="again")
    assert caught.value.code == 150006
    with pytest.raises(discord.HTTPException) as caught:
        await client.http.create_stage_instance(channel_id=world.text.id, topic="nope", reason=None)
    assert caught.value.code == 50024
    await instance.delete()
    await world.fake.wait_for(lambda: stage.instance is None)
    assert world.fake.calls("DELETE /stage-instances/{channel_id}")[0].status == 204


async def test_scheduled_stage_event_lifecycle(world, client):
    guild = client.get_guild(world.guild.id)
    stage = guild.get_channel(world.stage.id)
    start = discord.utils.utcnow() + dt.timedelta(hours=1)
    event = await guild.create_scheduled_event(
        name="Town hall", start_time=start, entity_type=discord.EntityType.stage_instance,
        channel=stage, privacy_level=discord.PrivacyLevel.guild_only,
    )
    await world.fake.wait_for(lambda: guild.get_scheduled_event(event.id) is not None)
    assert event.status is discord.EventStatus.scheduled
    event = await event.start()
    assert event.status is discord.EventStatus.active
    await world.fake.wait_for(lambda: stage.instance is not None)
    event = await event.end()
    assert event.status is discord.EventStatus.completed
    with pytest.raises(discord.HTTPException) as caught:
        await event.edit(name="reopen")
    assert caught.value.code == 180000

    with pytest.raises(discord.HTTPException) as caught:
        await guild.create_scheduled_event(
            name="Past", start_time=discord.utils.utcnow() - dt.timedelta(hours=1),
            entity_type=discord.EntityType.stage_instance, channel=stage, privacy_level=discord.PrivacyLevel.guild_only,
        )
    assert caught.value.code == 50035
    world.fake.spec_violations.clear()


async def test_hundred_uncompleted_events_limit(world, client):
    from tests.fakes.discord.guild import ScheduledEvent
    from tests.fakes.discord.models import snowflake

    start = (discord.utils.utcnow() + dt.timedelta(days=1)).isoformat()
    for n in range(100):
        event = ScheduledEvent(snowflake(), world.guild.id, world.fake.store.bot, f"e{n}", 1, start, channel_id=world.stage.id)
        world.guild.events[event.id] = event
    with pytest.raises(discord.HTTPException) as caught:
        await client.get_guild(world.guild.id).create_scheduled_event(
            name="one too many", start_time=discord.utils.utcnow() + dt.timedelta(hours=1),
            entity_type=discord.EntityType.stage_instance, channel=client.get_channel(world.stage.id),
            privacy_level=discord.PrivacyLevel.guild_only,
        )
    assert caught.value.code == 30038


async def test_direct_messages_and_closed_dms(world, client):
    alice = await client.fetch_user(world.alice.id)
    message = await alice.send("your turn soon")
    assert world.fake.store.messages[message.id].content == "your turn soon"
    world.fake.block_dms(world.bob)
    bob = await client.fetch_user(world.bob.id)
    with pytest.raises(discord.Forbidden) as caught:
        await bob.send("hello")
    assert caught.value.code == 50007


# -- rate limits and failures ---------------------------------------------------------------------


async def test_429_is_retried_and_the_action_happens_once(world, client):
    fake = world.fake
    alice = client.get_guild(world.guild.id).get_member(world.alice.id)
    fake.fail_next(VOICE_PATCH, status=429, retry_after=0.2)
    await alice.edit(suppress=False)
    assert [c.status for c in fake.calls(VOICE_PATCH)] == [429, 204]
    refusal = fake.calls(VOICE_PATCH)[0]
    assert refusal.response == {"message": "You are being rate limited.", "retry_after": 0.2, "global": False}

    fake.limit(VOICE_PATCH, count=1, per=0.4, hidden=True)  # a sub-limit the headers do not show
    await alice.edit(suppress=True)
    await alice.edit(suppress=False)
    statuses = [c.status for c in fake.calls(VOICE_PATCH)]
    assert statuses.count(204) == 3 and statuses.count(429) >= 2
    assert fake.voice_state(world.guild, world.alice).suppress is False


async def test_429_headers_match_what_discord_sends(world, client):
    world.fake.limit(SEND, count=1, per=5)
    path = f"/channels/{world.text.id}/messages"
    status, headers, _ = await raw(world.fake, "POST", path, json={"content": "one"})
    assert status == 200 and headers["X-RateLimit-Remaining"] == "0" and headers["X-RateLimit-Limit"] == "1"
    status, headers, body = await raw(world.fake, "POST", path, json={"content": "two"})
    assert status == 429 and headers["Via"] == "1.1 google" and headers["X-RateLimit-Scope"] == "user"
    assert int(headers["Retry-After"]) >= 1 and 0 < body["retry_after"] <= 5 and body["global"] is False


async def test_502_then_success_sends_once(world, client):
    fake = world.fake
    fake.fail_next(SEND, status=502)
    message = await client.get_channel(world.text.id).send("after the outage")
    assert [c.status for c in fake.calls(SEND)] == [502, 200]
    assert [m.id for m in fake.store.messages.values() if m.content == "after the outage"] == [message.id]


# -- gateway outages -----------------------------------------------------------------------------------


async def test_dropped_gateway_resumes_and_replays_missed_events(world, client):
    fake = world.fake
    guild = client.get_guild(world.guild.id)
    resumed = client.wait_for("resumed", timeout=5)
    async with fake.gateway_outage():
        fake.member_join_voice(world.guild, world.bob, world.stage)  # while the bot is away
    await resumed
    await fake.wait_for(lambda: guild.get_member(world.bob.id).voice is not None)
    session = fake.hub.sessions[client.ws.session_id]
    assert fake.hub.identifies == 1 and session.resumes == 1 and session.replayed >= 1
    assert fake.hub.connect_paths[-1] == "/resume-gateway"

    resumed = client.wait_for("resumed", timeout=5)
    await fake.drop_gateway(code=None)  # a transport abort
    await resumed
    assert session.resumes == 2


async def test_unknown_session_is_invalidated_and_the_client_identifies_again(world, client):
    fake = world.fake

    async def identify_now(shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every IDENTIFY but the first."""

    client.before_identify_hook = identify_now
    fake.hub.sessions.clear()
    ready = client.wait_for("ready", timeout=5)
    await fake.drop_gateway()
    await ready
    assert fake.hub.invalid_sessions == 1 and fake.hub.identifies == 2
    assert client.get_guild(world.guild.id).get_member(world.alice.id).voice is not None


async def test_events_follow_the_intents_the_client_asked_for(world):
    intents = discord.Intents.none()
    intents.guilds = True
    narrow = discord.Client(intents=intents, guild_ready_timeout=0.05)
    async with running(narrow, world.fake):
        session = world.fake.hub.sessions[narrow.ws.session_id]
        guild_create = next(f["d"] for f in session.buffer if f["t"] == "GUILD_CREATE")
        assert {m["user"]["username"] for m in guild_create["members"]} == {"Podium", "alice"}  # bot + in voice
        world.fake.member_join_voice(world.guild, world.bob, world.stage)
        world.fake.member_send_message(world.text, world.alice, "hi")
        await narrow.get_channel(world.stage.id).create_instance(topic="Intents")
        await world.fake.wait_for(lambda: any(f["t"] == "STAGE_INSTANCE_CREATE" for f in session.buffer))
        events = {f["t"] for f in session.buffer}
        assert "VOICE_STATE_UPDATE" not in events and "MESSAGE_CREATE" not in events
