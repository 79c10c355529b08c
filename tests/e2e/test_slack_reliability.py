"""What Slack demands of an app: acks within 3 s, retried events acted on once, 429s waited out, and
forged or replayed requests refused with 401 without changing anything."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.i18n.catalog import render
from bot.i18n.markers import N_
from bot.i18n.message import Message
from tests.support.slack import eventually, slack_world
from tests.fakes.slack import events


async def test_a_retried_event_is_acted_on_once(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as w:
        await w.command("alice", 'open "Once"')
        started = events.huddle_started(w.fake.state, w.room, created_by=w["alice"])
        first = await w.event(started)
        thread = started["ts"]
        await eventually(lambda: w.fake.count("chat.postMessage", thread_ts=thread) == 1, what="thread board")
        retried = await w.slack.retry(first, num=1, reason="http_timeout")
        again = await w.slack.retry(first, num=2, reason="http_error")
        assert retried.status == again.status == 200 and retried.in_time and again.in_time

        joined = events.user_huddle_changed(w.fake.state, w["bob"], call_id=started["room"]["id"])
        delivery = await w.event(joined)
        await w.until_present("bob")
        await w.slack.retry(delivery, num=1)
        await w.settle()
        assert w.fake.count("chat.postMessage", thread_ts=thread) == 1
        log = await w.app.queries.log(await w.stage_id(), (await w.adapter.actor(w["alice"].id)), limit=50)
        joins = [e for e in log if e.message.msgid == N_("{target} joined the room")
                 and e.message.params["target"].user_id == w["bob"].id]
        assert len(joins) == 1


async def test_a_429_is_waited_out_and_nothing_is_dropped(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as w:
        await w.command("alice", 'open "Limits" visibility=public')
        await w.command("alice", "rules must_be_present=off")
        before = len(w.fake.calls_to("chat.update"))
        w.fake.rate_limit("chat.postMessage", retry_after=1)
        w.fake.rate_limit("chat.update", retry_after=1)
        started = time.monotonic()
        await w.command("bob", "raise")  # bob is next: a direct message, limited once
        await w.settle()
        assert time.monotonic() - started >= 1.0
        dms = w.fake.calls_to("chat.postMessage", channel=w["bob"].id)
        assert [c.status for c in dms] == [429, 200]
        assert w.dm_texts("bob") == [render(Message.of(N_("You're next on “{title}”."), title="Limits"), "en")]
        assert [c.status for c in w.fake.calls_to("chat.update")[before:]] == [429, 200]
        assert w["bob"].id in w.board().blocks[5]["text"]["text"]


@pytest.mark.parametrize("forge", ["bad_signature", "missing_signature", "missing_timestamp", "stale"])
async def test_forged_and_replayed_requests_get_401_and_change_nothing(tmp_path: Path, forge: str) -> None:
    async with slack_world(tmp_path) as w:
        opened = await w.slack.slash_command("/stage", 'open "Forged"', user=w["alice"], channel=w.room, forge=forge)
        assert opened.status == 401
        event = await w.slack.event(events.huddle_started(w.fake.state, w.room, created_by=w["alice"]), forge=forge)
        assert event.status == 401
        await w.command("alice", 'open "Real"')
        board = w.board()
        clicked = await w.slack.block_action("podium_next", user=w["alice"], message=board, forge=forge)
        assert clicked.status == 401
        # a real request signed long ago, replayed as it was: refused too
        replay = await w.slack.post(opened.sent_body, opened.sent_headers["Content-Type"],
                                    extra_headers={"X-Slack-Request-Timestamp": str(int(time.time()) - 600)})
        assert replay.status == 401
        await w.settle()
        assert [c.method for c in w.fake.calls if c.method != "auth.test"] == ["users.info", "chat.postMessage"]
        assert [m.blocks[0]["text"]["text"] for m in w.fake.messages(w.room.id) if m.blocks] == ["Real"]


async def test_every_ack_is_in_time_even_when_slack_is_slow(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as w:
        # The work waits 3 s for Slack; the ack cannot wait for its commit, so it waits only until the
        # request is kept in the durable inbox (test_slack_durable_acks.py), well inside Slack's 3 s.
        w.fake.rate_limit("users.info", retry_after=3)
        started = time.monotonic()
        response = await w.slack.slash_command("/stage", 'open "Slow"', user=w["alice"], channel=w.room)
        assert response.status == 200 and response.in_time and response.ack_seconds < 2.8
        hook = w.fake.response_urls[response.payload["response_url"]]
        await eventually(lambda: hook.posts, timeout=10, what="the answer after the wait")
        assert time.monotonic() - started >= 3.0
        assert "Slow" in hook.posts[0]["text"]
