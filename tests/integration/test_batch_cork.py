"""A pipelined batch reaches PostgreSQL as one write: what the driver sends is held back (TCP_CORK) while the
batch is queued and let go before its answers are awaited, however the batch ends; a connection goes back to the
pool neither held back nor in autocommit."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from sqlalchemy import Engine, text

from bot.domain import commands as c
from bot.domain.members import Actor
from bot.persistence.fastsql import Batch
from bot.persistence.uow import SqlUnitOfWork
from bot.ports import ConcurrencyConflict
from tests.support.apps import T0, Apps
from tests.support.stages import open_live

pytestmark = pytest.mark.postgres


def held_back(driver: Any) -> int:
    sock = socket.socket(fileno=driver.pgconn.socket)
    try:
        return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_CORK)
    finally:
        sock.detach()


def pooled(engine: Engine) -> list[tuple[int, bool]]:
    """Each connection the pool holds now: held back, in autocommit."""
    taken = [engine.raw_connection() for _ in range(engine.pool.checkedin())]
    try:
        return [(held_back(conn.driver_connection), conn.driver_connection.autocommit) for conn in taken]
    finally:
        for conn in taken:
            conn.close()


async def test_a_batch_is_held_back_while_queued_and_let_go_before_its_answers(pg_apps: Apps,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    app = await pg_apps.start()
    stage_id = await open_live(app, present={"bob", "carol"})
    seen: list[int] = []
    queue = Batch.execute_many

    def spy(batch: Batch, *args: Any, **kwargs: Any) -> None:
        seen.append(held_back(batch._driver))
        queue(batch, *args, **kwargs)

    monkeypatch.setattr(Batch, "execute_many", spy)
    reply = await app.bus.handle(c.RaiseHand(actor=Actor("bob"), stage_id=stage_id))
    assert reply.params["position"] == 1
    assert seen and all(seen)
    assert pooled(app.db.engine) and set(pooled(app.db.engine)) == {(0, False)}


async def test_a_batch_the_server_refused_is_let_go_and_rolled_back(pg_apps: Apps, pg_engine: Engine) -> None:
    app = await pg_apps.start()
    stage_id = await open_live(app, present={"bob"})
    async with SqlUnitOfWork(app.db, app.cache, outbox=app.outbox) as uow:
        await uow.serialize(stage_id, stages={stage_id})  # trusted: its version checked by the server
        (await uow.stages.get(stage_id)).raise_hand(Actor("bob"), "a question", T0)
        with pg_engine.begin() as other:
            other.execute(text("UPDATE stage SET version = version + 1 WHERE id = :id"), {"id": stage_id})
        with pytest.raises(ConcurrencyConflict):
            await uow.commit()
    assert set(pooled(app.db.engine)) == {(0, False)}
    with pg_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM participant WHERE stage_id = :id "
                                 "AND hand_raised_at IS NOT NULL"), {"id": stage_id}).scalar() == 0
