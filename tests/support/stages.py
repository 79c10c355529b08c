"""Small helpers shared by the integration tests: reading a stage back, counting rows, triggers."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

from sqlalchemy import Engine, text

from bot.bootstrap import App
from bot.domain import commands as c
from bot.domain.members import Actor
from bot.domain.stage import Stage
from bot.persistence.uow import SqlUnitOfWork

HOST = Actor("host")
PLATFORM, SPACE = "fake", "space-1"

# Every attribute a stored stage is rebuilt from, read off the constructor so a new one is not missed.
STAGE_FIELDS = tuple(name for name in inspect.signature(Stage.__init__).parameters
                     if name not in ("self", "participants"))


def open_stage(channel: str = "chan-1", *, present: set[str] | frozenset[str] = frozenset(),
               title: str = "Town hall", **values: Any) -> c.OpenStage:
    return c.OpenStage(actor=HOST, platform=PLATFORM, space_id=SPACE, channel_id=channel, title=title,
                       present=frozenset(present), **values)


async def open_live(app: App, channel: str = "chan-1", **values: Any) -> str:
    await app.bus.handle(open_stage(channel, **values))
    return await app.queries.live_stage(PLATFORM, SPACE, channel)


async def load(app: App, stage_id: str) -> Stage:
    """The stage as this App's repository hands it to a command."""
    async with SqlUnitOfWork(app.db, app.cache) as uow:
        return await uow.stages.get(stage_id)


def snapshot(stage: Stage) -> dict[str, Any]:
    """Everything a stage is, as plain values: stored fields, members, and what is derived on load."""
    return {
        **{name: getattr(stage, name) for name in STAGE_FIELDS},
        "participants": {u: dataclasses.asdict(p) for u, p in sorted(stage.participants.items())},
        "queue": list(stage.queue),
        "present_count": stage.present_count,
        "speaking": sorted(stage.speaking),
        "absent_hands": sorted(stage.absent_hands),
        "moderators": sorted(stage.moderators),
    }


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("stage", "participant", "audit_log", "recap")}


def stored_version(engine: Engine, stage_id: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT version FROM stage WHERE id = :id"), {"id": stage_id}).scalar_one()


def audit_kinds(engine: Engine, stage_id: str) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT kind FROM audit_log WHERE stage_id = :id ORDER BY id"),
                                 {"id": stage_id}).scalars())


def refuse_inserts(engine: Engine, table: str, condition: str = "1 = 1") -> None:
    """Makes the database itself reject rows of ``table`` matching ``condition`` (about NEW)."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql(
                f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} WHEN {condition} "
                f"BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
        else:
            conn.exec_driver_sql(
                f"CREATE FUNCTION refuse_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF {condition} THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$")
            conn.exec_driver_sql(f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} "
                                 f"FOR EACH ROW EXECUTE FUNCTION refuse_{table}()")


def accept_inserts(engine: Engine, table: str) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql(f"DROP TRIGGER refuse_{table}")
        else:
            conn.exec_driver_sql(f"DROP TRIGGER refuse_{table} ON {table}")
            conn.exec_driver_sql(f"DROP FUNCTION refuse_{table}()")
