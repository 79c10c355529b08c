"""One command, one transaction: a refusal writes nothing, a failed write leaves nothing, an answer is stored."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, text

from bot.domain import commands as c
from bot.domain import errors
from bot.domain.members import Actor
from bot.persistence.repository import load_stage
from tests.support.apps import Apps
from tests.support.stages import (
    HOST, PLATFORM, SPACE, accept_inserts, counts, load, open_live, open_stage, refuse_inserts, snapshot,
    stored_version,
)

ROOM = {"alice", "bob", "carol"}

REFUSALS: list[tuple[Callable[[str], c.Command], type[errors.StageError]]] = [
    (lambda s: c.RaiseHand(actor=Actor("mallory"), stage_id=s), errors.Blocked),
    (lambda s: c.RaiseHand(actor=Actor("ghost"), stage_id=s), errors.NotPresent),
    (lambda s: c.RaiseHand(actor=Actor("alice"), stage_id=s), errors.AlreadyRaised),
    (lambda s: c.RaiseHand(actor=Actor("bob"), stage_id=s, note="x" * 101), errors.InvalidArgument),
    (lambda s: c.ApproveSpeaker(actor=Actor("bob"), stage_id=s, user_id="alice"), errors.NotModerator),
    (lambda s: c.ApproveSpeaker(actor=HOST, stage_id=s, user_id="ghost"), errors.MemberNotHere),
    (lambda s: c.DenyHand(actor=HOST, stage_id=s, user_id="bob"), errors.NoHandRaised),
    (lambda s: c.SetRules(actor=HOST, stage_id=s, changes={"max_speakers": "0"}), errors.InvalidRule),
    (lambda s: c.SetRules(actor=HOST, stage_id=s, changes={"hand_cooldown": "5s", "colour": "red"}),
     errors.UnknownRule),
    (lambda s: c.AddModerator(actor=HOST, stage_id=s, user_id="mallory"), errors.TargetBlocked),
    (lambda s: c.RemoveMember(actor=HOST, stage_id=s, user_id="host", block=True), errors.CannotTargetHost),
    (lambda s: c.RemoveMember(actor=HOST, stage_id=s, user_id="stranger"), errors.NotOnStage),
    (lambda s: c.RaiseHand(actor=Actor("alice"), stage_id="no-such-stage"), errors.StageNotFound),
    (lambda s: open_stage("chan-1", title="Again"), errors.StageAlreadyLive),
    (lambda s: open_stage("chan-9", title="   "), errors.InvalidArgument),
]


async def test_a_refused_command_writes_nothing(apps: Apps, plain_engine: Engine) -> None:
    app = await apps.start()
    stage_id = await open_live(app, present=ROOM)
    await app.bus.handle(c.RemoveMember(actor=HOST, stage_id=stage_id, user_id="mallory", block=True))
    await app.bus.handle(c.RaiseHand(actor=Actor("alice"), stage_id=stage_id, note="first"))
    rows, version = counts(plain_engine), stored_version(plain_engine, stage_id)
    held = snapshot(await load(app, stage_id))

    for command, refusal in REFUSALS:
        with pytest.raises(refusal):
            await app.bus.handle(command(stage_id))
        assert counts(plain_engine) == rows, refusal
        assert stored_version(plain_engine, stage_id) == version, refusal
        # The process's own copy was not touched either: the next command judges the same stage.
        assert snapshot(await load(app, stage_id)) == held, refusal

    assert (await app.bus.handle(c.RaiseHand(actor=Actor("bob"), stage_id=stage_id))).params == {"position": 2}


async def test_a_write_the_database_rejects_leaves_nothing_behind(apps: Apps, plain_engine: Engine) -> None:
    app = await apps.start()
    stage_id = await open_live(app, present=ROOM)
    rows, version = counts(plain_engine), stored_version(plain_engine, stage_id)
    # The stage row and alice's row are written before her audit entry, which the database refuses.
    refuse_inserts(plain_engine, "audit_log", "NEW.kind = 'HandRaised'")

    with pytest.raises(errors.Unexpected):
        await app.bus.handle(c.RaiseHand(actor=Actor("alice"), stage_id=stage_id, note="lost"))

    assert counts(plain_engine) == rows
    assert stored_version(plain_engine, stage_id) == version
    with plain_engine.connect() as conn:
        hand = conn.execute(text("SELECT hand_seq FROM participant WHERE user_id = 'alice'")).scalar_one()
    assert hand is None
    assert app.cache.peek(stage_id) is None
    accept_inserts(plain_engine, "audit_log")

    # The next command starts from what is stored: alice's hand never was.
    assert (await app.bus.handle(c.RaiseHand(actor=Actor("bob"), stage_id=stage_id))).params == {"position": 1}
    assert (await app.bus.handle(c.RaiseHand(actor=Actor("alice"), stage_id=stage_id))).params == {"position": 2}
    stage = await load(app, stage_id)
    assert (list(stage.queue), stage.hands_raised, stage.hand_seq) == (["bob", "alice"], 2, 2)
    assert stored_version(plain_engine, stage_id) == version + 2


async def test_a_close_whose_recap_is_rejected_leaves_the_stage_live(apps: Apps, plain_engine: Engine) -> None:
    app = await apps.start()
    stage_id = await open_live(app, present=ROOM)
    await app.bus.handle(c.RaiseHand(actor=Actor("alice"), stage_id=stage_id))
    rows = counts(plain_engine)
    refuse_inserts(plain_engine, "recap")

    with pytest.raises(errors.Unexpected):
        await app.bus.handle(c.CloseStage(actor=HOST, stage_id=stage_id))

    assert counts(plain_engine) == rows
    assert app.cache.peek(stage_id) is None
    assert await app.queries.live_stage(PLATFORM, SPACE, "chan-1") == stage_id
    assert (await app.queries.board(stage_id)).state == "live"
    accept_inserts(plain_engine, "recap")
    await app.bus.handle(c.CloseStage(actor=HOST, stage_id=stage_id))
    recap = await app.queries.last_recap(PLATFORM, SPACE, "chan-1")
    assert recap is not None and recap[1].still_waiting == ("alice",)


async def test_an_acknowledged_command_is_already_stored(apps: Apps, plain_engine: Engine) -> None:
    app = await apps.start()

    def row(query: str, **params: str) -> tuple:  # type: ignore[type-arg]
        with plain_engine.connect() as conn:
            return tuple(conn.execute(text(query), params).one())

    await app.bus.handle(open_stage("chan-1", present=ROOM))
    (stage_id, state) = row("SELECT id, state FROM stage WHERE channel_id = 'chan-1'")
    assert state == "live"

    await app.bus.handle(c.RaiseHand(actor=Actor("alice"), stage_id=stage_id, note="hi"))
    assert row("SELECT hand_seq, hand_note FROM participant WHERE user_id = :u", u="alice") == (1, "hi")
    assert row("SELECT count(*) FROM audit_log WHERE kind = 'HandRaised'") == (1,)

    await app.bus.handle(c.ApproveSpeaker(actor=HOST, stage_id=stage_id, user_id="alice"))
    assert row("SELECT hand_seq, speaking_since IS NOT NULL FROM participant WHERE user_id = :u",
               u="alice") == (None, True)

    await app.bus.handle(c.CloseStage(actor=HOST, stage_id=stage_id))
    assert row("SELECT state, version FROM stage WHERE id = :s", s=stage_id) == ("ended", 4)
    assert row("SELECT count(*) FROM recap WHERE stage_id = :s", s=stage_id) == (1,)


async def test_the_stored_row_follows_the_stage_when_only_changed_columns_are_written(
        apps: Apps, plain_engine: Engine) -> None:
    """Commands write only the stage columns they changed; what is stored must still be the whole stage."""
    app = await apps.start()
    stage_id = await open_live(app, present=ROOM)
    steps = [
        c.RaiseHand(actor=Actor("alice"), stage_id=stage_id, note="pricing"),
        c.SetTopic(actor=HOST, stage_id=stage_id, topic="Pricing questions"),
        c.SetRules(actor=HOST, stage_id=stage_id, changes={"max_speakers": "2", "queue_mode": "fair"}),
        c.RaiseHand(actor=Actor("bob"), stage_id=stage_id),
        c.ApproveNext(actor=HOST, stage_id=stage_id),
        c.LockHands(actor=HOST, stage_id=stage_id, locked=True),
        c.MoveToAudience(actor=HOST, stage_id=stage_id, user_id="alice"),
        c.SetRules(actor=HOST, stage_id=stage_id, changes={"speaking_time_limit": "5m"}),
        c.CloseStage(actor=HOST, stage_id=stage_id),
    ]
    for command in steps:
        await app.bus.handle(command)
        with plain_engine.connect() as conn:
            stored = load_stage(conn, stage_id)
        assert stored is not None
        assert snapshot(stored) == snapshot(await load(app, stage_id)), type(command).__name__
