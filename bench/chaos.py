"""`make chaos`: `podium run` killed with SIGKILL at random moments of a storm, and what members would see.

The bot runs as a separate process with the real Slack adapter (bolt over HTTP, signed requests) against the
loopback fake Slack served by this process, on SQLite or PostgreSQL. Members raise hands (each a member of
their own, so every acknowledged raise must be in the database) while the host gives the floor to the next
in line; after a random 0.2-1.5 s of storm the bot is killed (SIGKILL) and started again. Reported:

- acknowledged but lost: a raise Slack got a 200 for (within 3 s) with no HandRaised in the audit log, and
  "next" commands answered with who has the floor beyond the floors the database gave;
- effects missing: for each floor given and each "you're next" in the audit log, the member's direct message
  and the channel's announcement that must follow it, and one board; checked once the last run settled;
- effects seen twice: any of those direct messages or announcements, or the board, more than once;
- boards out of date: after each restart, how long until the board on Slack shows what the database says
  (target: within 2 s of the bot listening again).

A second storm runs two processes on one PostgreSQL database, requests alternating between them, and counts
the commands refused for conflicts ("Something went wrong", "gave up on ... conflicting writes").

The run loop, the child processes and the accounting are bench/chaos_run.py's, shared with the Discord storm.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import socket
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.chaos_run import (TITLE, BotProcess, ChaosResult, Crowd, check_floors, database, judge, kill_loop,
                             reaped, settled, stage_id, storm_step)

SECRET = "8f14e45fceea167a5a36dedd4bea2543"
PATH = "/slack/events"
LIVE = "is live"  # the opener's answer when the stage opened ("A stage is already live" is not an opening)


@dataclass
class ConflictResult:
    commands: int
    acked: int
    answered: int
    refused: int  # "Something went wrong" answers
    gave_up: int  # "gave up on ... conflicting writes" in the processes' logs
    seconds: float

    def summary(self) -> str:
        return (f"two processes on PostgreSQL: {self.commands} raises in {self.seconds:.0f} s, {self.acked} acked, "
                f"{self.answered} answered, {self.refused} refused with 'Something went wrong', {self.gave_up} "
                f"gave up after conflicting writes")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Bot(BotProcess):
    """`podium run` with the Slack adapter over HTTP."""

    def __init__(self, fake: Any, url: str, folder: Path, *, name: str) -> None:
        self.port = free_port()
        super().__init__(folder, name=name, env={
            "SLACK_BOT_TOKEN": fake.token, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
            "SLACK_PORT": str(self.port), "SLACK_PATH": PATH, "DATABASE_URL": url})

    @property
    def app_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PATH}"

    async def listen(self) -> float:
        """Starts the bot; the moment it listens."""
        async def listening() -> bool:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                return False
            writer.close()
            return True
        return await self.start(listening)


@contextlib.asynccontextmanager
async def slack_fake(members: int) -> AsyncIterator[tuple[Any, Any, list[Any], Any]]:
    from tests.fakes.slack import FakeSlack

    async with FakeSlack() as fake:
        host = fake.add_user("host", is_admin=True)
        people = [fake.add_user(f"m{i:05d}") for i in range(members)]
        room = fake.add_channel("chaos", members=[host.id, *(p.id for p in people)])
        yield fake, host, people, room


_SENDERS: dict[str, Any] = {}


async def send(app_url: str, fake: Any, text_: str, user: Any, room: Any, *, answer: bool = False) -> str | None:
    """One signed `/stage ...`; None unless Slack would count it acknowledged (200 within 3 s), else (with
    `answer`) what was posted to its response_url within a second, or ""."""
    from tests.fakes.slack import SlackSender

    slack = _SENDERS.get(app_url)
    if slack is None:
        slack = _SENDERS[app_url] = await SlackSender(app_url, SECRET, fake).__aenter__()
    try:
        response = await slack.slash_command("/stage", text_, user=user, channel=room)
    except Exception:  # the bot was killed under it: no ack
        return None
    if response.status != 200 or not response.in_time:
        return None
    if not answer:
        return ""
    hook = fake.response_urls.get(response.payload["response_url"])
    for _ in range(100):  # the answer follows the ack
        if hook is not None and hook.posts:
            return "\n".join(p.get("text", "") for p in hook.posts)
        await asyncio.sleep(0.01)
    return ""


async def close_senders() -> None:
    while _SENDERS:
        await _SENDERS.popitem()[1].close()


async def open_stage(bot: Bot, fake: Any, host: Any, room: Any, url: str) -> str:
    """Opens the stage, again until one answer says it opened or the database has it live (an ack lost
    under load); an answer that a stage is already live counts as no opening of its own."""
    for _ in range(50):
        answer = await send(bot.app_url, fake, f"open {TITLE}", host, room, answer=True)
        if answer is not None and LIVE in answer and "already" not in answer:
            break
        with contextlib.suppress(RuntimeError):
            return await asyncio.wait_for(stage_id(url), 2)
    return await stage_id(url)


# ---- what the database says --------------------------------------------------------------------------

async def expected_board(url: str, stage: str) -> str:
    """The board's words as the database says they should be now (rendered as the adapter renders them)."""
    from adapters.slack.blocks import board_blocks
    from adapters.slack.text import sayer
    from bot.bootstrap import build
    from bot.config import Settings
    from tests.support.slack import blocks_text

    app = build(Settings(_env_file=None), database_url=url, scheduler="memory")  # type: ignore[call-arg]
    try:
        board = await app.queries.board(stage)
    finally:
        await app.db.dispose()
    return blocks_text(board_blocks(board, sayer("en")))


def board_messages(fake: Any, room: Any) -> list[Any]:
    return [m for m in fake.messages(room.id)
            if m.user == fake.bot.id and m.blocks and m.blocks[0]["type"] == "header" and m.thread_ts is None]


async def board_lag(fake: Any, room: Any, url: str, stage: str, since: float, *, limit: float = 15.0) -> float:
    from tests.support.slack import blocks_text

    wanted = await expected_board(url, stage)
    while time.monotonic() - since < limit:
        shown = board_messages(fake, room)
        if shown and blocks_text(shown[0].blocks) == wanted:
            return time.monotonic() - since
        await asyncio.sleep(0.02)
    return float("inf")


# ---- the storm under kills -----------------------------------------------------------------------------

async def chaos(kind: str, kills: int, *, seed: int = 1, members: int = 4000, senders: int = 6,
                window: tuple[float, float] = (0.2, 1.5)) -> ChaosResult:
    from bot.i18n.catalog import render
    from bot.i18n.markers import N_
    from bot.i18n.message import Message

    rng = random.Random(seed)
    result = ChaosResult(database="SQLite" if kind == "sqlite" else "PostgreSQL")
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, database(kind, Path(tmp)) as url:
        async with slack_fake(members) as (fake, host, people, room):
            bot = Bot(fake, url, Path(tmp), name="chaos")
            async with reaped(bot):
                await bot.listen()
                stage = await open_stage(bot, fake, host, room, url)
                crowd = Crowd(people)

                async def act() -> None:
                    await storm_step(
                        result, crowd, rng, host, member_id=lambda m: m.id,
                        say=lambda kind, who: send(bot.app_url, fake, kind, who, room, answer=True),
                        acked=lambda answer: answer == "" or bool(answer and "Hand raised" in answer))

                async def restart() -> float:
                    return await board_lag(fake, room, url, stage, await bot.listen())

                await kill_loop(result, kills=kills, rng=rng, senders=senders, act=act, bot=bot,
                                restart=restart, window=window)
                await settled(url, after=1.5)
                await bot.stop()
            dms = {user: Counter(m.text for m in messages) for user, messages in fake.dms.items()}
            floors = check_floors(result, url, dms, floor_dm=render(Message.of(
                N_("You have the floor on “{title}”."), title=TITLE), "en"), next_dm=render(Message.of(
                    N_("You're next on “{title}”."), title=TITLE), "en"))
            channel = Counter(m.text for m in fake.messages(room.id) if m.thread_ts is None)
            for target in floors:
                judge(result, _count_mention(channel, target, "has the floor"), f"floor announcement of {target}")
            judge(result, len(board_messages(fake, room)), "board")
            await close_senders()
            fake.assert_no_spec_violations()
    result.seconds = time.monotonic() - started
    return result


def _count_mention(channel: Counter[str], user_id: str, words: str) -> int:
    return sum(n for text_, n in channel.items() if f"<@{user_id}>" in text_ and words in text_)


# ---- two processes, one PostgreSQL database ------------------------------------------------------------

async def conflicts(commands: int, *, senders: int = 16) -> ConflictResult:
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, database("postgresql", Path(tmp)) as url:
        async with slack_fake(commands) as (fake, host, people, room):
            bots = [Bot(fake, url, Path(tmp), name=name) for name in ("a", "b")]
            async with reaped(*bots):
                for bot in bots:
                    await bot.listen()
                await open_stage(bots[0], fake, host, room, url)
                queue = iter(enumerate(people))
                acked = 0

                async def storm() -> None:
                    nonlocal acked
                    for index, member in queue:
                        if await send(bots[index % 2].app_url, fake, "raise", member, room) is not None:
                            acked += 1

                await asyncio.gather(*(storm() for _ in range(senders)))
                deadline = time.monotonic() + 30
                while len(fake.response_posts) < commands + 1 and time.monotonic() < deadline:
                    await asyncio.sleep(0.1)
                for bot in bots:
                    await bot.stop()
            await close_senders()
            answers = [p.get("text", "") for p in fake.response_posts[1:]]
            gave_up = sum(bot.log_text().count("conflicting writes") for bot in bots)
    return ConflictResult(commands, acked, len(answers), sum("Something went wrong" in a for a in answers),
                          gave_up, time.monotonic() - started)


def main() -> None:
    from bench.chaos_discord import chaos_discord
    from bench.machine import describe

    kills = int(os.environ.get("CHAOS_KILLS", "100"))
    commands = int(os.environ.get("CHAOS_COMMANDS", "10000"))
    platforms = os.environ.get("CHAOS_PLATFORMS", "slack,discord").split(",")
    databases = os.environ.get("CHAOS_DATABASES", "sqlite,postgresql").split(",")
    print(f"machine: {describe()}; load average before: {os.getloadavg()[0]:.2f}", flush=True)
    for platform in platforms:
        for kind in databases:
            run = chaos if platform == "slack" else chaos_discord
            result = asyncio.run(run(kind, kills))
            print(("Slack, " if platform == "slack" else "") + result.summary(), flush=True)
            for line in (result.effects_missing + result.effects_twice)[:20]:
                print("   ", line)
            late = [f"{lag:.2f}" for lag in result.board_lag if lag > 2.0]
            if late:
                print("    late boards (s):", ", ".join(late))
    if commands:
        print(asyncio.run(conflicts(commands)).summary())
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
