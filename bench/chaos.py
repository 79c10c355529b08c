"""`make chaos`: `podium run` killed with SIGKILL at random moments of a storm, and what members would see.

The bot runs as a separate process with the real Slack adapter (bolt over HTTP, signed requests) against the
loopback fake Slack served by this process, on SQLite or PostgreSQL. Members raise hands (each a member of
their own, so every acknowledged raise must be in the database) while the host gives the floor to the next
in line; after a random 0.2-1.5 s of storm the bot is killed (SIGKILL) and started again. Reported:

- acknowledged but lost: a raise Slack got a 200 for (within 3 s) with no HandRaised in the audit log;
- effects missing: for each floor given and each "you're next" in the audit log, the member's direct message
  and the channel's announcement that must follow it, and one board; checked once the last run settled;
- effects seen twice: any of those direct messages or announcements, or the board, more than once;
- boards out of date: after each restart, how long until the board on Slack shows what the database says
  (target: within 2 s of the bot listening again).

A second storm runs two processes on one PostgreSQL database, requests alternating between them, and counts
the commands refused for conflicts ("Something went wrong", "gave up on ... conflicting writes").
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import socket
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

SECRET = "8f14e45fceea167a5a36dedd4bea2543"
PATH = "/slack/events"
TITLE = "Chaos"
PG = "postgresql+psycopg://{user}@127.0.0.1:5432/test"


@dataclass
class ChaosResult:
    database: str
    kills: int = 0
    sent: int = 0
    acked: int = 0
    acked_lost: int = 0
    floors: int = 0  # floors given (committed), each with its effects checked
    nexts: int = 0
    effects_missing: list[str] = field(default_factory=list)
    effects_twice: list[str] = field(default_factory=list)
    board_lag: list[float] = field(default_factory=list)  # seconds from listening again to a current board
    seconds: float = 0.0

    @property
    def boards_late(self) -> int:
        return sum(1 for lag in self.board_lag if lag > 2.0)

    def summary(self) -> str:
        lags = sorted(self.board_lag) or [0.0]
        return (f"{self.database}: {self.kills} kills in {self.seconds:.0f} s; {self.sent} raises sent, "
                f"{self.acked} acked, {self.acked_lost} acked but lost; {self.floors} floors and {self.nexts} "
                f"'next' notices checked: {len(self.effects_missing)} effects missing, {len(self.effects_twice)} "
                f"seen twice; board current after restart: median {lags[len(lags) // 2]:.2f} s, max "
                f"{lags[-1]:.2f} s, {self.boards_late} over 2 s")


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


# ---- databases ---------------------------------------------------------------------------------------

@contextlib.contextmanager
def database(kind: str, folder: Path) -> Any:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'chaos.db'}"
        return
    import psycopg

    user = next(u for u in ("postgres", "root") if _pg_user_ok(u))
    schema = f"chaos_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(host="127.0.0.1", dbname="test", user=user, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield PG.format(user=user) + f"?options=-csearch_path%3D{schema}&application_name={schema}"
    finally:
        with psycopg.connect(host="127.0.0.1", dbname="test", user=user, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
                          (schema,))
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


def _pg_user_ok(user: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(host="127.0.0.1", dbname="test", user=user, connect_timeout=2):
            return True
    except psycopg.Error:
        return False


# ---- the bot as a process ----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Bot:
    """`podium run` with the Slack adapter, started and killed at will."""

    def __init__(self, fake: Any, url: str, folder: Path, *, name: str) -> None:
        self.fake, self.url, self.folder, self.name = fake, url, folder, name
        self.port = free_port()
        self.process: asyncio.subprocess.Process | None = None
        self.logs: list[str] = []

    @property
    def app_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PATH}"

    async def start(self) -> float:
        """Starts the bot; the moment it listens (time.monotonic)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "RULES__"))}
        env.update({"SLACK_BOT_TOKEN": self.fake.token, "SLACK_SIGNING_SECRET": SECRET,
                    "SLACK_API_URL": self.fake.api_url, "SLACK_PORT": str(self.port), "SLACK_PATH": PATH,
                    "DATABASE_URL": self.url, "LOG_LEVEL": "WARNING", "INSTANCE_NAME": self.name,
                    "RULES__MUST_BE_PRESENT": "false", "RULES__HAND_COOLDOWN": "0", "RULES__IDLE_CLOSE": "0",
                    "RULES__MAX_QUEUE_LENGTH": "100000", "RULES__MAX_SPEAKERS": "100"})
        log = open(self.folder / f"{self.name}.log", "ab")  # noqa: SIM115 - the process writes it
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=self.folder, stdout=log, stderr=log)
        log.close()
        for _ in range(600):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return time.monotonic()
            except OSError:
                if self.process.returncode is not None:
                    raise RuntimeError(f"podium run stopped: {self.log_text()[-2000:]}") from None
                await asyncio.sleep(0.02)
        raise RuntimeError("podium run never listened")

    def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)

    async def wait(self) -> None:
        if self.process is not None:
            await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.kill()
                await self.process.wait()

    def log_text(self) -> str:
        path = self.folder / f"{self.name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


@contextlib.asynccontextmanager
async def slack_fake(members: int) -> AsyncIterator[tuple[Any, Any, list[Any], Any]]:
    from tests.fakes.slack import FakeSlack

    async with FakeSlack() as fake:
        host = fake.add_user("host", is_admin=True)
        people = [fake.add_user(f"m{i:05d}") for i in range(members)]
        room = fake.add_channel("chaos", members=[host.id, *(p.id for p in people)])
        yield fake, host, people, room


_SENDERS: dict[str, Any] = {}


async def send(app_url: str, fake: Any, text_: str, user: Any, room: Any) -> bool:
    """One signed `/stage ...`; whether Slack would count it acknowledged (200 within 3 s)."""
    from tests.fakes.slack import SlackSender

    slack = _SENDERS.get(app_url)
    if slack is None:
        slack = _SENDERS[app_url] = await SlackSender(app_url, SECRET, fake).__aenter__()
    try:
        response = await slack.slash_command("/stage", text_, user=user, channel=room)
    except Exception:  # the bot was killed under it: no ack
        return False
    return response.status == 200 and response.in_time


async def close_senders() -> None:
    while _SENDERS:
        await _SENDERS.popitem()[1].close()


# ---- what the database says --------------------------------------------------------------------------

def audit(url: str, kind: str) -> list[tuple[str, str | None]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT actor_id, target_id FROM audit_log WHERE kind = :k"), {"k": kind})
            return [(r.actor_id, r.target_id) for r in rows]
    finally:
        engine.dispose()


def pending_effects(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM outbox")).scalar_one())
    finally:
        engine.dispose()


async def expected_board(url: str, stage_id: str) -> str:
    """The board's words as the database says they should be now (rendered as the adapter renders them)."""
    from adapters.slack.blocks import board_blocks
    from adapters.slack.text import sayer
    from bot.bootstrap import build
    from bot.config import Settings
    from tests.support.slack import blocks_text

    app = build(Settings(_env_file=None), database_url=url, scheduler="memory")  # type: ignore[call-arg]
    try:
        board = await app.queries.board(stage_id)
    finally:
        await app.db.dispose()
    return blocks_text(board_blocks(board, sayer("en")))


def board_messages(fake: Any, room: Any) -> list[Any]:
    return [m for m in fake.messages(room.id)
            if m.user == fake.bot.id and m.blocks and m.blocks[0]["type"] == "header" and m.thread_ts is None]


async def board_lag(fake: Any, room: Any, url: str, stage_id: str, since: float, *, limit: float = 15.0) -> float:
    from tests.support.slack import blocks_text

    wanted = await expected_board(url, stage_id)
    while time.monotonic() - since < limit:
        shown = board_messages(fake, room)
        if shown and blocks_text(shown[0].blocks) == wanted:
            return time.monotonic() - since
        await asyncio.sleep(0.02)
    return float("inf")


# ---- the storm under kills -----------------------------------------------------------------------------

async def chaos(kind: str, kills: int, *, seed: int = 1, members: int = 4000, senders: int = 6) -> ChaosResult:
    from bot.i18n.catalog import render
    from bot.i18n.markers import N_
    from bot.i18n.message import Message

    rng = random.Random(seed)
    result = ChaosResult(database="SQLite" if kind == "sqlite" else "PostgreSQL")
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, database(kind, Path(tmp)) as url:
        async with slack_fake(members) as (fake, host, people, room):
            bot = Bot(fake, url, Path(tmp), name="chaos")
            await bot.start()
            while not await send(bot.app_url, fake, f"open {TITLE}", host, room):
                await asyncio.sleep(0.2)
            stage_id = await _stage_id(url)
            acked: list[str] = []
            fresh = iter(people)
            for _ in range(kills):
                stop = asyncio.Event()

                async def storm() -> None:
                    while not stop.is_set():
                        if rng.random() < 0.08:
                            await send(bot.app_url, fake, "next", host, room)
                            continue
                        member = next(fresh)
                        result.sent += 1
                        if await send(bot.app_url, fake, "raise", member, room):
                            acked.append(member.id)

                tasks = [asyncio.create_task(storm()) for _ in range(senders)]
                await asyncio.sleep(rng.uniform(0.2, 1.5))
                stop.set()  # the requests in flight stay in flight: the kill lands among them
                bot.kill()
                await bot.wait()
                result.kills += 1
                await asyncio.gather(*tasks, return_exceptions=True)
                listening = await bot.start()
                result.board_lag.append(await board_lag(fake, room, url, stage_id, listening))
            # The last run settles: every effect committed is delivered.
            deadline = time.monotonic() + 60
            while pending_effects(url) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.5)  # edits and posts handed to the adapter's own workers
            await bot.stop()
            raised = {actor for actor, _ in audit(url, "HandRaised")}
            result.acked = len(acked)
            result.acked_lost = sum(1 for member in acked if member not in raised)
            floors = [target for _, target in audit(url, "SpeakerApproved") if target]
            nexts = [target for _, target in audit(url, "NextInLine") if target]
            result.floors, result.nexts = len(floors), len(nexts)
            dms = {user: Counter(m.text for m in messages) for user, messages in fake.dms.items()}
            channel = Counter(m.text for m in fake.messages(room.id) if m.thread_ts is None)
            floor_dm = N_("You have the floor on “{title}”.")
            next_dm = N_("You're next on “{title}”.")
            for target in floors:
                seen = dms.get(target, Counter())[render(Message.of(floor_dm, title=TITLE), "en")]
                _judge(result, seen, f"floor DM to {target}")
                _judge(result, _count_mention(channel, target, "has the floor"), f"floor announcement of {target}")
            for target in nexts:
                seen = dms.get(target, Counter())[render(Message.of(next_dm, title=TITLE), "en")]
                _judge(result, seen, f"next DM to {target}")
            _judge(result, len(board_messages(fake, room)), "board")
            await close_senders()
            fake.assert_no_spec_violations()
    result.seconds = time.monotonic() - started
    return result


def _count_mention(channel: Counter[str], user_id: str, words: str) -> int:
    return sum(n for text_, n in channel.items() if f"<@{user_id}>" in text_ and words in text_)


def _judge(result: ChaosResult, seen: int, what: str) -> None:
    if seen == 0:
        result.effects_missing.append(what)
    elif seen > 1:
        result.effects_twice.append(f"{what} ×{seen}")


async def _stage_id(url: str) -> str:
    engine = create_engine(url)
    try:
        for _ in range(200):
            with engine.connect() as conn:
                found = conn.execute(text("SELECT id FROM stage WHERE state = 'live'")).scalar()
            if found:
                return str(found)
            await asyncio.sleep(0.05)
    finally:
        engine.dispose()
    raise RuntimeError("the stage never opened")


# ---- two processes, one PostgreSQL database ------------------------------------------------------------

async def conflicts(commands: int, *, senders: int = 16) -> ConflictResult:
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, database("postgresql", Path(tmp)) as url:
        async with slack_fake(commands) as (fake, host, people, room):
            bots = [Bot(fake, url, Path(tmp), name=name) for name in ("a", "b")]
            for bot in bots:
                await bot.start()
            while not await send(bots[0].app_url, fake, f"open {TITLE}", host, room):
                await asyncio.sleep(0.2)
            queue = iter(enumerate(people))
            acked = 0

            async def storm() -> None:
                nonlocal acked
                for index, member in queue:
                    if await send(bots[index % 2].app_url, fake, "raise", member, room):
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
    from bench.machine import describe

    kills = int(os.environ.get("CHAOS_KILLS", "100"))
    commands = int(os.environ.get("CHAOS_COMMANDS", "10000"))
    print(f"machine: {describe()}; load average before: {os.getloadavg()[0]:.2f}")
    for kind in ("sqlite", "postgresql"):
        result = asyncio.run(chaos(kind, kills))
        print(result.summary())
        for line in (result.effects_missing + result.effects_twice)[:20]:
            print("   ", line)
    print(asyncio.run(conflicts(commands)).summary())
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
