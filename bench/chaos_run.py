"""What the chaos storms share (bench/chaos.py on Slack, bench/chaos_discord.py on Discord): the database,
`podium run` as a child process killed with SIGKILL and always reaped, the storm-kill-restart loop, and the
accounting read from the database once the last run settled.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sys
import time
import uuid
from collections import Counter, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

TITLE = "Chaos"
PG = "postgresql+psycopg://{user}@127.0.0.1:5432/test"
RULES = {"RULES__MUST_BE_PRESENT": "false", "RULES__HAND_COOLDOWN": "0", "RULES__IDLE_CLOSE": "0",
         "RULES__MAX_QUEUE_LENGTH": "100000", "RULES__MAX_SPEAKERS": "100"}
LATE = 2.0  # seconds after a restart within which the board must be current


@dataclass
class ChaosResult:
    database: str
    kills: int = 0
    sent: int = 0
    acked: int = 0
    acked_lost: int = 0
    nexts_acked: int = 0  # "next" commands answered "… is now a speaker"
    nexts_lost: int = 0  # of those, more than the floors the database gave
    floors: int = 0  # floors given (committed), each with its effects checked
    nexts: int = 0
    effects_missing: list[str] = field(default_factory=list)
    effects_twice: list[str] = field(default_factory=list)
    board_lag: list[float] = field(default_factory=list)  # seconds from listening again to a current board
    seconds: float = 0.0
    acked_members: list[str] = field(default_factory=list, repr=False)  # whose raise was acknowledged

    def ack(self, member: str) -> None:
        """A raise the platform counted acknowledged (Slack: a 200 in time; Discord: the answer reached it)."""
        self.acked_members.append(member)
        self.acked += 1

    @property
    def boards_late(self) -> int:
        return sum(1 for lag in self.board_lag if lag > LATE)

    def summary(self) -> str:
        lags = sorted(self.board_lag) or [0.0]
        return (f"{self.database}: {self.kills} kills in {self.seconds:.0f} s; {self.sent} raises sent, "
                f"{self.acked} acked, {self.acked_lost} acked but lost; {self.nexts_acked} 'next' acked, "
                f"{self.nexts_lost} lost; {self.floors} floors and {self.nexts} "
                f"'next' notices checked: {len(self.effects_missing)} effects missing, {len(self.effects_twice)} "
                f"seen twice; board current after restart: median {lags[len(lags) // 2]:.2f} s, max "
                f"{lags[-1]:.2f} s, {self.boards_late} over {LATE:.0f} s")


async def storm_step(result: ChaosResult, crowd: Crowd, rng: random.Random, host: Any, *,
                     say: Callable[[str, Any], Awaitable[str | None]], member_id: Callable[[Any], str],
                     acked: Callable[[str | None], bool]) -> None:
    """One act of a storm: now and then the host's next, sometimes a member lowering, else a member raising.
    `say(kind, who)` sends "next", "lower" or "raise" and gives the answer's text (None: no answer);
    `acked(answer)` tells a raise the platform acknowledged."""
    chance = rng.random()
    if chance < 0.08:
        answer = await say("next", host)
        result.nexts_acked += bool(answer and "is now a speaker" in answer)
        return
    lowering = crowd.to_lower() if chance < 0.25 else None
    if lowering is not None:
        answer = await say("lower", lowering)
        if answer and "lowered" in answer:
            crowd.down(lowering)
        return
    member = crowd.to_raise()
    if member is None:
        await asyncio.sleep(0.05)
        return
    result.sent += 1
    if acked(await say("raise", member)):
        result.ack(member_id(member))
        crowd.up(member)


def judge(result: ChaosResult, seen: int, what: str, *, expected: int = 1) -> None:
    if seen < expected:
        result.effects_missing.append(what + (f" ({seen} of {expected})" if expected > 1 else ""))
    elif seen > expected:
        result.effects_twice.append(f"{what} ×{seen}" + (f" for {expected}" if expected > 1 else ""))


class Crowd:
    """The members of a storm, each raising, lowering and raising again, so a long run does not run out of
    members whose hand is down; acked raises are counted per member. A member comes back only after a lower
    answered as done: whoever's state is in doubt (a command not acked, a refusal) leaves the storm, so every
    acked raise of a member who comes back must be in the database."""

    def __init__(self, people: list[Any]) -> None:
        self._down: deque[Any] = deque(people)
        self._up: deque[Any] = deque()

    def to_raise(self) -> Any:
        return self._down.popleft() if self._down else None

    def to_lower(self) -> Any:
        return self._up.popleft() if len(self._up) > 20 else None  # the queue keeps some hands

    def up(self, member: Any) -> None:
        self._up.append(member)

    def down(self, member: Any) -> None:
        self._down.append(member)


# ---- databases ---------------------------------------------------------------------------------------

@contextlib.contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
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


def _rows(url: str, query: str, **params: Any) -> list[Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(query), params))
    finally:
        engine.dispose()


def audit(url: str, kind: str) -> list[tuple[str, str | None]]:
    rows = _rows(url, "SELECT actor_id, target_id FROM audit_log WHERE kind = :k ORDER BY id", k=kind)
    return [(r.actor_id, r.target_id) for r in rows]


def speakers(url: str) -> set[str]:
    return {r.user_id for r in _rows(url, "SELECT user_id FROM participant WHERE speaking_since IS NOT NULL")}


def pending_effects(url: str) -> int:
    return int(_rows(url, "SELECT count(*) AS n FROM outbox")[0].n)


async def stage_id(url: str) -> str:
    for _ in range(200):
        found = _rows(url, "SELECT id FROM stage WHERE state = 'live'")
        if found:
            return str(found[0].id)
        await asyncio.sleep(0.05)
    raise RuntimeError("the stage never opened")


async def settled(url: str, *, after: float) -> None:
    """The last run settles: every effect committed is delivered, then `after` seconds for what the adapter
    hands to workers of its own (coalesced board edits, paced posts)."""
    # Direct messages go out paced (Discord: 2 a second), so a short run's floors may leave a few minutes of them.
    deadline = time.monotonic() + 300
    while pending_effects(url) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    await asyncio.sleep(after)


# ---- the bot as a process ----------------------------------------------------------------------------

class BotProcess:
    """`podium run` with one platform's settings, started, killed and reaped at will."""

    def __init__(self, folder: Path, *, name: str, env: dict[str, str]) -> None:
        self.folder, self.name, self._env = folder, name, env
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, ready: Callable[[], Awaitable[bool]], *, within: float = 30.0) -> float:
        """Starts the bot; the moment `ready()` first says so (time.monotonic)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "RULES__"))}
        env.update({"LOG_LEVEL": os.environ.get("CHAOS_LOG_LEVEL", "WARNING"), "INSTANCE_NAME": self.name, **RULES,
                    **self._env})
        log = open(self.folder / f"{self.name}.log", "ab")  # noqa: SIM115 - the process writes it
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=self.folder, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process.returncode is not None:
                raise RuntimeError(f"podium run stopped: {self.log_text()[-2000:]}")
            if await ready():
                return time.monotonic()
            await asyncio.sleep(0.02)
        raise RuntimeError(f"podium run never became ready: {self.log_text()[-2000:]}")

    async def once(self, *args: str) -> str:
        """`podium ARGS` with the same settings, to its end (e.g. `discord sync`); what it printed."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "RULES__"))}
        env.update({"LOG_LEVEL": "WARNING", **self._env})
        done = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", *args, env=env, cwd=self.folder,
                                                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out, _ = await done.communicate()
        if done.returncode != 0:
            raise RuntimeError(f"podium {' '.join(args)} failed: {out.decode(errors='replace')[-2000:]}")
        return out.decode(errors="replace")

    async def kill(self) -> None:
        """SIGKILL, and the child reaped (no zombie left behind however the run ends)."""
        if self.process is not None:
            if self.process.returncode is None:
                self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                await self.kill()

    def log_text(self) -> str:
        path = self.folder / f"{self.name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


@contextlib.asynccontextmanager
async def reaped(*bots: BotProcess) -> AsyncIterator[None]:
    """Whatever happens in the block (a failed check, Ctrl-C), no `podium run` outlives it."""
    try:
        yield
    finally:
        for bot in bots:
            await bot.kill()


async def kill_loop(result: ChaosResult, *, kills: int, rng: random.Random, senders: int,
                    act: Callable[[], Awaitable[None]], bot: BotProcess,
                    restart: Callable[[], Awaitable[float]], window: tuple[float, float]) -> None:
    """`kills` times: `senders` storms of `act` for a random time within `window`, SIGKILL among the requests
    in flight, then `restart` (which returns how long the board took to be current again)."""
    for _ in range(kills):
        stop = asyncio.Event()

        async def storm() -> None:
            while not stop.is_set():
                await act()

        tasks = [asyncio.create_task(storm()) for _ in range(senders)]
        await asyncio.sleep(rng.uniform(*window))
        stop.set()  # the requests in flight stay in flight: the kill lands among them
        await bot.kill()
        result.kills += 1
        await asyncio.gather(*tasks, return_exceptions=True)
        result.board_lag.append(await restart())


def check_floors(result: ChaosResult, url: str, dms: dict[str, Counter[str]], *, floor_dm: str,
                 next_dm: str) -> list[str]:
    """Acknowledged raises and nexts against the database, and the direct messages every floor and every
    "you're next" implies; returns the floors given (for the platform's own checks)."""
    raised = Counter(actor for actor, _ in audit(url, "HandRaised"))
    acked = Counter(result.acked_members)
    result.acked_lost = sum(max(0, times - raised[member]) for member, times in acked.items())
    floors = Counter(target for _, target in audit(url, "SpeakerApproved") if target)
    nexts = Counter(target for _, target in audit(url, "NextInLine") if target)
    result.floors, result.nexts = sum(floors.values()), sum(nexts.values())
    result.nexts_lost = max(0, result.nexts_acked - result.floors)
    for target, times in floors.items():
        judge(result, dms.get(target, Counter())[floor_dm], f"floor DM to {target}", expected=times)
    for target, times in nexts.items():
        judge(result, dms.get(target, Counter())[next_dm], f"next DM to {target}", expected=times)
    return list(floors.elements())

