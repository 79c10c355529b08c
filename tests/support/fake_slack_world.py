"""The fake Slack workspace the fake's own tests share: the server, two people and a channel."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from tests.fakes.slack import FakeSlack


@pytest.fixture
async def fake():
    async with FakeSlack() as f:
        yield f


@pytest.fixture
def people(fake):
    alice = fake.add_user("alice", is_admin=True, tz="America/New_York", locale="fr-FR")
    bob = fake.add_user("bob")
    room = fake.add_channel("stage", members=[alice.id, bob.id])
    return alice, bob, room



async def api_error(call) -> SlackApiError:
    with pytest.raises(SlackApiError) as refused:
        await call
    return refused.value


def stage_blocks(state: str) -> list[dict[str, Any]]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Stage* {state}"}},
        {"type": "actions", "elements": [{"type": "button", "action_id": "raise_hand", "value": "raise",
                                          "text": {"type": "plain_text", "text": "Raise hand"}}]},
    ]
