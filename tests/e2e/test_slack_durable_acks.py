"""An answer means it is stored: Slack gets its ack only once what the member asked is committed, or once
the request itself is kept in a durable inbox that a restarted bot works through.

Slack never redelivers an acked slash command or click, so an ack sent before the commit loses the command
for good when the bot dies in between.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

from sqlalchemy import text

from tests.support.slack import eventually, slack_world


def _hands(db_path: Path, user_id: str) -> int:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT count(*) FROM participant WHERE user_id = ? AND hand_seq IS NOT NULL",
                            (user_id,)).fetchone()[0]


class WriteLock:
    """Another connection holding SQLite's write lock, as a checkpoint or a slow disk would: the bot's
    commit waits for it."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("BEGIN IMMEDIATE")

    def release_after(self, seconds: float) -> None:
        def release() -> None:
            time.sleep(seconds)
            self._conn.execute("COMMIT")
            self._conn.close()
        threading.Thread(target=release, daemon=True).start()


async def test_a_slash_command_is_acked_only_once_committed(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await w.command("alice", "open Durable")
        WriteLock(tmp_path / "podium.db").release_after(0.6)
        acked = await w.slack.slash_command("/stage", "raise", user=w["bob"], channel=w.room)
        assert acked.status == 200 and acked.in_time
        # At the moment Slack has its ack, the hand is in the database.
        assert _hands(tmp_path / "podium.db", w["bob"].id) == 1
        assert acked.ack_seconds >= 0.5
        hook = w.fake.response_urls[acked.payload["response_url"]]
        await eventually(lambda: hook.posts, what="the answer")
        assert "#1" in hook.posts[0]["text"]


async def test_a_click_is_acked_only_once_committed(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await w.command("alice", "open Durable")
        await w.command("bob", "raise")
        WriteLock(tmp_path / "podium.db").release_after(0.6)
        clicked = await w.slack.block_action("podium_lower", user=w["bob"], message=w.board(),
                                             value=await w.stage_id())
        assert clicked.status == 200 and clicked.in_time
        assert _hands(tmp_path / "podium.db", w["bob"].id) == 0
        assert clicked.ack_seconds >= 0.5


async def test_a_request_too_slow_to_commit_in_time_is_kept_and_worked_through_after_a_restart(
        tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await w.command("alice", "open Durable")
        w.fake.rate_limit("users.info", retry_after=3)  # the member's roles take 3 s to learn
        acked = await w.slack.slash_command("/stage", "raise", user=w["carol"], channel=w.room)
        assert acked.status == 200 and acked.in_time
        with w.app.db.engine.connect() as conn:
            kept = conn.execute(text("SELECT count(*) FROM request_inbox")).scalar_one()
        assert kept == 1  # the ack went out because the request itself is stored
        # The bot dies before the command ran: a new adapter on the same database works the request through.
        stage_id = await w.stage_id()
        w.adapter.replies.abandon()
        await asyncio.sleep(3.2)
        from adapters.slack.assembly import assemble
        again = assemble(w.app, w.adapter.settings, board_interval=0.05)
        await again.start()
        await eventually(lambda: _hands(tmp_path / "podium.db", w["carol"].id) == 1, timeout=10,
                         what="the kept request applied")
        await again.settle()
        with w.app.db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM request_inbox")).scalar_one() == 0
        board = await w.app.queries.board(stage_id)
        assert [q.user_id for q in board.queue] == [w["carol"].id]
        await again.stop()
