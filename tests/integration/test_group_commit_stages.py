"""Group commit across stages: commands of different stages and kinds that queue while a transaction is in
flight go through in the next one together, each answered as if alone, and each stage's commands in order."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, event, text

from bot.bootstrap import App
from bot.clock import ManualClock
from bot.domain import commands as c
from bot.domain import errors
from bot.domain.members import Actor
from tests.fakes.platform import FakePlatform
from tests.support.apps import Apps
from tests.support.stages import HOST, audit_kinds, load, open_live, open_stage, refuse_inserts, stored_version

STAGES = 6
MEMBERS = [f"m{n}" for n in range(8)]


@contextmanager
def counting_commits(app: App) -> Iterator[list[int]]:
    commits: list[int] = []
    listener = lambda _conn: commits.append(1)  # noqa: E731
    event.listen(app.db.engine, "commit", listener)
    try:
        yield commits
    finally:
        event.remove(app.db.engine, "commit", listener)


async def open_stages(app: App, count: int = STAGES) -> list[str]:
    return [await open_live(app, f"chan-{n}", present=set(MEMBERS)) for n in range(count)]


def raise_on(stage_id: str, member: str) -> c.RaiseHand:
    return c.RaiseHand(actor=Actor(member), stage_id=stage_id, note=f"from {member}")


async def test_commands_on_many_stages_waiting_together_share_a_commit(apps: Apps) -> None:
    app = await apps.start()
    stages = await open_stages(app)
    with counting_commits(app) as commits:
        replies = await asyncio.gather(*(app.bus.handle(raise_on(s, "m1")) for s in stages))
    assert [r.params["position"] for r in replies] == [1] * STAGES
    assert 1 <= len(commits) < STAGES  # they did not take a transaction each
    for stage_id in stages:
        assert list((await load(app, stage_id)).queue) == ["m1"]


async def test_a_lone_command_commits_at_once_and_is_answered_after(apps: Apps, plain_engine: Engine) -> None:
    app = await apps.start()
    [stage_id] = await open_stages(app, 1)
    with counting_commits(app) as commits:
        reply = await app.bus.handle(raise_on(stage_id, "m2"))
        assert len(commits) == 1  # answered only once its own commit was made
    assert reply.params["position"] == 1
    assert "HandRaised" in audit_kinds(plain_engine, stage_id)


async def test_each_stage_keeps_its_own_order_while_stages_and_kinds_go_together(apps: Apps) -> None:
    app = await apps.start()
    stages = await open_stages(app)

    async def in_turn(stage_id: str) -> list[int]:
        return [(await app.bus.handle(raise_on(stage_id, m))).params["position"] for m in MEMBERS]

    async def open_more() -> list[str]:
        return [str(await app.bus.handle(open_stage(f"new-{n}", title=f"Late {n}"))) for n in range(3)]

    async def approve_twice(stage_id: str) -> None:
        await asyncio.sleep(0)
        for _ in range(2):
            try:
                await app.bus.handle(c.ApproveNext(actor=HOST, stage_id=stage_id))
            except errors.QueueEmpty:
                pass

    *positions, _, _ = await asyncio.gather(*(in_turn(s) for s in stages), open_more(), approve_twice(stages[0]))
    assert positions[1:] == [list(range(1, len(MEMBERS) + 1))] * (STAGES - 1)
    for stage_id in stages[1:]:
        assert list((await load(app, stage_id)).queue) == MEMBERS
    first = await load(app, stage_id=stages[0])
    assert sorted([*first.queue, *first.speaking]) == sorted(MEMBERS)
    assert list(first.queue) == [m for m in MEMBERS if m not in first.speaking]
    for n in range(3):
        assert await app.queries.live_stage("fake", "space-1", f"new-{n}") is not None


async def test_a_refused_command_in_a_group_of_stages_refuses_itself_only(apps: Apps, plain_engine: Engine) -> None:
    app = await apps.start()
    stages = await open_stages(app)
    await app.bus.handle(raise_on(stages[2], "m3"))  # raised already: raising again there is refused
    outcomes = await asyncio.gather(*(app.bus.handle(raise_on(s, "m3")) for s in stages), return_exceptions=True)
    refused = [n for n, o in enumerate(outcomes) if isinstance(o, BaseException)]
    assert refused == [2]
    assert isinstance(outcomes[2], errors.AlreadyRaised) and outcomes[2].params == {"position": 1}
    for stage_id in stages:
        assert list((await load(app, stage_id)).queue) == ["m3"]
        assert audit_kinds(plain_engine, stage_id).count("HandRaised") == 1


async def test_a_command_failing_midway_through_a_group_fails_alone(apps: Apps, plain_engine: Engine,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    app = await apps.start()
    stages = await open_stages(app)
    refuse_inserts(plain_engine, "audit_log", f"NEW.stage_id = '{stages[3]}'")  # the database refuses it
    outcomes = await asyncio.gather(*(app.bus.handle(raise_on(s, "m4")) for s in stages), return_exceptions=True)
    failed = [n for n, o in enumerate(outcomes) if isinstance(o, BaseException)]
    assert failed == [3] and isinstance(outcomes[3], errors.Unexpected)
    # The group's failure is said (with the database's error), not only the one command's.
    assert any(r.levelname == "WARNING" and "each is judged alone" in r.getMessage() and r.exc_info
               for r in caplog.records)
    for n, stage_id in enumerate(stages):
        assert list((await load(app, stage_id)).queue) == ([] if n == 3 else ["m4"])
        assert audit_kinds(plain_engine, stage_id).count("HandRaised") == (0 if n == 3 else 1)


async def test_a_stage_written_meanwhile_by_someone_else_is_judged_again_alone(apps: Apps,
                                                                              plain_engine: Engine) -> None:
    app = await apps.start()
    stages = await open_stages(app)
    await app.bus.handle(raise_on(stages[1], "m5"))
    with plain_engine.begin() as conn:  # another writer moved stage 1 on behind this process's back
        conn.execute(text("UPDATE stage SET version = version + 5 WHERE id = :id"), {"id": stages[1]})
    moved = stored_version(plain_engine, stages[1])
    outcomes = await asyncio.gather(*(app.bus.handle(raise_on(s, "m6")) for s in stages), return_exceptions=True)
    assert not [o for o in outcomes if isinstance(o, BaseException)]
    assert outcomes[1].params["position"] == 2  # type: ignore[union-attr]
    assert stored_version(plain_engine, stages[1]) == moved + 1
    assert list((await load(app, stages[1])).queue) == ["m5", "m6"]
    for stage_id in stages:
        assert audit_kinds(plain_engine, stage_id).count("HandRaised") == (2 if stage_id == stages[1] else 1)


async def test_a_crash_between_a_group_commit_and_its_answers_keeps_the_group_and_its_effects(
        apps: Apps, database_url: str) -> None:
    """kill -9 right after the driver committed a group, before any of its commands was answered: after a
    restart every command of the group is there, and the effects written with them go out."""
    app = await apps.start(clock=ManualClock(datetime.now(UTC)))  # the child runs on the real clock
    stages = await open_stages(app)
    await apps.stop(app)
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CRASHING, database_url, *stages, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(child.communicate(), 60)
    assert child.returncode == 9, err.decode()[-2000:]
    answered = [line.split()[1] for line in out.decode().splitlines() if line.startswith("answered")]
    # The first command went alone, at once; the others queued meanwhile and went as one group, whose commit
    # was the last thing the process did: none of them was answered.
    assert answered in ([], stages[:1])
    platform = FakePlatform()
    app = await apps.start(platform=platform, clock=ManualClock(datetime.now(UTC)))
    for stage_id in stages:
        assert list((await load(app, stage_id)).queue) == ["m7"]
    for _ in range(500):  # the effects left in the outbox go out once the platform is there
        if all(platform.of(stage_id, "show_board") for stage_id in stages):
            break
        await asyncio.sleep(0.01)
    assert [bool(platform.of(stage_id, "show_board")) for stage_id in stages] == [True] * STAGES


# Raises a hand on each stage given, all at once; the driver's second commit (the group's) is followed by the
# process's death, as a kill -9 at that moment would leave it.
CRASHING = """
import asyncio, os, sys
from bot.bootstrap import build
from bot.config import Settings
from bot.domain import commands as c
from bot.domain.members import Actor
from bot.persistence.fastsql import Batch

async def main(url, stages):
    app = build(Settings(_env_file=None), database_url=url)
    await app.start()
    dialect = app.db.engine.dialect
    commit, commits = dialect.do_commit, []
    def died_at_the_second():
        commits.append(1)
        if len(commits) == 2:
            os._exit(9)
    def commit_then_die(connection):
        commit(connection)
        died_at_the_second()
    dialect.do_commit = commit_then_die
    # On PostgreSQL a command's transaction is committed by its batch of writes (COMMIT sent with them).
    written = Batch.__exit__
    def written_then_die(batch, *exc):
        written(batch, *exc)
        if batch.commits and exc[0] is None:
            died_at_the_second()
    Batch.__exit__ = written_then_die

    async def one(stage_id):
        await app.bus.handle(c.RaiseHand(actor=Actor("m7"), stage_id=stage_id))
        print("answered", stage_id, flush=True)
    await asyncio.gather(*(one(s) for s in stages))

asyncio.run(main(sys.argv[1], sys.argv[2:]))
"""


async def test_commands_of_one_stage_given_up_on_together_are_each_answered(apps: Apps, monkeypatch) -> None:
    # Several hands of one stage wait together and go as one unit; every write of it conflicts until the bus
    # gives up. Each member is told so, none is left waiting.
    from bot.persistence.uow import SqlUnitOfWork
    from bot.ports import ConcurrencyConflict

    app = await apps.start()
    [stage_id] = await open_stages(app, 1)
    real_commit = SqlUnitOfWork.commit

    async def conflicting(self: SqlUnitOfWork) -> None:
        if any(s.id == stage_id and s.events for s in self.stages.seen.values()):
            raise ConcurrencyConflict(stage_id)
        await real_commit(self)

    monkeypatch.setattr(SqlUnitOfWork, "commit", conflicting)
    outcomes = await asyncio.wait_for(asyncio.gather(*(app.bus.handle(raise_on(stage_id, m)) for m in MEMBERS),
                                                     return_exceptions=True), timeout=30)
    assert [type(o) for o in outcomes] == [errors.Unexpected] * len(MEMBERS)
    assert list((await load(app, stage_id)).queue) == []



async def test_a_timer_that_cannot_be_stored_after_the_commit_leaves_the_answer_as_committed(apps: Apps,
                                                                                              caplog) -> None:
    app = await apps.start()
    [stage_id] = await open_stages(app, 1)
    await app.bus.handle(raise_on(stage_id, "m1"))
    scheduler = app.scheduler
    real_cancel = scheduler.cancel

    async def broken(key: str) -> None:
        raise RuntimeError("the job store is gone")

    scheduler.cancel = broken  # a speaker on the floor: the idle timer is cancelled after the commit
    reply = await app.bus.handle(c.ApproveNext(actor=HOST, stage_id=stage_id))
    assert reply.msgid and (await load(app, stage_id)).speaking == {"m1"}
    assert "arming the timers of" in caplog.text
    scheduler.cancel = real_cancel
    await app.bus.handle(raise_on(stage_id, "m2"))  # armed again at the stage's next command
    assert app.bus.timers.armed(stage_id)
