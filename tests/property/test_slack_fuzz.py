"""Slack request bodies fuzzed through the real bolt app behind Podium's gate, against the fake Slack.

Whatever arrives: no HTTP 500 and no 404, an answer within Slack's 3 seconds, nothing logged as an error;
an unsigned body is 401 and changes nothing; a signed body that is not a request Podium can act on is a 200
and changes nothing. Signed, well-formed commands from real members may change the stage: that is their right.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from tests.support.running import Running
from tests.support.slack import World, slack_world
from tests.support.stages import counts

FORM, JSON = "application/x-www-form-urlencoded", "application/json"
ACTIONS = ["podium_raise", "podium_raise_0", "podium_lower", "podium_next", "podium_audience_0", "podium_queue_0",
           "podium_going", "podium_not_going", "podium_raise_modal", "home_refresh"]
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                         max_size=4), max_leaves=12)
texts = st.text(max_size=40) | st.sampled_from(["", ":", "a:b", "approve:x:U1> <!channel", "\x00", "{", "U0NOPE"])


@pytest.fixture(scope="module")
def slack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    running = Running(slack_world(tmp_path_factory.mktemp("slack-fuzz"), rules={"must_be_present": False}))
    w: World = running.world
    running.call(w.command("alice", "open Fuzz"))
    running.call(w.command("bob", "raise"))
    yield running
    running.close()
    assert not running.errors.records, "\n".join(running.errors.lines())


async def _click(w: World, user: str, action_id: str, value: Any, selected: Any, extra: dict[str, Any]) -> Any:
    payload = w.slack.block_actions("podium_next", user=w[user], message=w.board())
    action = payload["actions"][0]
    action.update(action_id=action_id, value=value)
    if selected is not None:
        action["selected_option"] = selected
    payload.update(extra)
    return payload


@st.composite
def bodies(draw: st.DrawFn) -> tuple[str, Any]:
    """(kind, what to send): raw bytes, arbitrary JSON, a mangled click, a mangled form, a typed command."""
    kind = draw(st.sampled_from(["bytes", "json", "click", "form", "command"]))
    if kind == "bytes":
        return kind, (draw(st.binary(max_size=120)), draw(st.sampled_from([FORM, JSON, "text/plain"])))
    if kind == "json":
        return kind, (json.dumps(draw(json_values)), draw(st.sampled_from([FORM, JSON])))
    if kind == "click":
        return kind, (draw(st.sampled_from(["alice", "bob", "carol"])), draw(st.sampled_from(ACTIONS) | texts),
                      draw(texts | json_values), draw(st.none() | st.fixed_dictionaries({"value": texts})),
                      draw(st.dictionaries(st.sampled_from(["user", "team", "channel", "message", "view",
                                                             "container", "type"]), json_values, max_size=2)))
    if kind == "form":
        return kind, (urlencode(draw(st.dictionaries(st.sampled_from(["command", "text", "user_id", "team_id",
                                                                      "channel_id", "payload", "x"]),
                                                     texts, max_size=5))), FORM)
    return kind, (draw(st.sampled_from(["alice", "bob", "dave", "erin"])), draw(texts))


@given(body=bodies(), signed=st.booleans())
def test_fuzzed_slack_requests_never_crash_and_refusals_change_nothing(slack: Running, body: tuple[str, Any],
                                                                       signed: bool) -> None:
    w: World = slack.world
    kind, what = body
    before = counts(w.app.db.engine)
    forge = None if signed else "bad_signature"
    if kind == "click":
        user, action_id, value, selected, extra = what
        payload = slack.call(_click(w, user, action_id, copy.deepcopy(value), selected, extra))
        response = slack.call(w.slack.post(urlencode({"payload": json.dumps(payload)}), FORM, payload=payload,
                                           forge=forge))
    elif kind == "command":
        user, text = what
        form = slack.call(_form(w, user, text))
        response = slack.call(w.slack.post(urlencode(form), FORM, payload=form, forge=forge))
    else:
        data, content_type = what
        response = slack.call(w.slack.post(data, content_type, forge=forge))
    slack.call(w.settle())
    note(f"{kind} signed={signed} -> {response.status} {response.body[:200]!r}")
    slack.examples += 1
    assert response.status in (200, 401), response.status
    assert response.in_time, response.ack_seconds
    assert not slack.errors.records, "\n".join(slack.errors.lines())
    if not signed:
        assert response.status == 401
    if response.status == 401 or kind in ("bytes", "json", "form"):
        assert counts(w.app.db.engine) == before


async def _form(w: World, user: str, text: str) -> dict[str, str]:
    return w.slack.slash_command_form("/stage", text, user=w[user], channel=w.room)
