"""Two bot processes on one PostgreSQL database: two Apps, two caches, one truth in the database.

A process trusts its cached stage only while the stored version matches, and every write checks the version
it read. A stage no other process wrote lately is written on the process's copy, its version checked by the
write; one another process wrote is locked for the transaction, so a second process waits rather than
writing on stale state. A stale write is judged again, never refused.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from bot.bootstrap import App
from bot.domain import commands as c
from bot.domain import errors
from bot.domain.members import Actor
from tests.support.apps import Apps
from tests.support.stages import HOST, PLATFORM, SPACE, audit_kinds, load, open_live, open_stage

pytestmark = pytest.mark.postgres


@contextmanager
def counting_updates(*apps: App) -> Iterator[Counter[str]]:
    """Counts the versioned stage writes each App sends, conflicting ones included."""
    sent: Counter[str] = Counter()

    def listener(name: str) -> Any:
        def before(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
            # (On PostgreSQL the versioned update goes inside its check: WITH written AS (UPDATE stage ...) ...)
            if " ".join(statement.upper().split()).startswith(("UPDATE STAGE", "WITH WRITTEN AS (UPDATE STAGE")):
                sent[name] += 1
        return before

    listeners = [(app.db.engine, listener(name)) for name, app in zip("ab", apps)]
    for engine, fn in listeners:
        event.listen(engine, "before_cursor_execute", fn)
    try:
        yield sent
    finally:
        for engine, fn in listeners:
            event.remove(engine, "before_cursor_execute", fn)


async def waiting_on_locks(engine: Engine, count: int) -> None:
    """Waits until ``count`` sessions of this test (its application_name) wait on a lock."""
    query = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                 "AND application_name = current_setting('application_name')")
    for _ in range(500):
        with engine.connect() as conn:
            if conn.execute(query).scalar_one() >= count:
                return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{count} sessions never waited on a lock")


async def test_two_apps_take_turns_and_each_sees_the_other(pg_apps: Apps) -> None:
    a, b = await pg_apps.start(), await pg_apps.start()
    stage_id = await open_live(a, present={"alice", "bob", "carol"})

    assert (await b.bus.handle(c.RaiseHand(actor=Actor("alice"), stage_id=stage_id))).params == {"position": 1}
    assert (await a.bus.handle(c.RaiseHand(actor=Actor("bob"), stage_id=stage_id))).params == {"position": 2}
    await b.bus.handle(c.ApproveSpeaker(actor=HOST, stage_id=stage_id, user_id="alice"))

    board = await a.queries.board(stage_id)
    assert [s.user_id for s in board.speakers] == ["alice"] and [q.user_id for q in board.queue] == ["bob"]
    await a.bus.handle(c.DenyHand(actor=HOST, stage_id=stage_id, user_id="bob"))
    await a.bus.handle(c.SetRules(actor=HOST, stage_id=stage_id, changes={"max_speakers": "1"}))

    # b's copy is two writes behind; it must judge by a's rules and a's queue, not its own.
    with pytest.raises(errors.SpeakersFull):
        await b.bus.handle(c.ApproveSpeaker(actor=HOST, stage_id=stage_id, user_id="carol"))
    with pytest.raises(errors.CoolingDown):
        await b.bus.handle(c.RaiseHand(actor=Actor("bob"), stage_id=stage_id))
    stage_a, stage_b = await load(a, stage_id), await load(b, stage_id)
    assert stage_a.version == stage_b.version == 6
    assert stage_b.rules.max_speakers == 1 and len(stage_b.queue) == 0 and stage_b.speaking == {"alice"}


async def test_two_processes_meeting_on_a_stage_write_on_fresh_state_and_then_take_turns(
        pg_apps: Apps, pg_engine: Engine) -> None:
    a, b = await pg_apps.start(), await pg_apps.start()
    stage_id = await open_live(a, present={"alice", "bob", "carol", "dan"})
    await load(b, stage_id)

    with pg_engine.connect() as holder, counting_updates(a, b) as sent:
        # Both Apps hold the stage as stored and write on their copy; both writes wait on this row lock.
        holder.execute(text("SELECT id FROM stage WHERE id = :id FOR UPDATE"), {"id": stage_id})
        raises = [asyncio.create_task(a.bus.handle(c.RaiseHand(actor=Actor("alice"), stage_id=stage_id))),
                  asyncio.create_task(b.bus.handle(c.RaiseHand(actor=Actor("bob"), stage_id=stage_id)))]
        await waiting_on_locks(pg_engine, 2)
        holder.commit()
        replies = await asyncio.gather(*raises)
        # The second write found the first's version: that command alone was judged again, on the stored stage.
        assert sorted(r.params["position"] for r in replies) == [1, 2]
        assert sorted(sent.values()) == [1, 2]
        loser = "a" if sent["a"] == 2 else "b"
        sent.clear()
        # The stage is now known to be shared: the process that lost takes its lock, and writes once.
        last = a if loser == "a" else b
        assert (await last.bus.handle(c.RaiseHand(actor=Actor("carol"), stage_id=stage_id))).params == {
            "position": 3}
        assert sent == {loser: 1}

    stage = await load(a, stage_id)
    assert (stage.version, stage.hands_raised, sorted(stage.queue)) == (4, 3, ["alice", "bob", "carol"])
    assert audit_kinds(pg_engine, stage_id).count("HandRaised") == 3


async def test_concurrent_raises_from_two_apps_are_all_kept(pg_apps: Apps, pg_engine: Engine) -> None:
    a, b = await pg_apps.start(), await pg_apps.start()
    members = [f"m{n:02}" for n in range(20)]
    stage_id = await open_live(a, present=set(members))

    replies = await asyncio.gather(*(
        (a if n % 2 else b).bus.handle(c.RaiseHand(actor=Actor(user_id), stage_id=stage_id))
        for n, user_id in enumerate(members)))

    assert sorted(r.params["position"] for r in replies) == list(range(1, 21))
    for app in (a, b):
        stage = await load(app, stage_id)
        assert sorted(stage.queue) == members
        assert sorted(stage.participants[u].hand.seq for u in members) == list(range(1, 21))  # type: ignore[union-attr]
        assert (stage.hands_raised, stage.hand_seq) == (20, 20) and 1 < stage.version <= 21  # shared commits
    assert audit_kinds(pg_engine, stage_id).count("HandRaised") == 20


async def test_one_live_stage_per_channel_holds_across_apps(pg_apps: Apps, pg_engine: Engine) -> None:
    a, b = await pg_apps.start(), await pg_apps.start()
    await open_live(a, "chan-1", title="First")
    with pytest.raises(errors.StageAlreadyLive) as refused:
        await b.bus.handle(open_stage("chan-1", title="Second"))
    assert refused.value.params == {"title": "First"}

    with pg_engine.connect() as holder:
        # An open transaction holds a live row for chan-2: both Apps look, find no live stage, and insert.
        holder.execute(text(
            "INSERT INTO stage (id, platform, space_id, channel_id, title, topic, state, visibility, capacity, "
            "host_id, rules, hands_locked, created_at, hand_seq, peak_audience, hands_raised, hands_served, "
            "version) VALUES ('held', :p, :s, 'chan-2', 'Held', '', 'live', 'public', 0, 'x', '{}', false, now(), "
            "0, 0, 0, 0, 0)"), {"p": PLATFORM, "s": SPACE})
        opens = [asyncio.create_task(app.bus.handle(open_stage("chan-2", title=title)))
                 for app, title in ((a, "From a"), (b, "From b"))]
        await waiting_on_locks(pg_engine, 2)
        holder.rollback()
        outcomes = await asyncio.gather(*opens, return_exceptions=True)

    with pg_engine.connect() as conn:
        live = conn.execute(text("SELECT title FROM stage WHERE channel_id = 'chan-2' AND state = 'live'")).all()
    assert len(live) == 1
    winner = live[0].title
    refusals = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(refusals) == 1
    # The one that lost the race is told why, as if it had looked a moment later.
    assert isinstance(refusals[0], errors.StageAlreadyLive) and refusals[0].params == {"title": winner}
