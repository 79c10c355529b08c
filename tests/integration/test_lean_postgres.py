"""The lean PostgreSQL path: no pre-ping, the version read inside the stage's lock, timer jobs re-stored only
when a command moved them; each of these must leave the answers exactly as before."""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from bot.domain import commands as c
from bot.domain.errors import StageError
from bot.domain.members import SYSTEM, Actor
from bot.domain.timers import next_due
from bot.persistence import database
from bot.persistence.uow import SqlUnitOfWork
from bot.ports import ConcurrencyConflict, ConnectionLost, OutboxEntry
from bot.bootstrap import App, build
from bot.clock import ManualClock
from tests.support.apps import T0, Apps, make_settings
from tests.support.aps import HOST as APS_HOST
from tests.support.aps import open_stage as aps_open_stage
from tests.support.aps import start_app
from bench.roundtrips import WireProxy
from tests.support.databases import PG_HOST, PG_PORT, driver_statements
from tests.support.stages import audit_kinds, load, open_live

pytestmark = pytest.mark.postgres


async def test_a_process_with_a_stale_cache_judges_on_what_another_process_stored(pg_url: str) -> None:
    """A refusal writes nothing, so no versioned write would catch a stale judgement: the read must be fresh."""
    first, second = (build(make_settings(rules={"hand_cooldown": 0}), clock=ManualClock(T0), database_url=pg_url)
                     for _ in range(2))
    await first.start()
    await second.start()
    try:
        await _stale(first, second)
    finally:
        await second.stop()
        await first.stop()


async def _stale(first: App, second: App) -> None:
    stage_id = await open_live(first, present={"bob"})
    await second.bus.handle(c.RaiseHand(actor=Actor("bob"), stage_id=stage_id))  # second's cache knows the hand
    await first.bus.handle(c.LowerHand(actor=Actor("bob"), stage_id=stage_id))
    reply = await second.bus.handle(c.RaiseHand(actor=Actor("bob"), stage_id=stage_id))  # not "already raised"
    assert reply.params["position"] == 1
    assert (await load(first, stage_id)).hands_raised == 2


async def test_a_command_on_a_stage_this_process_holds_current_takes_no_lock(pg_apps: Apps,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The cached stage carries the version it was read at, and the versioned update checks it in the command's
    own transaction: no lock, no version read, only the writes."""
    app = await pg_apps.start()
    stage_id = await open_live(app, present={"bob", "carol"})
    await app.bus.handle(c.RaiseHand(actor=Actor("bob"), stage_id=stage_id))
    sent = driver_statements(monkeypatch)
    reply = await app.bus.handle(c.RaiseHand(actor=Actor("carol"), stage_id=stage_id))
    assert reply.params["position"] == 2
    # The versioned update (checked by the server: "WITH written AS (UPDATE stage ...) SELECT podium_still(...)"),
    # between the transaction's own BEGIN and COMMIT.
    assert sent == ["BEGIN", "WITH written AS", "INSERT INTO participant", "INSERT INTO audit_log",
                    "INSERT INTO outbox", "COMMIT"]


async def test_a_command_on_a_stage_this_process_holds_current_is_one_round_trip(pg_url: str) -> None:
    """BEGIN, the versioned update, the member, the audit entry, the effect and COMMIT go out together and are
    answered once (counted on the wire, between the bot and the server)."""
    wire = await WireProxy().start()
    app = build(make_settings(rules={"hand_cooldown": 0}), clock=ManualClock(T0),
                database_url=pg_url.replace(f"@{PG_HOST}:{PG_PORT}/", f"@{PG_HOST}:{wire.port}/"))
    await app.start()
    try:
        stage_id = await open_live(app, present={"bob", "carol"})
        await app.bus.handle(c.RaiseHand(actor=Actor("bob"), stage_id=stage_id))
        wire.reset()
        reply = await app.bus.handle(c.RaiseHand(actor=Actor("carol"), stage_id=stage_id))
        assert reply.params["position"] == 2
        # (Other transactions, the delivery of the effects among them, go by on other connections or after it.)
        (trips,) = [trips for trips, sent in wire.counter.transactions if any("stage" in s for s in sent)]
        assert trips == 1
        assert (await load(app, stage_id)).hands_raised == 2
    finally:
        await app.stop()
        await wire.stop()


async def test_a_refusal_on_a_stale_cache_is_judged_again_under_the_lock(pg_url: str,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A refusal writes nothing for the versioned update to catch: its stage's version is checked before the
    refusal is given, and when another process moved it, the command is judged again on the stored stage,
    with the stage's lock (the stage is now shared: the next command locks it too, not guessing again)."""
    first, second = (build(make_settings(rules={"hand_cooldown": 0}), clock=ManualClock(T0), database_url=pg_url)
                     for _ in range(2))
    await first.start()
    await second.start()
    try:
        stage_id = await open_live(first, present={"bob", "carol"})
        await second.bus.handle(c.RaiseHand(actor=Actor("bob"), stage_id=stage_id))
        await first.bus.handle(c.LowerHand(actor=Actor("bob"), stage_id=stage_id))
        sent = driver_statements(monkeypatch)
        assert (await second.bus.handle(c.RaiseHand(actor=Actor("bob"), stage_id=stage_id))).params == {
            "position": 1}
        assert sent.count("SELECT version FROM") == 1  # judged again with the stage's row locked
        sent.clear()
        await second.bus.handle(c.RaiseHand(actor=Actor("carol"), stage_id=stage_id))
        assert sent.count("SELECT version FROM") == 1 and sent.count("WITH written AS") == 1
    finally:
        await second.stop()
        await first.stop()


async def test_a_connection_the_server_dropped_is_replaced_and_the_command_goes_through(
        pg_apps: Apps, pg_engine: Engine, pg_url: str) -> None:
    app = await pg_apps.start()
    stage_id = await open_live(app, present={"bob", "carol"})
    await app.bus.handle(c.RaiseHand(actor=Actor("bob"), stage_id=stage_id))
    name = pg_url.rsplit("application_name=", 1)[1].split("&")[0]
    with pg_engine.connect() as admin:  # a server restart, as the bot's pooled connections see it
        killed = admin.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                    "WHERE application_name = :name AND pid <> pg_backend_pid()"),
                               {"name": name}).scalar()
    assert killed and killed >= 1
    reply = await app.bus.handle(c.RaiseHand(actor=Actor("carol"), stage_id=stage_id))
    assert reply.params["position"] == 2
    assert (await load(app, stage_id)).hands_raised == 2


async def test_after_a_server_restart_one_command_finds_the_pool_gone_not_one_a_connection(
        pg_apps: Apps, pg_engine: Engine, pg_url: str) -> None:
    app = await pg_apps.start()
    stage_id = await open_live(app, present={"bob", "carol", "dave"})

    await app.db.run(_fill_pool, app.db.engine)
    name = pg_url.rsplit("application_name=", 1)[1].split("&")[0]
    with pg_engine.connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE application_name = :name AND pid <> pg_backend_pid()"), {"name": name})
    lost = _counting_lost(app)
    for user in ("bob", "carol", "dave"):
        await app.bus.handle(c.RaiseHand(actor=Actor(user), stage_id=stage_id))
    assert len(lost) == 1, lost  # the first finds the server gone; the pool's other connections are replaced
    assert (await load(app, stage_id)).hands_raised == 3


async def test_connections_older_than_the_recycle_age_are_replaced_before_a_command_meets_them_dropped(
        pg_apps: Apps, pg_engine: Engine, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool hands out the connection used last, so the others may sit idle long enough for a network or the
    server to drop them: past the recycle age they are replaced when taken, and no command pays a retry."""
    monkeypatch.setattr(database, "RECYCLE_SECONDS", 1.0)
    app = await pg_apps.start()
    stage_id = await open_live(app, present={"bob"})
    await app.db.run(_fill_pool, app.db.engine)
    name = pg_url.rsplit("application_name=", 1)[1].split("&")[0]
    with pg_engine.connect() as admin:  # an idle timeout somewhere drops every idle connection
        admin.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE application_name = :name AND pid <> pg_backend_pid()"), {"name": name})
    await asyncio.sleep(1.2)
    lost = _counting_lost(app)
    await app.bus.handle(c.RaiseHand(actor=Actor("bob"), stage_id=stage_id))
    assert lost == []
    assert (await load(app, stage_id)).hands_raised == 1


def _fill_pool(engine: Engine) -> None:
    """The pool holds several idle connections, as after a busy moment."""
    held = [engine.connect() for _ in range(4)]
    for conn in held:
        conn.exec_driver_sql("SELECT 1")
    for conn in held:
        conn.close()


def _counting_lost(app: App) -> list[object]:
    """The database work that found its connection gone (ConnectionLost), from now on."""
    lost: list[object] = []
    run = app.db.run

    async def counting(work, *args):  # type: ignore[no-untyped-def]
        try:
            return await run(work, *args)
        except ConnectionLost:
            lost.append(work)
            raise

    app.db.run = counting  # type: ignore[method-assign]
    return lost


async def test_a_refusal_on_postgresql_still_changes_nothing(pg_apps: Apps) -> None:
    app = await pg_apps.start()
    stage_id = await open_live(app, present={"bob"})
    await app.bus.handle(c.RaiseHand(actor=Actor("bob"), stage_id=stage_id))
    before = await load(app, stage_id)
    with pytest.raises(StageError):
        await app.bus.handle(c.RaiseHand(actor=Actor("bob"), stage_id=stage_id))
    assert (await load(app, stage_id)).version == before.version


async def test_a_versioned_write_lost_inside_the_batch_takes_the_whole_batch_back(pg_apps: Apps,
                                                                                  pg_engine: Engine) -> None:
    """The stage's update goes out with its members, audit entries and effects in one round trip: when the
    version check fails once the server answered, none of them stays."""
    app = await pg_apps.start()
    stage_id = await open_live(app, present={"bob"})
    kinds, effects = audit_kinds(pg_engine, stage_id), _effects(pg_engine, stage_id)
    async with SqlUnitOfWork(app.db, app.cache, outbox=app.outbox) as uow:
        await uow.serialize(stage_id)
        stage = await uow.stages.get(stage_id)
        stage.raise_hand(Actor("bob"), "a question", T0)
        uow.record([OutboxEntry(stage_id, stage.version + 1, "fake", "notice", {"n": 1})], T0)
        with pg_engine.begin() as other:  # a writer that did not take the stage's lock
            other.execute(text("UPDATE stage SET version = version + 1 WHERE id = :id"), {"id": stage_id})
        with pytest.raises(ConcurrencyConflict):
            await uow.commit()
    assert audit_kinds(pg_engine, stage_id) == kinds
    with pg_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM participant WHERE stage_id = :id AND hand_raised_at "
                                 "IS NOT NULL"), {"id": stage_id}).scalar() == 0
    assert _effects(pg_engine, stage_id) == effects


async def test_stages_updated_in_one_statement_each_check_their_version(pg_apps: Apps, pg_engine: Engine,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Stages written together go as one UPDATE that returns the rows it matched: the one whose version moved
    meanwhile is named in the conflict, and nothing of any of them stays."""
    app = await pg_apps.start()
    ids = [await open_live(app, f"chan-{n}", present={"bob"}) for n in range(3)]
    before = [audit_kinds(pg_engine, i) for i in ids]
    async with SqlUnitOfWork(app.db, app.cache, outbox=app.outbox) as uow:
        await uow.serialize(*ids)
        for stage_id in ids:
            (await uow.stages.get(stage_id)).raise_hand(Actor("bob"), "a question", T0)
        with pg_engine.begin() as other:  # a writer that did not take the stages' locks
            other.execute(text("UPDATE stage SET version = version + 1 WHERE id = :id"), {"id": ids[1]})
        with pytest.raises(ConcurrencyConflict) as conflict:
            await uow.commit()
    assert conflict.value.args == (ids[1],)
    assert [audit_kinds(pg_engine, i) for i in ids] == before
    sent = driver_statements(monkeypatch)
    async with SqlUnitOfWork(app.db, app.cache, outbox=app.outbox) as uow:  # and without the other writer
        await uow.serialize(*ids)
        for stage_id in ids:
            (await uow.stages.get(stage_id)).raise_hand(Actor("bob"), "a question", T0)
        await uow.commit()
    assert [audit_kinds(pg_engine, i).count("HandRaised") for i in ids] == [1, 1, 1]
    # The three stages, their members and their audit entries: a statement each kind, not each row.
    assert sent.count("WITH written AS") == 1
    assert sent.count("INSERT INTO participant") == 1 and sent.count("INSERT INTO audit_log") == 1


async def test_a_stage_read_unlocked_and_moved_meanwhile_takes_back_the_whole_transaction(
        pg_apps: Apps, pg_engine: Engine) -> None:
    """Two stages trusted unlocked in one transaction, one written and one only read (a refusal, in a group):
    the one read is checked in the same transaction, and when another process moved it, nothing of the other
    stays; the moved one is locked by the next transaction, the other still trusted."""
    app = await pg_apps.start()
    ids = [await open_live(app, f"chan-{n}", present={"bob"}) for n in range(2)]
    kinds = audit_kinds(pg_engine, ids[0])
    async with SqlUnitOfWork(app.db, app.cache, outbox=app.outbox) as uow:
        await uow.serialize(*ids, stages=set(ids))
        (await uow.stages.get(ids[0])).raise_hand(Actor("bob"), "a question", T0)
        await uow.stages.get(ids[1])
        with pg_engine.begin() as other:
            other.execute(text("UPDATE stage SET version = version + 1 WHERE id = :id"), {"id": ids[1]})
        with pytest.raises(ConcurrencyConflict) as conflict:
            await uow.commit()
    assert conflict.value.args == (ids[1],)
    assert audit_kinds(pg_engine, ids[0]) == kinds
    assert app.cache.current(ids[0]) is None and app.cache.current(ids[1]) is None  # neither copy kept
    for stage_id in ids:
        await load(app, stage_id)
    # Both held again; only the moved one is taken with its lock from now on.
    assert app.cache.peek(ids[1]) is not None and app.cache.current(ids[1]) is None
    assert app.cache.current(ids[0]) is app.cache.peek(ids[0]) is not None


async def test_a_timer_written_for_a_stage_only_read_waits_for_another_process_writing_it(pg_url: str,
                                                                                        pg_engine: Engine) -> None:
    """The scheduler's leader applies a stage's timers (ExpireDue) on its copy while another process is
    committing a shorter speaking limit: the stage only read is checked holding its row, so the leader waits for
    that commit, finds the stage moved and judges again, and the job stored is the new limit's, not its own."""
    rules = {"speaking_time_limit": 3600, "warn_before": 0, "idle_close": 0}
    leader, other = await start_app(pg_url, rules=rules), await start_app(pg_url, rules=rules)
    try:
        stage_id = await aps_open_stage(leader, "alice")
        await leader.bus.handle(c.RaiseHand(stage_id=stage_id, actor=Actor("alice")))
        await leader.bus.handle(c.ApproveSpeaker(stage_id=stage_id, user_id="alice", actor=APS_HOST))
        await other.bus.handle(c.ExpireDue(stage_id=stage_id, actor=SYSTEM))  # the other holds it and armed it
        gate, entered = threading.Event(), threading.Event()

        def held(conn: Any) -> None:  # the other's transaction: written, not committed yet
            entered.set()
            gate.wait(10)

        event.listen(other.db.engine, "commit", held)
        try:
            shorter = asyncio.create_task(other.bus.handle(
                c.SetRules(actor=APS_HOST, stage_id=stage_id, changes={"speaking_time_limit": "60"})))
            while not entered.is_set():
                await asyncio.sleep(0.01)
            expiring = asyncio.create_task(leader.bus.handle(c.ExpireDue(stage_id=stage_id, actor=SYSTEM)))
            await _waiting_on_a_lock(pg_engine)
            gate.set()
            await shorter
            await expiring
        finally:
            event.remove(other.db.engine, "commit", held)
        stage = await load(other, stage_id)
        assert stage.rules.speaking_time_limit == 60
        assert (await leader.scheduler.pending())[f"stage-due:{stage_id}"] == next_due(stage)
    finally:
        await other.stop()
        await leader.stop()


async def _waiting_on_a_lock(engine: Engine) -> None:
    query = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                 "AND application_name = current_setting('application_name')")
    for _ in range(500):
        with engine.connect() as conn:
            if conn.execute(query).scalar_one() >= 1:
                return
        await asyncio.sleep(0.01)
    raise AssertionError("the leader never waited on a lock")


def _effects(engine: Engine, stage_id: str) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        return [(r.position, r.kind) for r in conn.execute(
            text("SELECT position, kind FROM outbox WHERE stream = :id ORDER BY position"), {"id": stage_id})]


async def test_a_process_killed_while_holding_a_stage_lets_the_others_through(pg_apps: Apps, pg_url: str) -> None:
    """kill -9 in the middle of a command: the server ends the dead process's transaction, and with it the
    stage's lock, so the next process's command goes through instead of waiting forever."""
    app = await pg_apps.start()
    stage_id = await open_live(app, present={"bob"})
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, pg_url.replace("postgresql+psycopg://", "postgresql://"), stage_id,
        stdout=asyncio.subprocess.PIPE)
    assert holder.stdout is not None
    assert (await asyncio.wait_for(holder.stdout.readline(), 30)).strip() == b"holding"
    raising = asyncio.create_task(app.bus.handle(c.RaiseHand(actor=Actor("bob"), stage_id=stage_id)))
    await asyncio.sleep(0.5)
    assert not raising.done()  # waiting for the stage, as it should while its holder lives
    holder.send_signal(signal.SIGKILL)
    await holder.wait()
    reply = await asyncio.wait_for(raising, 30)
    assert reply.params["position"] == 1


HOLDER = """
import sys, time, psycopg
conn = psycopg.connect(sys.argv[1])
conn.execute("SELECT version FROM stage WHERE id = %s FOR UPDATE", (sys.argv[2],))
print("holding", flush=True)
time.sleep(600)
"""
