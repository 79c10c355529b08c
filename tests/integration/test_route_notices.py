"""Effects handed to another process's route are announced on PostgreSQL (NOTIFY in the handing transaction):
the process serving the route takes them at once, not at its next look, and listens again when its listening
connection is dropped. The looks are pushed out to a minute here, so only a notice can be what delivered."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from bot.persistence import route_notices
from bot.persistence.database import Database
from bot.persistence.outbox import SqlOutbox
from bot.persistence.schema import upgrade
from bot.ports import OutboxEntry
from bot.services import outbox as dispatch
from bot.services.outbox import OutboxDispatcher
from tests.support.aps import until
from tests.support.outbox import Shard, commit, dispatcher

pytestmark = pytest.mark.postgres


@pytest.fixture
def database_url(pg_url: str) -> str:
    return pg_url  # notices are PostgreSQL's


@pytest.fixture
async def outbox(db: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setattr(dispatch, "ROUTED_EVERY", 60.0)
    monkeypatch.setattr(route_notices, "HEARD_EVERY", 60.0)
    monkeypatch.setattr(route_notices, "_RETRY", 0.05)
    await db.run(upgrade, db)
    return db


def _listeners(engine: Engine, url: str) -> list[int]:
    name = url.rsplit("application_name=", 1)[1]
    with engine.connect() as conn:
        return [pid for (pid,) in conn.execute(text(
            "SELECT pid FROM pg_stat_activity WHERE application_name = :name AND query LIKE 'LISTEN%'"),
            {"name": name})]


async def _hand_over(outbox: Database, names: list[str], version: int) -> None:
    """A process serving space 1 commits effects of space 2 and hands them to its route."""
    entries = [OutboxEntry("A", version * 100_000 + i, "fake", "notify", {"name": n, "space": "2"})
               for i, n in enumerate(names)]
    writer = dispatcher(SqlOutbox(outbox, owner="leader"), Shard(served={"1"}))
    await writer.connect("fake")
    await commit(outbox, writer._store, entries)  # type: ignore[arg-type] # noqa: SLF001
    writer.submit(entries)
    await writer.drain()
    assert writer.handed_off == len(names)
    await writer.close()


async def _serving(outbox: Database) -> tuple[Shard, OutboxDispatcher]:
    """The process serving space 2, through the route shard-2, connected to its platform."""
    shard = Shard(served={"2"})
    serving = dispatcher(SqlOutbox(outbox, owner="b"), shard)
    serving.serve(frozenset({"shard-2"}))
    await serving.connect("fake")
    return shard, serving


async def test_effects_handed_to_a_route_are_taken_at_once_not_at_the_next_look(outbox: Database,
                                                                              pg_engine: Engine, pg_url: str) -> None:
    shard, serving = await _serving(outbox)
    await until(lambda: len(_listeners(pg_engine, pg_url)) == 1)
    await _hand_over(outbox, ["warned", "moved back"], version=1)
    await until(lambda: shard.shown == ["warned", "moved back"])  # within 5 s; the next look is a minute away
    await serving.close()
    # Closing the dispatcher closes its listening connection (the server lets its process go a moment later).
    await until(lambda: _listeners(pg_engine, pg_url) == [])


async def test_a_dropped_listening_connection_listens_again_and_misses_nothing(outbox: Database,
                                                                              pg_engine: Engine, pg_url: str) -> None:
    shard, serving = await _serving(outbox)
    await until(lambda: len(_listeners(pg_engine, pg_url)) == 1)
    [first] = _listeners(pg_engine, pg_url)
    with pg_engine.connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    await _hand_over(outbox, ["handed while nobody listened"], version=1)
    await until(lambda: shard.shown == ["handed while nobody listened"])  # looked for once listening again
    await until(lambda: len(_listeners(pg_engine, pg_url)) == 1 and _listeners(pg_engine, pg_url) != [first])
    await _hand_over(outbox, ["announced again"], version=2)
    await until(lambda: shard.shown == ["handed while nobody listened", "announced again"])
    await serving.close()


async def test_a_process_that_cannot_listen_still_takes_what_is_handed_to_it_at_each_look(
        outbox: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(dispatch, "ROUTED_EVERY", 0.05)

    def broken(self: route_notices.RouteNotices) -> dict[str, object]:
        raise RuntimeError("a bug in the listening")

    monkeypatch.setattr(route_notices.RouteNotices, "_connect_args", broken)
    shard, serving = await _serving(outbox)
    await _hand_over(outbox, ["taken at a look"], version=1)
    await until(lambda: shard.shown == ["taken at a look"])
    await serving.close()
    [said] = [r for r in caplog.records if "listening for effects" in r.getMessage()]  # once, not at each retry
    assert said.exc_info is not None  # not a connection's failure: its traceback is in the log
