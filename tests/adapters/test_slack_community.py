"""Statistics, leaderboards and badges on Slack: signed requests into the real bolt app and the fake Slack, in
English and French (dave's Slack speaks French)."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.slack import events as slack_events
from tests.support.slack import World, blocks_text, eventually, slack_world


async def bob_speaks(w: World, minutes: int = 4) -> None:
    await w.command("alice", 'open "Town hall"')
    await w.command("bob", "raise")
    await w.command("alice", "next")
    await w.advance(minutes * 60)
    await w.command("alice", "close")


async def test_stats_leaderboard_badges_and_hiding(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await bob_speaks(w)
        bob = w["bob"].id
        mine = await w.command("bob", "stats all")
        assert f"Statistics of <@{bob}> (all time):" in mine.text
        assert "Times on stage: 1; minutes spoken: 4." in mine.text and "Badges: First time on stage" in mine.text
        board = await w.command("dave", "leaderboard speakers")
        assert f"#1 <@{bob}> 🎤 — 4\u00a0min de parole" in board.text
        assert board.text.startswith("Meilleurs orateurs (les 30 derniers jours)")
        # the badge: said in the channel, told to bob
        assert any(f"<@{bob}> earned a badge: First time on stage." in (m.text or "")
                   for m in w.fake.messages(w.room.id))
        assert any("You earned a badge: First time on stage." in t for t in w.dm_texts("bob"))
        # his badge beside his name on the next board, and in his App Home
        await w.command("alice", 'open "Second"')
        await w.command("bob", "raise")
        boards = [m for m in w.fake.messages(w.room.id) if m.user == w.fake.bot.id and m.blocks
                  and m.blocks[0]["type"] == "header" and "Second" in m.blocks[0]["text"]["text"]]
        await eventually(lambda: f"#1 <@{bob}> 🎤" in blocks_text(boards[-1].blocks), what="bob's badge on the board")
        await w.event(slack_events.app_home_opened(w.fake.state, w["bob"]))
        await eventually(lambda: w.fake.home_view(bob) is not None, what="bob's home")
        assert f"<@{bob}> 🎤" in blocks_text(w.fake.home_view(bob).payload["blocks"])
        await w.command("alice", "close")
        refused = await w.command("carol", f"stats <@{bob}>")
        assert refused.text == "Only the host and moderators can do that."
        seen = await w.command("alice", f"stats <@{bob}> all")  # a workspace admin
        assert "Times on stage: 1" in seen.text
        hidden = await w.command("bob", "stats hide")
        assert hidden.text.startswith("Your statistics are hidden")
        assert "Nobody is on this board yet." in (await w.command("carol", "leaderboard")).text
        assert f"<@{bob}> keeps their statistics to themselves." in (await w.command("alice", f"stats <@{bob}>")).text
        assert "Times on stage: 1" in (await w.command("bob", "stats")).text  # he still sees his own


async def test_links_show_on_the_board_without_previews(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await w.command("alice", 'open "Town hall"')
        added = await w.command("alice", "link https://example.com/a?b=1&c=2 Q&A notes")
        assert added.text == "Link #1 added to the board."
        await eventually(lambda: "🔗 1. <https://example.com/a?b=1&amp;c=2|Q&amp;A notes>" in blocks_text(
            w.board().blocks), what="the link on the board")
        [posted] = [c for c in w.fake.calls_to("chat.postMessage") if c.args.get("metadata", {}).get(
            "event_type") == "podium_post" and c.args.get("blocks")][:1]
        assert (posted.args.get("unfurl_links"), posted.args.get("unfurl_media")) == (False, False)
        refused = await w.command("dave", "link https://example.com/mine")  # dave's Slack is in French
        assert refused.text == "Seuls l’hôte et les modérateurs peuvent faire cela."
        assert (await w.command("alice", "unlink 1")).text == "Link #1 removed."
        await eventually(lambda: "🔗" not in blocks_text(w.board().blocks), what="the link gone")


async def test_the_stage_list_links_each_channel(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        await w.command("alice", 'open "Town hall" topic=Roadmap')
        other = w.fake.add_channel("lounge", members=[u.id for u in w.people.values()])
        listed = await w.command("dave", "list", channel=other)  # dave reads French
        assert listed.text.splitlines()[:2] == [
            "En direct : 1", f"🔴 « Town hall » dans <#{w.room.id}> · hôte <@{w['alice'].id}> · 0 dans le salon · Roadmap"]
