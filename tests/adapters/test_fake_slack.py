"""Tests of the fake Slack itself, driven by the real slack_sdk client and a real slack-bolt AsyncApp."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import jsonschema
import pytest
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack import FakeSlack, SlackSender, events, serve_bolt_app
from tests.fakes.slack.spec import SPEC_PATH
from tests.support.fake_slack_world import api_error, fake, people, stage_blocks  # noqa: F401  (fixtures)

SECRET = "5f1c0ffee0a1b2c3d4e5f60718293a4b"

MODAL = {
    "type": "modal", "callback_id": "stage_settings", "title": {"type": "plain_text", "text": "Stage"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [{"type": "input", "block_id": "topic", "label": {"type": "plain_text", "text": "Topic"},
                "element": {"type": "plain_text_input", "action_id": "topic_input"}}],
}


def build_app(fake: FakeSlack, seen: dict[str, list[Any]]) -> AsyncApp:
    client = AsyncWebClient(token=fake.token, base_url=fake.api_url, retry_handlers=[
        AsyncRateLimitErrorRetryHandler(max_retry_count=1), AsyncServerErrorRetryHandler(max_retry_count=1)])
    app = AsyncApp(signing_secret=SECRET, client=client)

    @app.command("/stage")
    async def stage(ack, command, client, respond):
        await ack()
        seen["commands"].append(command)
        if command["text"] == "settings":
            await client.views_open(trigger_id=command["trigger_id"], view=MODAL)
        elif command["text"] == "help":
            await respond("Usage: /stage [settings|help]")
        else:
            await client.chat_postMessage(channel=command["channel_id"], text="Stage open", blocks=stage_blocks("open"))

    @app.action("raise_hand")
    async def raise_hand(ack, body, client):
        await ack()
        await client.chat_update(channel=body["channel"]["id"], ts=body["message"]["ts"], text="Hand raised",
                                 blocks=stage_blocks(f"<@{body['user']['id']}> raised a hand"))

    @app.action("end_stage")
    async def end_stage(ack, respond):
        await ack()
        await respond(replace_original=True, text="Stage ended")

    @app.view("stage_settings")
    async def settings(ack, view):
        await ack()
        seen["submissions"].append(view["state"]["values"])

    @app.event("user_huddle_changed")
    async def huddle(body, request):
        seen["events"].append((body, request.headers.get("x-slack-retry-num", [None])[0]))

    @app.event({"type": "message", "subtype": "huddle_thread"})
    async def huddle_thread(event):
        seen["huddles"].append(event)

    @app.event({"type": "message", "subtype": "message_changed"})
    async def huddle_edit(event):
        seen["huddles"].append(event)

    @app.event("member_joined_channel")
    async def joined(event):
        seen["joins"].append(event)

    @app.event("app_home_opened")
    async def home(event, client):
        await client.views_publish(user_id=event["user"], view={"type": "home", "blocks": stage_blocks("home")})

    return app


@pytest.fixture
def seen() -> dict[str, list[Any]]:
    return {"commands": [], "submissions": [], "events": [], "huddles": [], "joins": []}


@pytest.fixture
async def slack(fake, seen):
    async with serve_bolt_app(build_app(fake, seen)) as url, SlackSender(url, SECRET, fake) as sender:
        yield sender


async def eventually(condition, timeout: float = 3.0) -> None:
    """Bolt acks first and runs the listener after: wait for what the listener does."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


# ----- the signed sender against a real bolt app

async def test_signed_slash_command_is_acked_and_the_listener_posts_its_blocks(fake, people, slack, seen):
    alice, _, room = people
    response = await slack.slash_command("/stage", "", user=alice, channel=room)
    assert (response.status, response.body) == (200, "")
    assert response.in_time
    [post] = await fake.wait_for("chat.postMessage", channel=room.id)
    assert post.ok and post.args["blocks"][1]["elements"][0]["action_id"] == "raise_hand"
    assert seen["commands"][0]["user_id"] == alice.id
    [message] = fake.messages(room.id)
    assert message.user == fake.bot.id and message.blocks[0]["block_id"]  # Slack fills in block_ids
    assert fake.count("auth.test") == 1  # bolt's single-team authorization, before the listener
    assert post.args["team_id"] == fake.team.id  # bolt's per-request client adds it to every call
    fake.assert_no_spec_violations()


@pytest.mark.parametrize("forge", ["bad_signature", "stale", "missing_headers", "missing_signature"])
async def test_forged_or_replayed_requests_get_401_and_run_no_listener(fake, people, slack, seen, forge):
    alice, _, room = people
    response = await slack.slash_command("/stage", "", user=alice, channel=room, forge=forge)
    assert response.status == 401
    event = await slack.event(events.user_huddle_changed(fake.state, alice, call_id="R0HUDDLE1"), forge=forge)
    assert event.status == 401
    assert seen["commands"] == [] and seen["events"] == []
    assert fake.calls == []


async def test_views_open_takes_the_command_trigger_id_once_within_3_seconds(fake, people, slack, seen):
    alice, _, room = people
    await slack.slash_command("/stage", "settings", user=alice, channel=room)
    [opened] = await fake.wait_for("views.open")
    assert opened.ok and opened.response["view"]["callback_id"] == "stage_settings"
    [modal] = fake.modals(alice.id)
    client = fake.client()
    reused = await api_error(client.views_open(trigger_id=seen["commands"][0]["trigger_id"], view=MODAL))
    assert reused.response["error"] == "exchanged_trigger_id"
    unknown = await api_error(client.views_open(trigger_id="1234.5678.ffff", view=MODAL))
    assert unknown.response["error"] == "invalid_trigger_id"
    late = fake.issue_trigger(alice.id)
    fake.advance(3.5)
    expired = await api_error(client.views_open(trigger_id=late, view=MODAL))
    assert expired.response["error"] == "expired_trigger_id"

    renamed = await client.views_update(view_id=modal.id, hash=modal.hash, view={**MODAL, "title": {
        "type": "plain_text", "text": "Stage settings"}})
    assert renamed["view"]["title"]["text"] == "Stage settings" and renamed["view"]["hash"] == modal.hash
    conflict = await api_error(client.views_update(view_id=modal.id, hash="1.old", view=MODAL))
    assert conflict.response["error"] == "hash_conflict"
    missing = await api_error(client.views_update(view_id="V0NOSUCH", view=MODAL))
    assert missing.response["error"] == "not_found"

    submitted = await slack.view_submission(modal, user=alice, values={"topic_input": "Roadmap"})
    assert submitted.status == 200 and modal.closed
    assert seen["submissions"] == [{"topic": {"topic_input": {"type": "plain_text_input", "value": "Roadmap"}}}]


async def test_a_click_on_the_posted_button_updates_that_message(fake, people, slack):
    alice, bob, room = people
    await slack.slash_command("/stage", "", user=alice, channel=room)
    await fake.wait_for("chat.postMessage")
    [message] = fake.messages(room.id)
    clicked = await slack.block_action("raise_hand", user=bob, message=message)
    assert clicked.status == 200
    await fake.wait_for("chat.update", channel=room.id, ts=message.ts)
    assert fake.count("chat.update", channel=room.id, ts=message.ts) == 1
    assert message.text == "Hand raised" and bob.id in message.blocks[0]["text"]["text"]
    with pytest.raises(LookupError):
        await slack.block_action("lower_hand", user=bob, message=message)  # no such button: Slack can't send it


async def test_respond_posts_to_the_response_url_served_by_the_fake(fake, people, slack):
    alice, _, room = people
    await slack.slash_command("/stage", "help", user=alice, channel=room)
    await eventually(lambda: fake.responses)
    assert fake.responses[0]["text"].startswith("Usage")
    assert [e.user for e in fake.ephemerals] == [alice.id]  # response_type defaults to ephemeral


async def test_replace_original_through_the_response_url_edits_the_clicked_message(fake, people, slack):
    alice, _, room = people
    blocks = [{"type": "actions", "elements": [{"type": "button", "action_id": "end_stage",
                                                "text": {"type": "plain_text", "text": "End"}}]}]
    posted = await fake.client().chat_postMessage(channel=room.id, text="Live", blocks=blocks)
    message = fake.messages(room.id)[0]
    await slack.block_action("end_stage", user=alice, message=message)
    await eventually(lambda: fake.responses)
    assert fake.responses == [{"text": "Stage ended", "replace_original": True}]
    assert (message.ts, message.text) == (posted["ts"], "Stage ended") and message.edited_ts


async def test_a_retried_event_carries_the_same_event_id(fake, people, slack, seen):
    alice, _, _ = people
    first = await slack.event(events.user_huddle_changed(fake.state, alice, call_id="R0HUDDLE1"))
    retried = await slack.retry(first, num=1, reason="http_timeout")
    assert first.status == retried.status == 200
    assert first.in_time
    await eventually(lambda: len(seen["events"]) == 2)
    (body1, retry1), (body2, retry2) = seen["events"]
    assert body1["event_id"] == body2["event_id"] and (retry1, retry2) == (None, "1")
    profile = body1["event"]["user"]["profile"]
    assert (profile["huddle_state"], profile["huddle_state_call_id"]) == ("in_a_huddle", "R0HUDDLE1")
    left = events.user_huddle_changed(fake.state, alice, call_id=None)["user"]["profile"]
    assert left["huddle_state"] == "default_unset" and "huddle_state_call_id" not in left


async def test_huddle_join_and_app_home_events_reach_their_listeners(fake, people, slack, seen):
    alice, bob, room = people
    started = events.huddle_started(fake.state, room, created_by=alice)
    assert (await slack.event(started)).status == 200
    ended = events.huddle_changed(fake.state, room, started["room"]["id"], participants=[alice.id, bob.id],
                                  ended=True)
    assert (await slack.event(ended)).status == 200
    carol = fake.add_user("carol")
    assert (await slack.event(events.member_joined_channel(fake.state, carol, room, inviter=alice))).status == 200
    assert (await slack.event(events.app_home_opened(fake.state, bob))).status == 200
    await fake.wait_for("views.publish", user_id=bob.id)
    assert fake.home_view(bob.id) is not None
    assert [h.get("subtype") for h in seen["huddles"]] == ["huddle_thread", "message_changed"]
    assert seen["huddles"][1]["message"]["room"]["has_ended"] is True
    assert seen["huddles"][1]["message"]["room"]["participant_history"] == [alice.id, bob.id]
    assert seen["joins"][0]["user"] == carol.id and carol.id in room.members


async def test_url_verification_echoes_the_challenge(slack):
    response = await slack.url_verification("c-123")
    assert response.status == 200 and response.json() == {"challenge": "c-123"}


async def test_rate_limit_retry_after_is_honoured_and_the_message_lands_once(fake, people, slack):
    alice, _, room = people
    fake.rate_limit("chat.postMessage", retry_after=1)
    started = time.monotonic()
    await slack.slash_command("/stage", "", user=alice, channel=room)
    await fake.wait_for("chat.postMessage", count=2, timeout=5)
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 200]
    assert time.monotonic() - started >= 1.0
    assert len(fake.messages(room.id)) == 1
