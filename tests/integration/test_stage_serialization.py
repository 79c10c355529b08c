"""Several processes on one PostgreSQL database queue behind each other on a stage instead of failing.

Each App stands for a bot process (its own engine, pool and cache). Before serialization, a stale read was
judged again up to eight times and then refused with "Something went wrong"; with a lock held for the
command's transaction, nobody is refused because another process was busy.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Engine

from bot.domain import commands as c
from bot.domain.members import Actor
from tests.support.apps import Apps
from tests.support.stages import audit_kinds, load, open_live

pytestmark = pytest.mark.postgres

PROCESSES = 4
MEMBERS = 240


async def test_many_processes_raising_on_one_stage_refuse_nobody(pg_apps: Apps, pg_engine: Engine) -> None:
    apps = [await pg_apps.start() for _ in range(PROCESSES)]
    members = [f"m{n:03}" for n in range(MEMBERS)]
    stage_id = await open_live(apps[0], present=set(members))

    outcomes = await asyncio.gather(*(
        apps[n % PROCESSES].bus.handle(c.RaiseHand(actor=Actor(user_id), stage_id=stage_id))
        for n, user_id in enumerate(members)), return_exceptions=True)

    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert refused == [], f"{len(refused)} of {MEMBERS} refused: {refused[:3]}"
    assert sorted(o.params["position"] for o in outcomes) == list(range(1, MEMBERS + 1))  # type: ignore[union-attr]
    stage = await load(apps[-1], stage_id)
    assert stage.hands_raised == MEMBERS and 1 < stage.version <= MEMBERS + 1  # waiting hands share commits
    assert audit_kinds(pg_engine, stage_id).count("HandRaised") == MEMBERS

