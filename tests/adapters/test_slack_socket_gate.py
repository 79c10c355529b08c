"""Socket Mode envelopes go through the same checks as signed HTTP requests (adapters/slack/gate.py): a frame
that is no envelope is dropped with one log line; an envelope whose payload Podium cannot act on (no user, not
an object, an event without its event) is acked, with the localized refusal where Slack shows one, and one log
line; a click or a modal Podium cannot read is refused by its listener as over HTTP. Never a traceback, never
an envelope left to time out, and the socket keeps serving."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.i18n.catalog import render
from bot.i18n.message import Message
from bot.surface.errors import Unreadable
from tests.fakes.slack import events
from tests.fakes.slack.requests import SlackRequests
from tests.support.slack import eventually
from tests.support.slack_socket import SocketWorld, socket_world

FRAMES = ["{garbage", "[]", "not json at all", "\"a string\"", "{}", json.dumps({"type": "slash_commands"}),
          json.dumps({"type": "interactive", "payload": {"type": "block_actions"}}),
          json.dumps({"envelope_id": 5, "type": "events_api", "payload": {}})]


def unreadable(locale: str = "en") -> str:
    return render(Message(Unreadable.message), locale)


def lines(records: list[logging.LogRecord]) -> list[str]:
    """What the log shows of these records, line by line (a traceback is many lines)."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return [line for r in records for line in formatter.format(r).splitlines()]


def without(payload: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k not in keys}


async def still_serving(w: SocketWorld, text: str = "open After the storm", answer: str = "is live") -> None:
    assert answer in await w.command("alice", text)


async def test_frames_that_are_no_envelope_are_dropped_with_one_line_each(tmp_path: Path,
                                                                           caplog: pytest.LogCaptureFixture) -> None:
    async with socket_world(tmp_path, must_be_present=False) as w:
        caplog.set_level(logging.INFO)
        caplog.clear()
        for frame in FRAMES:
            await w.fake.socket.send_raw(frame)
        await still_serving(w)
        shown = [line for line in lines(caplog.records) if "dropped" in line]
        assert len(shown) == len(FRAMES), lines(caplog.records)
        assert not [r for r in caplog.records if r.exc_info], lines(caplog.records)
        assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == len(FRAMES), lines(caplog.records)


async def test_envelopes_podium_cannot_act_on_are_acked_with_a_refusal_and_one_line(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with socket_world(tmp_path, must_be_present=False) as w:
        await w.command("alice", "open Values")
        await eventually(w.boards, timeout=5, what="the board")
        stage_id = await w.stage_id()
        before = await w.app.queries.board(stage_id)
        command = w.slack.slash_command_form("/stage", "close", user=w["alice"], channel=w.room)
        click = w.slack.block_actions("podium_next", user=w["alice"], message=w.board())
        event = w.slack.event_callback(events.member_joined_channel(w.fake.state, w["bob"], w.room))
        answered = [  # what Slack shows the member: the ack's payload
            ("slash_commands", without(command, "user_id")),
            ("slash_commands", {**command, "team_id": ["T1"]}),
            ("interactive", without(click, "user")),
            ("interactive", {**click, "user": "U1"}),
            ("interactive", {**click, "actions": []}),
            ("interactive", {"type": "no_such_kind"}),
        ]
        acked = [("interactive", []), ("interactive", "payload"), ("events_api", {**event, "event": "x"}),
                 ("events_api", None)]
        caplog.set_level(logging.INFO)
        caplog.clear()
        for kind, payload in answered + acked:
            delivery = await w.fake.socket.deliver(kind, payload, accepts_response_payload=kind != "events_api")
            assert delivery.in_time, (kind, payload)
            if (kind, payload) in answered:
                assert delivery.response == {"response_type": "ephemeral", "text": unreadable()}, payload
            else:
                assert not delivery.response, payload
        assert len(lines(caplog.records)) == len(answered) + len(acked), lines(caplog.records)
        assert all("refused" in line for line in lines(caplog.records)), lines(caplog.records)
        assert (await w.app.queries.board(stage_id)).version == before.version
        await still_serving(w, "close", "has ended")


async def test_broken_private_metadata_and_forged_values_are_refused_over_the_socket(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with socket_world(tmp_path, must_be_present=False) as w:
        await w.command("alice", "open Modal")
        await w.click("bob", "podium_raise")
        await eventually(lambda: w.fake.modals(w["bob"].id), what="the modal")
        [modal] = w.fake.modals(w["bob"].id)
        caplog.set_level(logging.INFO)
        caplog.clear()
        for metadata in ("{not json", "[]", json.dumps({"stage": 5}), json.dumps({"stage": "../x"})):
            modal.payload["private_metadata"] = metadata
            payload = SlackRequests.view_submission(w.slack, modal, user=w["bob"], values={})
            delivery = await w.fake.socket.deliver("interactive", payload, accepts_response_payload=True)
            assert delivery.in_time, metadata
        payload = w.slack.block_actions("podium_next", user=w["alice"], message=w.board())
        payload["actions"][0] = {"action_id": "podium_queue_0", "block_id": "q", "type": "overflow",
                                 "selected_option": {"text": {"type": "plain_text", "text": "x"},
                                                     "value": "approve:nothing:U1> <!channel"}}
        hook = payload["response_url"]
        assert (await w.fake.socket.deliver("interactive", payload, accepts_response_payload=True)).in_time
        await eventually(lambda: w.fake.response_urls[hook].posts, what="the refusal")
        assert [p["text"] for p in w.fake.response_urls[hook].posts] == [unreadable()]
        assert (await w.app.queries.roster(await w.stage_id())).hands == ()
        assert not [r for r in caplog.records if r.exc_info], lines(caplog.records)


async def test_a_click_nothing_listens_to_is_answered_not_left_to_time_out(tmp_path: Path,
                                                                            caplog: pytest.LogCaptureFixture) -> None:
    async with socket_world(tmp_path, must_be_present=False) as w:
        await w.command("alice", "open Values")
        await eventually(w.boards, timeout=5, what="the board")
        payload = w.slack.block_actions("podium_next", user=w["alice"], message=w.board())
        payload["actions"][0]["action_id"] = "not_podiums"
        caplog.set_level(logging.INFO)
        caplog.clear()
        delivery = await w.fake.socket.deliver("interactive", payload, accepts_response_payload=True)
        assert delivery.in_time
        hook = w.fake.response_urls[payload["response_url"]]
        await eventually(lambda: hook.posts, what="the refusal")
        assert [p["text"] for p in hook.posts] == [unreadable()]
        assert len(lines(caplog.records)) <= 1, lines(caplog.records)
