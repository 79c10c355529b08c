"""The Slack adapter in Socket Mode, served as `podium run` serves it with SLACK_APP_TOKEN and no signing
secret: `serve()` connects the real bolt app, through slack_sdk's SocketModeClient, to the fake's WebSocket;
the same commands, clicks and events as in HTTP mode arrive as envelopes, and Slack's reconnects are survived."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from adapters.slack.blocks import NOTE_INPUT
from adapters.slack.service import SlackTokenRefused, serve
from adapters.slack.settings import SlackSettings
from bot.bootstrap import build
from bot.clock import ManualClock
from bot.config import Settings
from bot.i18n.catalog import render
from bot.i18n.markers import N_
from bot.i18n.message import Message as Text
from tests.support.slack import blocks_text, eventually
from tests.support.slack_socket import socket_world
from tests.fakes.slack import FakeSlack, Message, events


def say(msgid: str, locale: str = "en", **params: object) -> str:
    return render(Text(msgid, params), locale, mention=lambda u: f"<@{u}>")


@pytest.fixture(autouse=True)
def no_warnings_logged(caplog: pytest.LogCaptureFixture):
    """bolt, slack_sdk and the adapter log what they could not handle; none of it may happen here."""
    caplog.set_level(logging.WARNING)
    yield
    problems = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.WARNING]
    assert problems == []


async def test_open_and_raise_over_the_socket_post_the_board_and_queue_the_hand(tmp_path: Path) -> None:
    async with socket_world(tmp_path, must_be_present=False) as w:
        checked, opened = w.fake.calls_to("apps.connections.open")  # the token checked at start, then the socket
        assert checked.ok and opened.ok and opened.http_verb == "POST"
        opened_answer = await w.command("alice", 'open "Town hall"')
        assert opened_answer.startswith(say(N_("Stage “{title}” is live."), title="Town hall"))
        [post] = await w.fake.wait_for("chat.postMessage", channel=w.room.id)
        assert post.ok and "Town hall" in blocks_text(post.args["blocks"])
        answer = await w.command("bob", "raise")
        assert answer == say(N_("Hand raised, you are #{position}."), position=1)
        assert await w.hands() == (w["bob"].id,)
        await eventually(lambda: w["bob"].id in blocks_text(w.board().blocks), timeout=5, what="the board edit")
        assert len(w.fake.socket.connections) == 1 and all(d.in_time for d in w.fake.socket.deliveries)


async def test_board_buttons_raise_with_the_modal_and_lower_the_hand(tmp_path: Path) -> None:
    async with socket_world(tmp_path, must_be_present=False) as w:
        await w.command("alice", 'open "Buttons"')
        await w.fake.wait_for("chat.postMessage", channel=w.room.id)
        await w.click("bob", "podium_raise")
        await eventually(lambda: w.fake.modals(w["bob"].id), what="the raise-hand modal")
        [modal] = w.fake.modals(w["bob"].id)
        submitted = await w.slack.view_submission(modal, user=w["bob"], values={NOTE_INPUT: "about pricing"})
        assert submitted.in_time and modal.closed
        await w.until_hands("bob")
        await eventually(lambda: [e.text for e in w.fake.ephemerals if e.user == w["bob"].id] == [
            say(N_("Hand raised, you are #{position}."), position=1)], what="bob's answer")
        lowered = await w.click("bob", "podium_lower")
        assert await w.answer(lowered, "Lower hand") == say(N_("Hand lowered."))
        assert await w.hands() == ()


async def test_a_refusal_is_answered_ephemerally_in_the_members_language_and_changes_nothing(
        tmp_path: Path) -> None:
    async with socket_world(tmp_path, must_be_present=False) as w:
        await w.command("carol", 'open "Mine"')
        await w.command("bob", "raise")
        before = await w.app.queries.board(await w.stage_id())
        refused = await w.command("dave", "close")  # dave reads Slack in French
        assert refused == say(N_("Only the host and moderators can do that."), "fr") != say(
            N_("Only the host and moderators can do that."))
        after = await w.app.queries.board(await w.stage_id())
        assert after.version == before.version and await w.hands() == (w["bob"].id,)


async def test_after_a_refresh_and_a_dropped_connection_commands_still_act_once(tmp_path: Path) -> None:
    async with socket_world(tmp_path, must_be_present=False) as w:
        await w.command("alice", 'open "Through it all"')
        await w.fake.socket.refresh()  # {"type": "disconnect", "reason": "refresh_requested"}
        assert await w.command("bob", "raise") == say(N_("Hand raised, you are #{position}."), position=1)
        await w.fake.socket.drop()  # closed by Slack without a word
        assert await w.command("carol", "raise") == say(N_("Hand raised, you are #{position}."), position=2)
        assert await w.hands() == (w["bob"].id, w["carol"].id)
        opened = w.fake.calls_to("apps.connections.open")[1:]  # after the token's check at start
        assert len(opened) == len(w.fake.socket.connections) == 3 and all(c.ok for c in opened)
        assert [d.connection for d in w.fake.socket.deliveries] == [1, 2, 3]
        assert w.fake.count("chat.postMessage", channel=w.room.id) == 1  # one board, edited


async def test_huddle_events_over_the_socket_make_members_present_and_a_redelivery_acts_once(
        tmp_path: Path) -> None:
    async with socket_world(tmp_path) as w:  # must_be_present: only members in the huddle raise hands
        await w.command("alice", 'open "Huddle"')  # the huddle starts while the new board may still be posting
        started = events.huddle_started(w.fake.state, w.room, created_by=w["alice"])
        huddle = started["room"]["id"]
        first = await w.slack.event(started)
        thread = started["ts"]
        await w.fake.wait_for("chat.postMessage", thread_ts=thread)  # the board, again in the huddle's thread
        await w.slack.event(events.user_huddle_changed(w.fake.state, w["bob"], call_id=huddle))
        await w.slack.event(events.huddle_changed(w.fake.state, w.room, huddle,
                                                  participants=[w["alice"].id, w["bob"].id]))
        await w.until_present("alice", "bob")
        assert await w.command("bob", "raise") == say(N_("Hand raised, you are #{position}."), position=1)
        assert await w.command("frank", "raise") == say(N_("Join the audio room before raising your hand."))
        again = await w.slack.retry(first)  # Slack saw no ack for the first delivery
        assert again.in_time and again.payload["event_id"] == first.payload["event_id"]
        await w.command("alice", "status")  # once answered, the retry's listener would long have run
        assert w.fake.count("chat.postMessage", thread_ts=thread) == 1 and await w.hands() == (w["bob"].id,)


async def test_app_home_opened_over_the_socket_publishes_the_members_home(tmp_path: Path) -> None:
    async with socket_world(tmp_path, must_be_present=False) as w:
        await w.command("alice", 'open "At home"')
        await w.command("bob", "raise")
        delivery = await w.slack.event(events.app_home_opened(w.fake.state, w["bob"]))
        assert delivery.in_time and delivery.envelope["type"] == "events_api"
        await eventually(lambda: w.fake.home_view(w["bob"].id) is not None, what="bob's home")
        assert "At home" in blocks_text(w.fake.home_view(w["bob"].id).payload["blocks"])


@pytest.mark.parametrize(("tokens", "named", "error"), [
    ({"app_token": "bot"}, "SLACK_APP_TOKEN", "not_allowed_token_type"),  # the bot token in its place
    ({"bot_token": "xoxb-0000000001-not-this-one"}, "SLACK_BOT_TOKEN", "invalid_auth"),
])
async def test_a_token_slack_refuses_stops_the_adapter_at_once_and_names_it(
        tmp_path: Path, tokens: dict[str, str], named: str, error: str) -> None:
    async with FakeSlack() as fake:
        values = {"bot_token": fake.token, "app_token": fake.app_token, **tokens}
        if values["app_token"] == "bot":
            values["app_token"] = fake.token
        own = SlackSettings(_env_file=None, api_url=fake.api_url, **values)
        app = build(Settings(_env_file=None), clock=ManualClock(), database_url=f"sqlite:///{tmp_path / 'podium.db'}")
        await app.start()
        try:
            with pytest.raises(SlackTokenRefused) as refused:
                await asyncio.wait_for(serve(app, own, asyncio.Event()), 5)
        finally:
            await app.stop()
        assert refused.value.variable == named
        assert refused.value.lines()[0].endswith(f": is refused by Slack ({error})")
        assert fake.socket.connections == [] and "slack" not in app.platforms


async def test_slack_in_trouble_at_start_is_no_refusal_the_adapter_serves(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    def trouble(fake: FakeSlack) -> None:
        fake.faults.fail_next("auth.test", status=503, times=3)  # more than the client retries by itself

    async with socket_world(tmp_path, prepare=trouble, must_be_present=False) as w:
        assert (await w.command("alice", 'open "Anyway"')).startswith(say(N_("Stage “{title}” is live."),
                                                                          title="Anyway"))
    [warning] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warning == "slack: could not check SLACK_BOT_TOKEN (service_unavailable, HTTP 503); starting anyway"
    caplog.clear()  # the one warning expected here
