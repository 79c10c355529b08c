"""Issue 10's "seen" list on Slack and Discord, not only the console: a reason is the rest of the line (carol is
told "off topic", the log says "spamming the chat"), and the rules and the recap read as people read them
(`none`, `on`, `30 min`, `1 min 15 s`), never `0`, `True`, `1800` or `75.0`."""

from __future__ import annotations

from pathlib import Path

from tests.support.discord import Bot, dms, podium_errors, reply, world  # noqa: F401
from tests.support.slack import slack_world

RULES = {"hand_cooldown": 0, "must_be_present": False}


def read_as_people_read(rules: str) -> None:
    shown = rules.replace("`", "")
    for value in ("speaking_time_limit = none", "must_be_present = off", "idle_close = 30 min", "grace_period = 1 min",
                  "warn_before = 30 s"):
        assert value in shown, (value, rules)
    for raw in ("= 0\n", "False", "1800", "1,800", "= 60", "= 30\n"):
        assert raw not in shown, (raw, rules)


async def test_slack_keeps_whole_reasons_and_shows_people_values(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules=RULES) as w:
        await w.command("alice", "open Weekly AMA")
        await w.command("alice", "rules grace_period=1 min")
        read_as_people_read((await w.command("alice", "rules")).text)

        await w.command("carol", "raise a question")
        await w.command("alice", f"deny <@{w['carol'].id}|carol> off topic")
        assert any(t.endswith(": off topic") for t in w.dm_texts("carol")), w.dm_texts("carol")
        await w.command("frank", "raise")
        await w.command("alice", f"remove <@{w['frank'].id}|frank> spamming the chat")
        assert "(spamming the chat)" in (await w.command("alice", "log")).text

        await w.command("dave", "raise")
        await w.command("alice", "next")
        await w.advance(75)
        await w.command("alice", "close")
        recap = (await w.command("alice", "recap")).text
        assert f"<@{w['dave'].id}>: 1 min 15 s, turns: 1" in recap, recap


async def test_discord_keeps_whole_reasons_and_shows_people_values(world, tmp_path: Path, podium_errors) -> None:  # noqa: F811
    bot = Bot(world.fake, tmp_path / "podium.db", rules=RULES)
    await bot.start()
    try:
        await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
        await bot.command(world, world.alice, "stage", "rules", changes="grace_period=1 min")
        read_as_people_read(reply(await bot.command(world, world.alice, "stage", "rules")))

        await bot.command(world, world.carol, "hand", "raise", note="a question")
        await bot.command(world, world.alice, "speaker", "deny", member=str(world.carol.id), reason="off topic")
        assert any(t.endswith(": off topic") for t in dms(world.fake, world.carol)), dms(world.fake, world.carol)
        await bot.command(world, world.bob, "hand", "raise")
        await bot.command(world, world.alice, "stage", "remove", member=str(world.bob.id), reason="spamming the chat")
        assert "(spamming the chat)" in reply(await bot.command(world, world.alice, "stage", "log"))

        await bot.command(world, world.dave, "hand", "raise")
        await bot.command(world, world.alice, "speaker", "next")
        await bot.advance(75)
        await bot.command(world, world.alice, "stage", "close")
        recap = reply(await bot.command(world, world.alice, "stage", "recap"))
        assert f"<@{world.dave.id}>: 1 min 15 s, turns: 1" in recap, recap
    finally:
        await bot.stop()
