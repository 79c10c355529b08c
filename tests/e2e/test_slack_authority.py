"""Authority on Slack: a block holds against a workspace admin on every path; a click naming another
workspace's stage finds nothing."""

from __future__ import annotations

from pathlib import Path

from bot.i18n.catalog import render
from bot.i18n.markers import N_
from bot.i18n.message import Message
from tests.support.slack import slack_world

NOT_MODERATOR = render(Message(N_("Only the host and moderators can do that.")), "en")


async def test_a_blocked_workspace_admin_keeps_no_power_on_the_stage(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await w.command("carol", "open Blocks")  # carol hosts; alice is a workspace admin
        await w.command("carol", f"mod add <@{w['bob'].id}|bob>")
        await w.command("dave", "raise")
        blocked = await w.command("bob", f"block <@{w['alice'].id}|alice> trolling")
        assert "blocked" in blocked.text
        stage_id = await w.stage_id()
        before = await w.app.queries.board(stage_id)
        for text in ("next", f"unblock <@{w['alice'].id}|alice>", "topic Mine", "close", "lock"):
            answer = await w.command("alice", text)
            assert answer.text == NOT_MODERATOR, text
        clicked = await w.click("alice", "podium_next")
        assert clicked.text == NOT_MODERATOR
        after = await w.app.queries.board(stage_id)
        assert after.version == before.version
        assert (await w.app.queries.roster(stage_id)).blocked == {w["alice"].id}
        lifted = await w.command("carol", f"unblock <@{w['alice'].id}|alice>")
        assert "blocked" not in lifted.text.lower() or "no longer" in lifted.text.lower()
        assert "speaker" in (await w.command("alice", "next")).text
