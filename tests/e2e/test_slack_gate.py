"""Requests as an attacker sends them to Podium's Request URL: authenticated before they are read.

A bad or missing signature is 401 with nothing parsed and one log line; a signed body that cannot be read or
lacks who acted is a 200 with a localized refusal (never a timeout, 404 or 500); a flood of either leaves
the log at one line per request.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.i18n.catalog import render
from bot.i18n.message import Message
from bot.surface.errors import Unreadable
from tests.support.slack import World, eventually, slack_world

FORM, JSON = "application/x-www-form-urlencoded", "application/json"
GARBAGE: list[tuple[bytes, str]] = [
    (b"{garbage", JSON),
    (b"payload={not json", FORM),
    (b"[]", JSON),
    (b"\xff\xfe\x00payload=\xc3(", FORM),
    (b"payload=" + json.dumps({"type": "block_actions"}).encode(), FORM),  # no user, no team
    (b"payload=" + json.dumps({"type": "view_submission", "user": {"id": "U1"}}).encode(), FORM),
    (b"command=%2Fstage&text=open", FORM),  # a slash command with nobody typing it
    (b"payload=%5B%5D", FORM),
    (b"a=1&&&b", FORM),
    (b"", FORM),
]


def unreadable(locale: str = "en") -> str:
    return render(Message(Unreadable.message), locale)


def lines(records: list[logging.LogRecord]) -> list[str]:
    """What the log shows of these records, line by line (a traceback is many lines)."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return [line for r in records for line in formatter.format(r).splitlines()]


@pytest.mark.parametrize("forge", ["bad_signature", "missing_signature", "missing_timestamp", "stale"])
async def test_a_wrongly_signed_request_is_refused_before_it_is_read(tmp_path: Path, forge: str,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    async with slack_world(tmp_path) as w:
        caplog.set_level(logging.INFO)
        caplog.clear()
        for body, kind in GARBAGE:
            response = await w.slack.post(body, kind, forge=forge)
            assert (response.status, response.body) == (401, ""), body
        # A well-formed slash command, wrongly signed, is not run either.
        opened = await w.slack.slash_command("/stage", "open Hijack", user=w["alice"], channel=w.room, forge=forge)
        assert opened.status == 401
        assert not await w.app.queries.live_stages("slack")
        assert len(lines(caplog.records)) == len(GARBAGE) + 1, lines(caplog.records)
        assert all("unsigned or wrongly signed" in r.getMessage() for r in caplog.records)


async def test_a_signed_body_that_cannot_be_read_gets_a_localized_refusal(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with slack_world(tmp_path, default_locale="fr") as w:
        caplog.set_level(logging.INFO)
        caplog.clear()
        for body, kind in GARBAGE:
            response = await w.slack.post(body, kind)
            assert response.status == 200 and response.in_time, (body, response.status)
            assert response.json() == {"response_type": "ephemeral", "text": unreadable("fr")}, body
        assert unreadable("fr") != unreadable("en")
        assert len(lines(caplog.records)) == len(GARBAGE), lines(caplog.records)


async def test_a_flood_of_malformed_bodies_leaves_one_log_line_each(tmp_path: Path,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    async with slack_world(tmp_path) as w:
        caplog.set_level(logging.INFO)
        caplog.clear()
        statuses: list[int] = []
        for n in range(100):
            body, kind = GARBAGE[n % len(GARBAGE)]
            for forge in (None, "bad_signature"):  # signed but malformed, then wrongly signed
                seen = len(lines(caplog.records))
                statuses.append((await w.slack.post(body, kind, forge=forge)).status)
                assert len(lines(caplog.records)) == seen + 1, (body, forge, lines(caplog.records)[seen:])
        assert statuses.count(200) == statuses.count(401) == 100
        assert len(lines(caplog.records)) == 200
        assert sum(len(r.getMessage()) for r in caplog.records) < 200 * 160  # short lines, no tracebacks


# ---- signed, well formed, but saying what Podium never wrote

async def interactive(w: World, payload: dict[str, Any]) -> Any:
    return await w.slack.post(urlencode({"payload": json.dumps(payload)}), FORM, payload=payload)


async def answered(w: World, response: Any) -> str:
    """The ephemeral the member got on the click's response_url."""
    assert response.status == 200 and response.in_time, (response.status, response.body)
    hook = w.fake.response_urls[response.payload["response_url"]]
    await eventually(lambda: hook.posts, what="an answer")
    await w.settle()
    return "\n".join(p["text"] for p in hook.posts)


@pytest.mark.parametrize("action_id, value", [
    ("podium_audience_0", "no-colon"),
    ("podium_next", ""),
    ("podium_lower", "x" * 300),
])
async def test_a_forged_button_value_is_refused_and_changes_nothing(tmp_path: Path, action_id: str,
                                                                   value: str) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await w.command("alice", "open Values")
        await w.command("bob", "raise")
        before = await w.app.queries.board(await w.stage_id())
        payload = w.slack.block_actions("podium_next", user=w["alice"], message=w.board())
        payload["actions"][0].update(action_id=action_id, value=value)
        text = await answered(w, await interactive(w, payload))
        assert text == unreadable()
        assert (await w.app.queries.board(await w.stage_id())).version == before.version


async def test_a_forged_select_value_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await w.command("alice", "open Values")
        await w.command("bob", "raise")
        stage_id = await w.stage_id()
        for forged in ("approve", f"approve:{stage_id}", f"approve:{stage_id}:U1> <!channel", f"shout:{stage_id}:U1"):
            payload = w.slack.block_actions("podium_next", user=w["alice"], message=w.board())
            payload["actions"][0] = {"action_id": "podium_queue_0", "block_id": "q", "type": "overflow",
                                     "selected_option": {"text": {"type": "plain_text", "text": "x"},
                                                         "value": forged}}
            text = await answered(w, await interactive(w, payload))
            assert text == unreadable(), forged
        assert (await w.app.queries.roster(stage_id)).hands == (w["bob"].id,)
        assert not [m for m in w.fake.messages(w.room.id) if "<!channel>" in (m.text or "")]


async def test_an_unknown_button_is_answered_not_left_to_time_out(tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    async with slack_world(tmp_path) as w:
        await w.command("alice", "open Values")
        caplog.set_level(logging.INFO)
        caplog.clear()
        payload = w.slack.block_actions("podium_next", user=w["alice"], message=w.board())
        payload["actions"][0]["action_id"] = "not_podiums"
        assert await answered(w, await interactive(w, payload)) == unreadable()
        assert len(lines(caplog.records)) <= 1, lines(caplog.records)


async def test_a_broken_private_metadata_is_refused(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await w.command("alice", "open Modal")
        await w.click("bob", "podium_raise")
        await eventually(lambda: w.fake.modals(w["bob"].id), what="the modal")
        [modal] = w.fake.modals(w["bob"].id)
        for metadata in ("{not json", "[]", json.dumps({"stage": 5}), json.dumps({"stage": "../x"})):
            modal.payload["private_metadata"] = metadata
            submitted = await w.slack.view_submission(modal, user=w["bob"], values={})
            assert submitted.status == 200 and submitted.in_time, (metadata, submitted.status)
            await w.settle()
        assert (await w.app.queries.roster(await w.stage_id())).hands == ()
        refusals = [e.text for e in w.fake.ephemerals if e.user == w["bob"].id] + w.dm_texts("bob")
        assert refusals.count(unreadable()) == 4, refusals
