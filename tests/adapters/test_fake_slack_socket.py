"""The fake's Socket Mode on its own: apps.connections.open and the WebSocket, met by the real slack_sdk
SocketModeClient (through slack-bolt's AsyncSocketModeHandler) and by a bare aiohttp client."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from tests.support.fake_slack_world import api_error, fake, people, stage_blocks  # noqa: F401  (fixtures)
from tests.fakes.slack import FakeSlack, SocketSender, events

MODAL = {"type": "modal", "callback_id": "topic", "title": {"type": "plain_text", "text": "Topic"},
         "submit": {"type": "plain_text", "text": "Save"},
         "blocks": [{"type": "input", "block_id": "topic", "label": {"type": "plain_text", "text": "Topic"},
                     "element": {"type": "plain_text_input", "action_id": "topic_input"}}]}


def build_app(fake: FakeSlack, seen: list[Any]) -> AsyncApp:
    app = AsyncApp(client=fake.client(), signing_secret="")  # Socket Mode: nothing is signed

    @app.command("/stage")
    async def stage(ack, command, client):
        if command["text"] == "help":
            await ack("Usage: /stage help")  # the answer rides on the ack
            return
        await ack()
        seen.append(command)
        if command["text"] == "topic":
            await client.views_open(trigger_id=command["trigger_id"], view=MODAL)
        else:
            await client.chat_postMessage(channel=command["channel_id"], text="Stage", blocks=stage_blocks("open"))

    @app.action("raise_hand")
    async def raise_hand(ack, body):
        await ack()
        seen.append(body["actions"][0]["value"])

    @app.view("topic")
    async def topic(ack, view):
        value = view["state"]["values"]["topic"]["topic_input"]["value"]
        if not value.strip():
            await ack(response_action="errors", errors={"topic": "Say something"})
            return
        await ack()
        seen.append(value)

    @app.event("user_huddle_changed")
    async def huddle(event, request):
        seen.append((event["user"]["id"], request.headers.get("x-slack-retry-num", [None])[0]))

    return app


@pytest.fixture
async def connected(fake):
    """A bolt app in Socket Mode, connected to the fake; pings every 0.2 s so that a lost connection shows."""
    seen: list[Any] = []
    handler = AsyncSocketModeHandler(build_app(fake, seen), fake.app_token, ping_interval=0.2)
    await handler.connect_async()
    await fake.socket.wait_open()
    try:
        yield SocketSender(fake), seen
    finally:
        await handler.close_async()
    fake.assert_no_spec_violations()
    assert fake.socket.stray_frames == []


async def test_only_an_app_level_token_opens_a_connection_and_it_opens_nothing_else(fake, people):
    _, _, room = people
    opened = await fake.client(token=fake.app_token).apps_connections_open(app_token=fake.app_token)
    assert opened["url"].startswith(f"ws://127.0.0.1:{fake.port}/link/?ticket=")
    refused = await api_error(fake.client().apps_connections_open(app_token=fake.token))
    assert refused.response["error"] == "not_allowed_token_type"
    unknown = await api_error(fake.client().apps_connections_open(app_token="xapp-1-A0PODIUM1-1-nope"))
    assert unknown.response["error"] == "invalid_auth"
    misused = await api_error(fake.client(token=fake.app_token).chat_postMessage(channel=room.id, text="x"))
    assert misused.response["error"] == "not_allowed_token_type" and fake.messages(room.id) == []


async def test_a_ticket_opens_one_connection_which_starts_with_hello(fake):
    url = (await fake.client().apps_connections_open(app_token=fake.app_token))["url"]
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(url) as ws:
            hello = await ws.receive_json(timeout=3)
            with pytest.raises(aiohttp.WSServerHandshakeError) as again:
                await session.ws_connect(url)
    assert hello["type"] == "hello" and hello["num_connections"] == 1
    assert hello["connection_info"] == {"app_id": fake.bot.app_id} and "host" in hello["debug_info"]
    assert again.value.status == 401 and len(fake.socket.connections) == 1


async def test_a_slash_command_envelope_is_acked_and_its_listener_acts(fake, people, connected):
    alice, _, room = people
    slack, seen = connected
    acked = await slack.slash_command("/stage", "open", user=alice, channel=room)
    assert acked.in_time and acked.response is None and acked.envelope["accepts_response_payload"] is True
    [post] = await fake.wait_for("chat.postMessage", channel=room.id)
    assert post.ok and seen[0]["user_id"] == alice.id and seen[0]["response_url"] in fake.response_urls
    helped = await slack.slash_command("/stage", "help", user=alice, channel=room)
    assert helped.response == {"text": "Usage: /stage help"}


async def test_clicks_submissions_and_events_arrive_as_slack_sends_them(fake, people, connected):
    alice, bob, room = people
    slack, seen = connected
    await slack.slash_command("/stage", "open", user=alice, channel=room)
    await fake.wait_for("chat.postMessage", channel=room.id)
    clicked = await slack.block_action("raise_hand", user=bob, message=fake.messages(room.id)[-1])
    assert clicked.in_time and clicked.envelope["type"] == "interactive"
    await slack.slash_command("/stage", "topic", user=alice, channel=room)
    await fake.wait_for("views.open")
    [modal] = fake.modals(alice.id)
    refused = await slack.view_submission(modal, user=alice, values={"topic_input": " "})
    assert refused.response == {"response_action": "errors", "errors": {"topic": "Say something"}}
    assert not modal.closed
    saved = await slack.view_submission(modal, user=alice, values={"topic_input": "Pricing"})
    assert saved.in_time and modal.closed
    first = await slack.event(events.user_huddle_changed(fake.state, bob, call_id="R0HUDDLE1"))
    again = await slack.retry(first)
    assert (again.payload["event_id"], again.envelope["retry_attempt"]) == (first.payload["event_id"], 1)
    assert first.envelope_id != again.envelope_id and again.in_time
    await _until(lambda: len(seen) == 6, fake)  # two commands, a click, a submission, the event twice
    assert seen[1] == "raise" and seen[3:] == ["Pricing", (bob.id, "0"), (bob.id, "1")]


@pytest.mark.parametrize("end", ["refresh", "drop", "cut"])
async def test_the_client_reconnects_through_apps_connections_open_and_gets_the_next_envelope(
        fake, people, connected, end):
    alice, _, room = people
    slack, seen = connected
    first = await slack.slash_command("/stage", "open", user=alice, channel=room)
    await getattr(fake.socket, end)()
    second = await slack.slash_command("/stage", "open", user=alice, channel=room)
    assert first.in_time and second.in_time and (first.connection, second.connection) == (1, 2)
    assert [c.closed for c in fake.socket.connections] == [True, False]
    assert fake.count("apps.connections.open") == 2 and len(seen) == 2


async def test_an_unacked_envelope_comes_back_without_an_ack(fake, people):
    url = (await fake.client().apps_connections_open(app_token=fake.app_token))["url"]
    alice, _, room = people
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        delivery = await SocketSender(fake, timeout=0.3).slash_command("/stage", "", user=alice, channel=room)
        await ws.receive_json(timeout=1)  # hello
        envelope = await ws.receive_json(timeout=1)
        await ws.send_str(json.dumps({"envelope_id": "not-one-of-ours"}))
        await _until(lambda: fake.socket.stray_frames, fake)
    assert delivery.ack is None and not delivery.in_time and envelope == delivery.envelope


async def _until(condition, fake: FakeSlack, timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not met within {timeout} s; calls {[c.method for c in fake.calls]}"
        await asyncio.sleep(0.01)
