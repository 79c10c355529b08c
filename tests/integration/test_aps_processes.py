"""Several bot processes on one PostgreSQL database: one leader runs every job, each exactly once.

The two-process test starts real subprocesses (this module run as ``python -m``), each building its own
App on the same schema and scheduling jobs; their effects are counted in the audit log.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.bootstrap import build
from bot.domain import commands as c
from bot.domain.commands import Command
from scheduler.aps import ApsScheduler
from bot.domain.members import Actor
from tests.support.aps import (
    HOST,
    ON_TIME,
    Recorder,
    audit,
    expire,
    open_stage,
    settings,
    soon,
    start_app,
    topics,
    until,
)

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


async def test_one_scheduler_leads_and_another_takes_over_when_it_stops(pg_url: str) -> None:
    first_seen, second_seen = Recorder(), Recorder()
    first = ApsScheduler(pg_url, run=first_seen.run)
    second = ApsScheduler(pg_url, run=second_seen.run)
    try:
        await first.start()
        await second.start()
        assert first.leader and not second.leader

        at = soon(0.5)
        await second.schedule("from-the-standby", at, expire("a"))  # the leader must notice it
        await first_seen.wait_for(1)
        assert timedelta(0) <= first_seen.fired[0][0] - at < ON_TIME

        await first.schedule("after-the-leader-left", soon(0.6), expire("b"))
        await first.stop()
        await second_seen.wait_for(1, within=3)
        assert second.leader
        assert [cmd for _, cmd in first_seen.fired] == [expire("a")]
        assert [cmd for _, cmd in second_seen.fired] == [expire("b")]
    finally:
        await first.stop()
        await second.stop()


async def test_a_job_a_leader_claimed_and_lost_is_re_armed_by_the_next_leader(pg_url: str) -> None:
    url, rules = pg_url, {"speaking_time_limit": 1, "warn_before": 0, "idle_close": 0}
    a = build(settings(rules=rules), scheduler="aps", database_url=url)
    lost: list[Command] = []

    async def claimed_then_gone(command: Command) -> None:
        lost.append(command)  # the job left the table, and its command never reached a bus: a leader that died

    a.scheduler.run = claimed_then_gone
    await a.start()
    b = await start_app(url, rules=rules)
    try:
        assert a.scheduler.leader and not b.scheduler.leader
        stage_id = await open_stage(a, "alice")
        await a.bus.handle(c.RaiseHand(stage_id=stage_id, actor=Actor("alice")))
        await a.bus.handle(c.ApproveSpeaker(stage_id=stage_id, user_id="alice", actor=HOST))
        await until(lambda: lost == [expire(stage_id)], within=5)
        assert await b.scheduler.pending() == {}  # the job is gone from the table with the leader's claim

        await a.stop()  # the leadership passes to b, which re-arms from what is stored
        moved = lambda: [r for r in audit(url, stage_id) if r["kind"] == "SpeakerMovedToAudience"]  # noqa: E731
        await until(moved, within=5)
        await asyncio.sleep(0.5)  # room for a second move to show up
        assert b.scheduler.leader
        assert [(r["target_id"], r["reason"]) for r in moved()] == [("alice", "time_up")]
        assert (await b.queries.roster(stage_id)).speakers == frozenset()
    finally:
        await a.stop()
        await b.stop()


# ---- two processes ---------------------------------------------------------------------------------

class Worker:
    """A bot process of its own, driven by lines on stdin, telling what it fired on stdout."""

    def __init__(self, process: asyncio.subprocess.Process, name: str) -> None:
        self.process, self.name = process, name
        self.lines: list[str] = []
        self._news = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, url: str, name: str, log: Path) -> Worker:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.integration.test_aps_processes", url, name, cwd=ROOT,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=log.open("wb"),
            env={**os.environ, "PYTHONPATH": str(ROOT)})
        return cls(process, name)

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            self.lines.append(line.decode().strip())
            self._news.set()

    async def expect(self, prefix: str, within: float = 10.0) -> str:
        async with asyncio.timeout(within):
            while True:
                for line in self.lines:
                    if line.startswith(prefix):
                        self.lines.remove(line)
                        return line
                self._news.clear()
                if self.process.returncode is not None and self._reader.done():
                    raise AssertionError(f"worker {self.name} exited with {self.process.returncode}")
                await self._news.wait()

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{line}\n".encode())

    @property
    def fired(self) -> list[str]:
        return [line.split()[1] for line in self.lines if line.startswith("fired ")]

    async def finish(self) -> None:
        if self.process.returncode is None:
            self.send("stop")
            try:
                async with asyncio.timeout(10):
                    await self.process.wait()
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        await self._reader


async def test_two_processes_run_each_job_exactly_once_and_a_standby_takes_over(
        pg_url: str, tmp_path: Path) -> None:
    url = pg_url
    setup = build(settings(), scheduler="memory", database_url=url)  # migrates once, before the workers
    await setup.start()
    stage_id = await open_stage(setup)
    await setup.stop()

    a = await Worker.start(url, "a", tmp_path / "a.log")
    b = None
    try:
        assert await a.expect("ready") == "ready leader=True"
        b = await Worker.start(url, "b", tmp_path / "b.log")
        assert await b.expect("ready") == "ready leader=False"

        # Twelve jobs, 300 ms apart, alternating between the processes that schedule them.
        base, spacing = datetime.now(UTC) + timedelta(seconds=1), 0.3
        slots = {f"{name}-{i}": base + timedelta(seconds=spacing * (2 * i + first))
                 for name, first in (("a", 0), ("b", 1)) for i in range(6)}
        for worker, first in ((a, 0), (b, 1)):
            worker.send(f"schedule {stage_id} {base.isoformat()} {spacing} 6 {first} 2")
            await worker.expect("scheduled")

        # The leader runs the standby's jobs too; kill it between two jobs, after four have run.
        await until(lambda: len(topics(url, stage_id)) >= 4, within=5)
        a.process.send_signal(signal.SIGKILL)
        await a.process.wait()
        killed_at = datetime.now(UTC)

        await until(lambda: len(topics(url, stage_id)) >= len(slots), within=8)
        await asyncio.sleep(0.6)  # room for a duplicate to show up
        b.send("status")
        assert await b.expect("leader") == "leader True"
    finally:
        await a.finish()
        if b is not None:
            await b.finish()

    done = Counter(topics(url, stage_id))
    assert done == Counter(set(slots)), done  # every job once: none lost, none twice
    ran_on_a, ran_on_b = set(a.fired), set(b.fired)
    assert ran_on_a | ran_on_b == set(slots) and not ran_on_a & ran_on_b
    by_time = sorted(slots, key=slots.__getitem__)
    assert ran_on_a == set(by_time[:len(ran_on_a)]) and len(ran_on_a) >= 4  # the leader ran all until killed
    assert {"a-0", "b-0", "a-1", "b-1"} <= ran_on_a  # including what the standby scheduled
    applied = {row["data"]["topic"]: row["at"] for row in audit(url, stage_id) if row["kind"] == "TopicChanged"}
    for key, at in slots.items():
        assert applied[key] >= at, f"{key} ran early"
        if key in ran_on_a or at > killed_at + timedelta(seconds=1.5):
            assert applied[key] - at < ON_TIME, f"{key} ran {applied[key] - at} late"


# ---- the worker ------------------------------------------------------------------------------------

async def _worker(url: str, name: str) -> None:
    app = build(settings(scheduler_misfire_grace=60, rules={"idle_close": 0}), scheduler="aps", database_url=url)
    handle = app.bus.handle

    async def run(command: Command) -> object:
        if isinstance(command, c.SetTopic):
            print(f"fired {command.topic}", flush=True)
        return await handle(command)

    app.scheduler.run = run
    await app.start()
    print(f"ready leader={app.scheduler.leader}", flush=True)
    loop = asyncio.get_running_loop()
    while line := (await loop.run_in_executor(None, sys.stdin.readline)).strip():
        match line.split():
            case ["schedule", stage_id, base, spacing, count, first, stride]:
                for i in range(int(count)):
                    at = datetime.fromisoformat(base) + timedelta(
                        seconds=float(spacing) * (int(first) + i * int(stride)))
                    key = f"{name}-{i}"
                    await app.scheduler.schedule(key, at, c.SetTopic(stage_id=stage_id, topic=key, actor=HOST))
                print("scheduled", flush=True)
            case ["status"]:
                print(f"leader {app.scheduler.leader}", flush=True)
            case ["stop"]:
                break
    await app.stop()


if __name__ == "__main__":
    asyncio.run(_worker(sys.argv[1], sys.argv[2]))
