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
from tests.support.fake_discord_world import client, raw, world  # noqa: F401  (fixtures)

VOICE_PATCH = "PATCH /guilds/{guild_id}/voice-states/{user_id}"
SEND = "POST /channels/{channel_id}/messages"


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


async def test_embeds_over_a_field_value_of_1024_or_6000_in_all_are_refused_on_send_and_edit(world, client):
    fake, channel = world.fake, client.get_channel(world.text.id)

    def embed(value: int, more: int = 0) -> discord.Embed:  # 10 + 4,000 + 10 + value (+ 10 + more)
        made = discord.Embed(title="t" * 10, description="d" * 4000).add_field(name="n" * 10, value="v" * value)
        return made.add_field(name="m" * 10, value="w" * more) if more else made

    sent = await channel.send(embed=embed(1024))
    await sent.edit(embed=embed(1024, more=946))  # 6,000 in all
    with pytest.raises(discord.HTTPException) as too_long:
        await channel.send(embed=embed(1025))
    with pytest.raises(discord.HTTPException) as too_big:
        await sent.edit(embed=embed(1024, more=947))
    assert (too_long.value.code, too_big.value.code) == (50035, 50035)
    assert "fields.0.value" in str(too_long.value) and "6000" in str(too_big.value)
    assert [v.source for v in fake.spec_violations] == ["openapi-body", "discord-rule"]
    fake.spec_violations.clear()
    assert len(fake.store.messages[sent.id].embeds[0]["fields"][1]["value"]) == 946


# -- interactions ----------------------------------------------------------------------------


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
