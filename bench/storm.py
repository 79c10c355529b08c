"""Storm: one stage, 5,000 members raise hands in random order, then 500 mixed moderation commands.

Runs through the message bus with SQLite persistence (the default), one command at a time as the
platforms deliver them, each acknowledged only once committed. Each run has a process of its own,
its threads kept on one CPU as `podium run` keeps them (SINGLE_CPU=true), or left to the system.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.machine import percentile
from bot.bootstrap import build
from bot.config import Settings
from bot.cpu import keep_on_one_cpu
from bot.domain import commands as c
from bot.domain.errors import StageError
from bot.domain.members import Actor

MEMBERS = 5_000
MIXED = 500


@dataclass
class StormResult:
    commands: int
    seconds: float
    latencies_ms: list[float]
    refused: int

    @property
    def per_second(self) -> float:
        return self.commands / self.seconds


async def storm(database: Path, *, seed: int) -> StormResult:
    settings = Settings(_env_file=None, rules={"max_queue_length": MEMBERS, "max_speakers": 50,
                                               "hand_cooldown": 0})
    app = build(settings, database_url=f"sqlite:///{database}")
    await app.start()
    host = Actor("host", platform_moderator=True)
    members = [f"m{i:05d}" for i in range(MEMBERS)]
    await app.bus.handle(c.OpenStage(actor=host, platform="bench", space_id="s", channel_id="c", title="Storm",
                                     present=frozenset(members)))
    stage_id = await app.queries.live_stage("bench", "s", "c")
    rng = random.Random(seed)
    order = members[:]
    rng.shuffle(order)
    script: list[c.Command] = [c.RaiseHand(actor=Actor(m), stage_id=stage_id, note="q") for m in order]
    for _ in range(MIXED):
        kind = rng.choice(("approve", "deny", "lower", "audience"))
        target = rng.choice(order)
        if kind == "approve":
            script.append(c.ApproveNext(actor=host, stage_id=stage_id))
        elif kind == "deny":
            script.append(c.DenyHand(actor=host, stage_id=stage_id, user_id=target))
        elif kind == "lower":
            script.append(c.LowerHand(actor=Actor(target), stage_id=stage_id))
        else:
            script.append(c.MoveToAudience(actor=host, stage_id=stage_id, user_id=target))
    latencies, refused = [], 0
    started = time.perf_counter()
    for command in script:
        before = time.perf_counter()
        try:
            await app.bus.handle(command)
        except StageError:
            refused += 1  # e.g. denying a hand that was already served: refused, and still a command
        latencies.append((time.perf_counter() - before) * 1000)
    seconds = time.perf_counter() - started
    await app.stop()
    return StormResult(len(script), seconds, latencies, refused)


def run_once(seed: int, *, single_cpu: bool = True) -> StormResult:
    """One storm in a fresh process placed as `podium run` places itself (SINGLE_CPU), or not."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_run_here, seed, single_cpu).result()


def _run_here(seed: int, single_cpu: bool) -> StormResult:
    if single_cpu:
        keep_on_one_cpu()
    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(storm(Path(folder) / "storm.db", seed=seed))


def summary(result: StormResult) -> str:
    return (f"{result.commands} commands ({result.refused} refused) in {result.seconds:.2f} s: "
            f"{result.per_second:,.0f} commands/s, p50 {percentile(result.latencies_ms, 0.5):.2f} ms, "
            f"p99 {percentile(result.latencies_ms, 0.99):.2f} ms")
