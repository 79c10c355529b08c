"""The Slack board within Block Kit's limits: a text object holds at most 3,000 characters and a message 50
blocks; Slack refuses a whole message over either (invalid_blocks), so a board over one is never updated again.
The core bounds titles (100), topics (120) and notes (100); speakers beyond ten and hands beyond the board's
lines are counted, not listed; the moderators are the one list without a bound."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.slack.blocks import board_blocks
from adapters.slack.text import sayer
from bot.domain.rules import Rules
from bot.ports import Board, QueueLine, SpeakerLine, StageRef
from tests.fakes.slack.blockkit import MAX_MESSAGE_BLOCKS, check_blocks
from tests.support.slack import blocks_text, eventually, slack_world

NOW = datetime(2026, 12, 4, tzinfo=UTC)


def busy_board(*, moderators: int) -> Board:
    ids = [f"U{n:010d}" for n in range(max(moderators, 100))]
    return Board(
        ref=StageRef("s1", "slack", "T1", "C1", "&" * 100), state="live", topic="<&>" * 40, host_id=ids[0],
        visibility="public", capacity=0, hands_locked=True, rules=Rules(max_speakers=100, record=True),
        speakers=tuple(SpeakerLine(i, NOW, 600) for i in ids[:100]),
        queue=tuple(QueueLine(n + 1, i, "&" * 100, False) for n, i in enumerate(ids[:10])), queue_length=5000,
        present_count=100, moderators=tuple(ids[:moderators]), taken_at=NOW, version=1)


@pytest.mark.parametrize("moderators", [1, 150, 400])
def test_the_busiest_board_passes_block_kit_checks(moderators: int) -> None:
    blocks = board_blocks(busy_board(moderators=moderators), sayer("en"))
    assert check_blocks(blocks, "/blocks", MAX_MESSAGE_BLOCKS) == []
    text = blocks_text(blocks)
    assert "and 90 more" in text and "and 4,990 more" in text
    listed = text.count("<@U") - 100 - 10 + 90  # speakers shown: 10, hands shown: 10
    assert listed <= moderators
    assert (f"and {moderators - listed} more" in text) == (listed < moderators)


async def test_a_note_at_its_longest_in_escaped_characters_keeps_the_board_accepted(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await w.command("alice", 'open "Town & hall" topic="Q&A <about> budgets & plans"')
        raised = await w.command("bob", "raise " + "&" * 100)
        assert raised.text.startswith("Hand raised"), raised.text
        await eventually(lambda: "*Queue (1)*" in blocks_text(w.board().blocks), what="the board with a hand")
        assert "&amp;" * 100 in blocks_text(w.board().blocks)
        updates = w.fake.calls_to("chat.update")
        assert updates and all(call.ok for call in updates)
