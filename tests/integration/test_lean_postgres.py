"""The lean PostgreSQL path: no pre-ping, the version read inside the stage's lock, timer jobs re-stored only
when a command moved them; each of these must leave the answers exactly as before."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from bot.domain import commands as c
from bot.domain.errors import StageError
from bot.domain.members import Actor
from bot.bootstrap import App, build
from bot.clock import ManualClock
from tests.support.apps import T0, Apps, make_settings
from tests.support.stages import load, open_live

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


async def test_a_refusal_on_postgresql_still_changes_nothing(pg_apps: Apps) -> None:
    app = await pg_apps.start()
    stage_id = await open_live(app, present={"bob"})
    await app.bus.handle(c.RaiseHand(actor=Actor("bob"), stage_id=stage_id))
    before = await load(app, stage_id)
    with pytest.raises(StageError):
        await app.bus.handle(c.RaiseHand(actor=Actor("bob"), stage_id=stage_id))
    assert (await load(app, stage_id)).version == before.version
