"""The README's pictures of a board: a stage played against the fake Discord and the fake Slack (the real
discord.py and slack-bolt, as in the tests), the board message each fake recorded rendered as HTML
(tests/fakes/render.py), photographed by headless Chromium. `make screenshots` runs it."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "docs" / "img"
WORK = ROOT / "build" / "screenshots"


async def discord_board() -> tuple[dict[str, Any], dict[str, str]]:
    from tests.support.discord import Bot, make_world
    from tests.fakes.discord import FakeDiscord, pointed_at

    async with FakeDiscord(heartbeat_interval_ms=500) as fake:
        with pointed_at(fake):
            world = make_world(fake)
            with tempfile.TemporaryDirectory() as folder:
                bot = Bot(fake, Path(folder) / "podium.db", rules={"speaking_time_limit": 300})
                await bot.start()
                try:
                    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA", topic="Pricing")
                    for member in (world.carol, world.dave):
                        await bot.press(world, member, f"podium:raise:{await bot.stage_id(world)}")
                    await bot.command(world, world.bob, "speaker", "next")
                    await bot.press(world, world.alice, f"podium:raise:{await bot.stage_id(world)}")
                    await bot.advance(75)
                    board = bot.board(world)
                    names = {str(user.id): user.global_name or user.username for user in fake.store.users.values()}
                    return {"content": board.content, "embeds": board.embeds, "components": board.components,
                            "now": bot.clock.now().timestamp()}, names
                finally:
                    await bot.stop()


async def slack_board() -> tuple[list[dict[str, Any]], dict[str, str]]:
    from tests.support.slack import join_huddle, slack_world
    from tests.fakes.slack import events

    with tempfile.TemporaryDirectory() as folder:
        async with slack_world(Path(folder), rules={"speaking_time_limit": 300}) as w:
            started = events.huddle_started(w.fake.state, w.room, created_by=w["alice"])  # as Slack sends it
            room = started["room"]["id"]
            await w.event(events.user_huddle_changed(w.fake.state, w["alice"], call_id=room))
            await w.event(started)
            for name in ("carol", "dave", "frank"):
                await join_huddle(w, room, name)
            await w.command("alice", 'open "Weekly AMA" topic="Pricing"')
            for member in ("carol", "frank"):
                await w.command(member, 'raise "about pricing"' if member == "carol" else "raise")
            await w.command("alice", "next")
            await w.command("dave", "raise")
            board = w.board()
            names = {user.id: user.name for user in w.fake.state.users.values()}
            return list(board.blocks or []), names


def photograph(page: str, name: str, *, height: int) -> Path:
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        raise SystemExit("headless Chromium is needed: apt-get install chromium")
    WORK.mkdir(parents=True, exist_ok=True)
    OUT.mkdir(parents=True, exist_ok=True)
    source, target = WORK / f"{name}.html", OUT / f"{name}.png"
    source.write_text(page, encoding="utf-8")
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={target}", f"--window-size=680,{height}", source.as_uri()],
                   check=True, capture_output=True, timeout=120)
    return target


def main() -> None:
    from tests.fakes.render import discord_message, slack_message

    message, names = asyncio.run(discord_board())
    print(photograph(discord_message(message, author="Podium", names=names, when="Today at 18:02"),
                     "discord-board", height=400))
    blocks, people = asyncio.run(slack_board())
    print(photograph(slack_message(blocks, author="Podium", names=people, when="6:02 PM"), "slack-board",
                     height=400))


if __name__ == "__main__":
    main()
