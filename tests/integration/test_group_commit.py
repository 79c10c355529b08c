"""Group commit: members' hands waiting on one stage go through in one transaction, and each is answered
as if alone: a refusal refuses that hand only; a write the database refuses fails that hand only."""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine

from bot.domain import commands as c
from bot.domain import errors
from bot.domain.members import Actor
from tests.support.apps import Apps
from tests.support.stages import audit_kinds, load, open_live, refuse_inserts

MEMBERS = [f"m{n:02}" for n in range(30)]


async def raise_all(app, stage_id: str, actors: list[str]) -> list[object]:  # type: ignore[no-untyped-def]
    return await asyncio.gather(*(app.bus.handle(c.RaiseHand(actor=Actor(a), stage_id=stage_id, note=f"n{a}"))
                                  for a in actors), return_exceptions=True)


async def test_hands_waiting_together_share_commits_and_keep_their_own_positions(apps: Apps) -> None:
    app = await apps.start()
    stage_id = await open_live(app, present=set(MEMBERS))
    before = (await load(app, stage_id)).version
    outcomes = await raise_all(app, stage_id, MEMBERS)
    assert sorted(o.params["position"] for o in outcomes) == list(range(1, len(MEMBERS) + 1))  # type: ignore[union-attr]
    stage = await load(app, stage_id)
    assert stage.hands_raised == len(MEMBERS)
    assert stage.version - before < len(MEMBERS)  # fewer commits than hands: they waited together


async def test_a_refused_hand_in_a_group_refuses_that_hand_only(apps: Apps, plain_engine: Engine) -> None:
    app = await apps.start()
    stage_id = await open_live(app, present=set(MEMBERS))
    await app.bus.handle(c.RaiseHand(actor=Actor("m05"), stage_id=stage_id))  # m05 raises twice below
    outcomes = await raise_all(app, stage_id, MEMBERS)
    refused = [(a, o) for a, o in zip(MEMBERS, outcomes) if isinstance(o, BaseException)]
    assert [a for a, _ in refused] == ["m05"] and isinstance(refused[0][1], errors.StageError)
    assert not isinstance(refused[0][1], errors.Unexpected)
    assert (await load(app, stage_id)).hands_raised == len(MEMBERS)
    assert audit_kinds(plain_engine, stage_id).count("HandRaised") == len(MEMBERS)


async def test_a_write_the_database_refuses_fails_that_hand_alone(apps: Apps, plain_engine: Engine) -> None:
    app = await apps.start()
    stage_id = await open_live(app, present=set(MEMBERS))
    refuse_inserts(plain_engine, "audit_log", "NEW.actor_id = 'm07'")  # the database itself refuses m07's entry
    outcomes = await raise_all(app, stage_id, MEMBERS)
    failed = [a for a, o in zip(MEMBERS, outcomes) if isinstance(o, BaseException)]
    assert failed == ["m07"] and isinstance(outcomes[MEMBERS.index("m07")], errors.Unexpected)
    stage = await load(app, stage_id)
    assert stage.hands_raised == len(MEMBERS) - 1 and "m07" not in stage.queue
    assert audit_kinds(plain_engine, stage_id).count("HandRaised") == len(MEMBERS) - 1
