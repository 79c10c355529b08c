"""The outbox dispatcher on the real outbox table (SQLite and PostgreSQL): effects of a stage delivered in
order while other stages go on, retried with backoff while the platform is unavailable (5xx, 429, timeouts),
marked done only once the platform took them, and delivered again after a kill between the platform call and
the mark, as "maybe done", so the platform recognises what it already has and shows it once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.persistence.database import Database
from bot.persistence.outbox import SqlOutbox
from bot.persistence.schema import upgrade
from bot.ports import OutboxEntry
from bot.services import outbox as dispatch
from bot.services.effects import current
from bot.services.outbox import OutboxDispatcher
from tests.support.aps import until
from tests.support.outbox import NOW, Platform, Shard, commit, dispatcher


class Refused(Exception):
    """What a platform client raises: an HTTP status on the error."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@pytest.fixture
async def outbox(db: Database) -> Database:
    await db.run(upgrade, db)
    return db


def effects(stream: str, *names: str, kind: str = "notify", version: int = 1) -> list[OutboxEntry]:
    return [OutboxEntry(stream, version * 100_000 + i, "fake", kind, {"name": n}) for i, n in enumerate(names)]


async def stored(db: Database, owner: str = "a") -> list[OutboxEntry]:
    return await SqlOutbox(db, owner=owner).take(["fake"], NOW)


async def until_stored(db: Database, names: list[str]) -> None:
    for _ in range(500):
        if [e.args["name"] for e in await stored(db)] == names:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never stored as {names}")


async def test_a_stage_s_effects_go_out_in_order_while_another_stage_goes_on(outbox: Database) -> None:
    store, platform = SqlOutbox(outbox, owner="a"), Platform()
    platform.held["a1"] = asyncio.Event()
    sender = dispatcher(store, platform)
    await sender.connect("fake")
    stage_a, stage_b = effects("A", "a1", "a2", "a3"), effects("B", "b1", "b2")
    await commit(outbox, store, stage_a + stage_b)
    sender.submit(stage_a)
    sender.submit(stage_b)
    await until(lambda: len(platform.shown) == 2)
    assert platform.shown == ["b1", "b2"]  # A waits on its first effect; B does not wait on A
    platform.held["a1"].set()
    await sender.drain()
    assert platform.shown == ["b1", "b2", "a1", "a2", "a3"]
    assert await stored(outbox) == []
    await sender.close()


@pytest.mark.parametrize("failure", [Refused(503), Refused(429), TimeoutError(), ConnectionResetError()],
                         ids=["5xx", "429", "timeout", "connection"])
async def test_an_unavailable_platform_is_tried_again_with_growing_waits(outbox: Database, failure,
                                                                         monkeypatch) -> None:
    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        # The sweeper's wait stays real: looking at once, again and again, it would take the effect back from
        # the table (as maybe done) before the test submits it, on a busy machine.
        await real_sleep(seconds if seconds >= dispatch.SWEEP else 0)

    monkeypatch.setattr(dispatch.asyncio, "sleep", sleep)
    monkeypatch.setattr(dispatch.random, "uniform", lambda low, high: 1.0)
    store, platform = SqlOutbox(outbox, owner="a"), Platform(failures=[failure] * 3)
    sender = dispatcher(store, platform)
    await sender.connect("fake")
    entries = effects("A", "floor DM")
    await commit(outbox, store, entries)
    sender.submit(entries)
    await sender.drain()
    assert platform.calls == [("floor DM", False), ("floor DM", True), ("floor DM", True), ("floor DM", True)]
    assert [w for w in waits if 0 < w < dispatch.MARK_EVERY] == [0.001, 0.002, 0.004]
    assert platform.shown == ["floor DM"] and await stored(outbox) == []
    await sender.close()


async def test_a_refusal_is_not_tried_again_and_a_platform_down_for_good_is_given_up(outbox: Database) -> None:
    store = SqlOutbox(outbox, owner="a")
    refused, down = Platform(failures=[Refused(403)]), Platform(failures=[Refused(502)] * (dispatch.RETRIES + 1))
    for platform in (refused, down):
        sender = dispatcher(store, platform)
        await sender.connect("fake")
        entries = effects("A", "DM", version=len(refused.calls) + len(down.calls) + 1)
        await commit(outbox, store, entries)
        sender.submit(entries)
        await sender.drain()
        await sender.close()
    assert len(refused.calls) == 1 and len(down.calls) == dispatch.RETRIES + 1
    assert refused.shown == down.shown == []


async def test_an_effect_is_marked_done_only_once_the_platform_took_it(outbox: Database) -> None:
    store, platform = SqlOutbox(outbox, owner="a"), Platform()
    platform.held["announcement"] = asyncio.Event()
    sender = dispatcher(store, platform)
    await sender.connect("fake")
    entries = effects("A", "announcement")
    await commit(outbox, store, entries)
    sender.submit(entries)
    await until(lambda: platform.calls)
    await asyncio.sleep(0.1)
    assert platform.calls == [("announcement", False)]
    assert [e.args["name"] for e in await stored(outbox)] == ["announcement"]  # called, not yet answered
    platform.held["announcement"].set()
    await sender.drain()
    assert await stored(outbox) == []
    await sender.close()


class SlowMarks(SqlOutbox):
    """The outbox on a busy writer: each mark waits its turn (`release`), and the writes are counted."""

    def __init__(self, db: Database) -> None:
        super().__init__(db, owner="a")
        self.writes: list[int] = []
        self.release = asyncio.Event()

    async def done(self, entries: list[OutboxEntry]) -> None:
        self.writes.append(len(entries))
        await self.release.wait()
        await super().done(entries)


async def test_a_storm_s_delivered_effects_are_marked_many_per_write_and_no_stage_waits_for_a_mark(
        outbox: Database) -> None:
    store, platform = SlowMarks(outbox), Platform()
    sender = dispatcher(store, platform)
    await sender.connect("fake")
    storm = [e for stage in "ABCDEFGHIJ" for e in effects(stage, *(f"{stage}{i}" for i in range(10)))]
    await commit(outbox, store, storm)
    sender.submit(storm)
    # Every effect reaches the platform while the first mark still waits for the writer.
    await until(lambda: len(platform.shown) == len(storm))
    assert len(store.writes) == 1  # one write is waiting, with what was delivered by then
    store.release.set()
    await sender.drain()
    assert await stored(outbox) == []
    assert sum(store.writes) == len(storm) and len(store.writes) <= 3  # not one write per effect
    await sender.close()


async def test_an_effect_handed_to_an_adapter_s_own_worker_is_marked_once_that_worker_succeeded(
        outbox: Database) -> None:
    store = SqlOutbox(outbox, owner="a")
    accepted: list[asyncio.Future[None]] = []

    async def paced(entry: OutboxEntry, memo: dict[str, Any]) -> None:  # as Discord's direct messages are sent
        future = asyncio.get_running_loop().create_future()
        accepted.append(future)
        delivery = current()
        assert delivery is not None
        delivery.after(future)

    sender = OutboxDispatcher(store=store, deliver=paced, now=lambda: NOW, backoff=0.001)
    await sender.connect("fake")
    entries = effects("A", "sent", "failed")
    await commit(outbox, store, entries)
    sender.submit(entries)
    await until(lambda: len(accepted) == 2)
    await asyncio.sleep(0.1)
    assert len(accepted) == 2 and len(await stored(outbox)) == 2
    accepted[0].set_result(None)
    accepted[1].set_exception(Refused(502))
    await sender.drain()
    assert [e.args["name"] for e in await stored(outbox)] == ["failed"]  # left for a later delivery
    await sender.close()


async def test_a_kill_between_the_platform_call_and_the_mark_shows_nothing_twice(outbox: Database) -> None:
    platform = Platform()
    first = dispatcher(SqlOutbox(outbox, owner="a"), platform)
    await first.connect("fake")
    entries = effects("A", "floor DM", "next DM") + effects("A", "board", kind="show_board", version=2)
    await commit(outbox, first._store, entries)  # type: ignore[arg-type] # noqa: SLF001
    platform.held["next DM"] = asyncio.Event()
    first.submit(entries)
    await until(lambda: len(platform.calls) == 2)
    assert platform.shown == ["floor DM"]
    await until_stored(outbox, ["next DM", "board"])  # "floor DM" was marked meanwhile
    # The platform takes "next DM", but the process dies before hearing so (or before marking it).
    platform.held.pop("next DM").set()
    first.abandon()
    platform.seen.add(entries[1].id)
    platform.shown.append("next DM")
    left = [e.args["name"] for e in await stored(outbox)]
    assert left == ["next DM", "board"]
    # The next start (same instance name) takes them back as maybe done.
    again = dispatcher(SqlOutbox(outbox, owner="a"), platform)
    await again.connect("fake")
    await again.drain()
    assert platform.calls[-2:] == [("next DM", True), ("board", True)]
    assert platform.shown == ["floor DM", "next DM", "board"]
    assert await stored(outbox) == []
    await again.close()


async def test_an_effect_of_a_space_served_elsewhere_is_handed_over_and_delivered_once(outbox: Database) -> None:
    # The writer (a scheduler leader) serves space 1; the effects are space 2's. Two processes say they serve
    # its route (a deployment error): each effect still goes out once, in order, and nothing is left stored.
    entries = [OutboxEntry("A", 100_000 + i, "fake", "notify", {"name": n, "space": "2"})
               for i, n in enumerate(["warned", "moved back", "board"])]
    writer = dispatcher(SqlOutbox(outbox, owner="leader"), leader := Shard(served={"1"}))
    await writer.connect("fake")
    await commit(outbox, writer._store, entries)  # type: ignore[arg-type] # noqa: SLF001
    writer.submit(entries)
    await writer.drain()
    assert leader.calls == [] and writer.handed_off == 3
    assert [e.args["name"] for e in await SqlOutbox(outbox, owner="leader").take(["fake"], NOW)] == []
    owners = [Shard(served={"2"}), Shard(served={"2"})]
    serving = [dispatcher(SqlOutbox(outbox, owner=name), shard) for name, shard in zip("bc", owners)]
    for process in serving:
        process.serve(frozenset({"shard-2"}))
        await process.connect("fake")
    await until(lambda: sum(len(s.shown) for s in owners) == 3)
    for process in serving:
        await process.drain()
    names = ["warned", "moved back", "board"]
    assert sorted(n for s in owners for n in s.shown) == sorted(names)  # each once, by one of them
    assert all(s.shown == [n for n in names if n in s.shown] for s in owners)  # and in order
    assert await stored(outbox, owner="b") == [] and await stored(outbox, owner="c") == []
    for process in (writer, *serving):
        await process.close()


async def test_a_stop_that_abandons_work_not_yet_begun_still_drains(outbox: Database) -> None:
    # Cancelled before they ever ran, the stream's worker and the marker never reach their own clean-up.
    store, platform = SqlOutbox(outbox, owner="a"), Platform()
    sender = dispatcher(store, platform)
    await sender.connect("fake")
    entries = effects("A", "floor DM")
    await commit(outbox, store, entries)
    sender.submit(entries)  # its worker is created, not yet run
    sender.abandon()
    await asyncio.wait_for(sender.drain(), timeout=5)
    assert platform.calls == [] and len(await stored(outbox)) == 1  # left for the next start
    await sender.close()


async def test_effects_handed_over_together_take_one_write_a_stream(outbox: Database) -> None:
    from sqlalchemy import event

    store = SqlOutbox(outbox, owner="leader")
    handed = effects("A", *(f"a{n}" for n in range(20))) + effects("B", *(f"b{n}" for n in range(10)))
    await commit(outbox, store, handed)
    updates: list[str] = []
    listener = lambda *args: updates.append(args[2]) if args[2].lstrip().upper().startswith("UPDATE") else None  # noqa: E731
    event.listen(outbox.engine, "before_cursor_execute", listener)
    try:
        await store.hand_off(handed, "shard-2", NOW)
    finally:
        event.remove(outbox.engine, "before_cursor_execute", listener)
    assert len(updates) == 2  # one a stream, not one an effect
    taken = await SqlOutbox(outbox, owner="b").take_routed(["shard-2"], NOW)
    assert [(e.stream, e.position) for e in taken] == [(e.stream, e.position) for e in handed]


async def test_thousands_of_one_stream_are_handed_over_in_bounded_statements(outbox: Database) -> None:
    # A follower message per follower: 1,200 effects of one stream, each position a parameter of the statement.
    from sqlalchemy import event

    store = SqlOutbox(outbox, owner="leader")
    handed = [OutboxEntry("follow:s", i, "fake", "dm", {"user": str(i)}) for i in range(1_200)]
    await commit(outbox, store, handed)
    updates: list[int] = []
    listener = lambda *args: updates.append(len(args[3])) if args[2].lstrip().upper().startswith("UPDATE") else None  # noqa: E731
    event.listen(outbox.engine, "before_cursor_execute", listener)
    try:
        await store.hand_off(handed, "shard-2", NOW)
    finally:
        event.remove(outbox.engine, "before_cursor_execute", listener)
    assert len(updates) == 3 and max(updates) <= 510, updates  # 500 positions a statement, and its other values
    taken = await SqlOutbox(outbox, owner="b").take_routed(["shard-2"], NOW)
    assert len(taken) == 1_200
    await SqlOutbox(outbox, owner="b").done(taken)
    assert await SqlOutbox(outbox, owner="c").pending() == 0
