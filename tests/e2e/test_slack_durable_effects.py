"""Every platform effect a committed change implies reaches Slack once: after a failure Slack answered
after doing the work, after a stop, after a kill between the post and its record.

Each case failed before the outbox: a post retried blindly went out twice; changes applied at start-up
(a speaking limit, an idle close that came due while the bot was down) were never shown nor told; a board
posted but not recorded before a kill was never edited again, nor repaired.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from adapters.slack.assembly import assemble
from adapters.slack.service import start_http
from bot.bootstrap import build
from bot.clock import ManualClock
from bot.i18n.catalog import render
from bot.i18n.markers import N_
from bot.i18n.message import Message
from tests.support.slack import (
    PATH, SECRET, World, blocks_text, core_settings, eventually, populate, slack_settings,
)
from tests.fakes.slack import FakeSlack, SlackSender


@asynccontextmanager
async def bot(fake: FakeSlack, db: Path, clock: ManualClock, **settings: Any) -> AsyncIterator[World]:
    """One run of the bot on `db`: leave the block to stop it (or kill it first with `kill`)."""
    people, room = fake.people, fake.room  # type: ignore[attr-defined]
    app = build(core_settings(**settings), clock=clock, database_url=f"sqlite:///{db}")
    await app.start()
    adapter = assemble(app, slack_settings(fake), board_interval=0.05)
    await adapter.start()
    runner, port = await start_http(adapter, host="127.0.0.1", port=0, path=PATH)
    try:
        async with SlackSender(f"http://127.0.0.1:{port}{PATH}", SECRET, fake) as slack:
            yield World(fake, app, adapter, slack, clock, people, room)
    finally:
        await runner.cleanup()
        await adapter.stop()
        await app.stop()


def kill(w: World) -> None:
    """What SIGKILL does to the work in flight: nothing more reaches Slack, nothing more is recorded."""
    w.adapter.replies.abandon()
    w.app.dispatcher.abandon()


@asynccontextmanager
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.people, fake.room = populate(fake)  # type: ignore[attr-defined]
        yield fake
        fake.assert_no_spec_violations()


def boards(w: World) -> list[Any]:
    return [m for m in w.fake.messages(w.room.id)
            if m.user == w.fake.bot.id and m.blocks and m.blocks[0]["type"] == "header" and m.thread_ts is None]


def said(msgid: str, **params: Any) -> str:
    return render(Message.of(msgid, **params), "en")


RULES = {"must_be_present": False}


async def one_board_kept_current_after_a_restart(fake: FakeSlack, db: Path, clock: ManualClock, stage_id: str) -> None:
    """The next start: the stage's one board on Slack, recorded, and edited by the next change."""
    async with bot(fake, db, clock, rules=RULES) as w:
        await w.settle()
        assert len(boards(w)) == 1
        stored = await w.app.boards.get(stage_id)
        assert stored is not None and stored.message_id == boards(w)[0].ts
        await w.command("bob", "raise")
        assert w["bob"].id in blocks_text(boards(w)[0].blocks)
        assert len(boards(w)) == 1


async def test_a_board_slack_posted_before_failing_is_found_not_posted_twice(tmp_path: Path) -> None:
    async with slack() as fake, bot(fake, tmp_path / "p.db", ManualClock(), rules=RULES) as w:
        fake.fail_after_next("chat.postMessage")  # the board is posted, then Slack answers 500
        await w.command("alice", "open Twice")
        await eventually(lambda: w.fake.count("conversations.history") >= 1, what="the retry looking first")
        await w.settle()
        assert len(boards(w)) == 1
        await w.command("bob", "raise")  # and the board found is the one kept up to date
        assert w["bob"].id in blocks_text(boards(w)[0].blocks)


async def test_a_direct_message_slack_sent_before_failing_is_sent_once(tmp_path: Path) -> None:
    async with slack() as fake, bot(fake, tmp_path / "p.db", ManualClock(), rules=RULES) as w:
        await w.command("alice", "open Once")
        await w.command("bob", "raise")
        await w.command("carol", "raise")
        fake.fail_after_next("chat.postMessage", times=3)  # the floor's announcement, bob's and carol's DMs
        await w.command("alice", "next")
        await eventually(lambda: len(w.dm_texts("carol")) >= 1, what="carol told she is next")
        await w.settle()
        assert w.dm_texts("bob") == [said(N_("You're next on “{title}”."), title="Once"),  # when he raised
                                     said(N_("You have the floor on “{title}”."), title="Once")]
        assert w.dm_texts("carol") == [said(N_("You're next on “{title}”."), title="Once")]
        floor = [m for m in fake.messages(w.room.id) if "has the floor" in m.text]
        assert len(floor) == 1


async def test_a_speaking_limit_reached_while_the_bot_was_down_is_told_and_shown(tmp_path: Path) -> None:
    clock = ManualClock()
    async with slack() as fake:
        async with bot(fake, tmp_path / "p.db", clock, rules=RULES) as w:
            await w.command("alice", "open Limits")
            await w.command("alice", "rules speaking_time_limit=60 warn_before=0")
            await w.command("bob", "raise")
            await w.command("alice", "next")
        clock.advance(timedelta(seconds=120))  # bob's time runs out while no bot runs
        async with bot(fake, tmp_path / "p.db", clock, rules=RULES) as w:
            await w.settle()
            assert said(N_("Your speaking time on “{title}” is up; you are back in the audience."),
                        title="Limits") in w.dm_texts("bob")
            back = said(N_("{member} is back in the audience."), member=f"<@{w['bob'].id}>")
            assert [m.text for m in fake.messages(w.room.id)].count(back) == 1
            board = blocks_text(boards(w)[0].blocks)
            assert "has the floor" not in board.split("Hands")[0] or w["bob"].id not in board


async def test_a_stage_idle_closed_while_the_bot_was_down_gets_its_closing_board_recap_and_notices(
        tmp_path: Path) -> None:
    clock = ManualClock()
    async with slack() as fake:
        async with bot(fake, tmp_path / "p.db", clock, rules={**RULES, "idle_close": 300}) as w:
            await w.command("alice", "open Quiet")
            await w.command("bob", "raise")
            live = blocks_text(boards(w)[0].blocks)
        clock.advance(timedelta(seconds=400))
        async with bot(fake, tmp_path / "p.db", clock, rules={**RULES, "idle_close": 300}) as w:
            await w.settle()
            closed = boards(w)[0]
            assert blocks_text(closed.blocks) != live
            assert not any(b["type"] == "actions" for b in closed.blocks)  # no buttons left on a closed stage
            recaps = [m for m in fake.messages(w.room.id) if m.blocks is None and "Quiet" in m.text]
            assert len(recaps) == 1
            assert w.dm_texts("bob") == [said(N_("You're next on “{title}”."), title="Quiet"),
                                         said(N_("The stage “{title}” has ended; your hand was lowered."),
                                              title="Quiet")]


async def test_a_board_posted_but_not_recorded_before_a_kill_is_found_and_kept_current(tmp_path: Path) -> None:
    clock = ManualClock()
    async with slack() as fake:
        async with bot(fake, tmp_path / "p.db", clock, rules=RULES) as w:
            fake.fail_after_next("chat.postMessage")  # posted; the answer lost; killed before the retry
            fake.rate_limit("conversations.history", retry_after=30)
            acked = await w.slack.slash_command("/stage", "open Killed", user=w["alice"], channel=w.room)
            assert acked.status == 200
            await eventually(lambda: fake.count("conversations.history") == 1, what="the retry looking first")
            assert len(boards(w)) == 1
            kill(w)
            stage_id = await w.stage_id()
            with w.app.db.engine.connect() as conn:
                assert conn.execute(text("SELECT count(*) FROM board_message")).scalar_one() == 0
        fake.faults.clear()
        await one_board_kept_current_after_a_restart(fake, tmp_path / "p.db", clock, stage_id)


async def test_a_stage_opened_and_announced_but_killed_before_its_board_went_out_gets_one_at_start(
        tmp_path: Path) -> None:
    # A kill right after `/stage open`: the stage is live and the opener was told so, but Slack held the board's
    # post back (rate limited) until the kill. The next start posts it, once, and keeps it current.
    clock = ManualClock()
    async with slack() as fake:
        async with bot(fake, tmp_path / "p.db", clock, rules=RULES) as w:
            fake.rate_limit("chat.postMessage", retry_after=30)
            acked = await w.slack.slash_command("/stage", "open Unboarded", user=w["alice"], channel=w.room)
            assert acked.status == 200
            await eventually(lambda: any("Unboarded" in str(p) and "is live" in str(p) for p in fake.response_posts),
                             what="the opener told the stage is live")
            await eventually(lambda: fake.count("chat.postMessage") >= 1, what="the board held back by Slack")
            kill(w)
            assert boards(w) == []
            stage_id = await w.stage_id()
        fake.faults.clear()
        await one_board_kept_current_after_a_restart(fake, tmp_path / "p.db", clock, stage_id)


async def test_a_deleted_board_is_posted_again_at_start(tmp_path: Path) -> None:
    clock = ManualClock()
    async with slack() as fake:
        async with bot(fake, tmp_path / "p.db", clock, rules=RULES) as w:
            await w.command("alice", "open Gone")
            fake.state.channels[w.room.id].messages.remove(boards(w)[0])  # someone deleted it
        async with bot(fake, tmp_path / "p.db", clock, rules=RULES) as w:
            await w.settle()
            assert len(boards(w)) == 1
            await w.command("bob", "raise")
            assert w["bob"].id in blocks_text(boards(w)[0].blocks)


async def test_after_a_kill_the_board_is_current_while_what_waited_is_still_held_back_by_slack(
        tmp_path: Path) -> None:
    # Posts that waited (a floor's announcement and direct messages) may be held back by Slack's rate limits
    # for a while; the board on Slack is brought up to date without waiting for them.
    clock = ManualClock()
    async with slack() as fake:
        async with bot(fake, tmp_path / "p.db", clock, rules=RULES) as w:
            await w.command("alice", "open Backlog")
            await w.command("bob", "raise")
            fake.rate_limit("chat.postMessage", retry_after=30)
            await w.slack.slash_command("/stage", "next", user=w["alice"], channel=w.room)
            await eventually(lambda: fake.count("chat.postMessage") >= 1, what="the floor's posts held back")
            kill(w)
            assert "Nobody has the floor." in blocks_text(boards(w)[0].blocks)
        fake.faults.clear()
        fake.rate_limit("chat.postMessage", retry_after=12)  # still held back after the restart
        async with bot(fake, tmp_path / "p.db", clock, rules=RULES) as w:
            await eventually(lambda: "Nobody has the floor." not in blocks_text(boards(w)[0].blocks), timeout=8,
                             what="the board current before the posts went out")
            assert w["bob"].id in blocks_text(boards(w)[0].blocks).split("Queue")[0]
            assert said(N_("You have the floor on “{title}”."), title="Backlog") not in w.dm_texts("bob")
            await w.settle()
            assert w.dm_texts("bob").count(said(N_("You have the floor on “{title}”."), title="Backlog")) == 1
