"""Presence synced for a whole audio room in one core command: one transaction, stored on both databases,
and what the platform is asked to do about members the rules keep out."""

from __future__ import annotations

from bot.domain import commands as c
from bot.domain import errors
from bot.domain.members import SYSTEM, Actor
from bot.i18n.message import Message
from bot.ports import Capability
from tests.fakes.platform import Call, FakePlatform
from tests.support.apps import Apps
from tests.support.stages import HOST, audit_kinds, load, open_live


async def test_a_whole_room_is_one_transaction_and_is_stored(apps: Apps) -> None:
    app = await apps.start()
    stage_id = await open_live(app, present={"host", "ann", "bob"})
    before = (await load(app, stage_id)).version

    await app.bus.handle(c.SyncPresence(actor=SYSTEM, stage_id=stage_id,
                                        room=(HOST, Actor("bob"), Actor("cat"), Actor("dan"))))

    stage = await load(app, stage_id)
    assert stage.version == before + 1  # one commit for the whole room
    assert {u for u, p in stage.participants.items() if p.present} == {"host", "bob", "cat", "dan"}
    assert (await app.queries.roster(stage_id)).present == frozenset({"host", "bob", "cat", "dan"})
    assert audit_kinds(app.db.engine, stage_id)[-3:] == ["MemberLeft", "MemberJoined", "MemberJoined"]


async def test_a_room_no_longer_seen_is_stored_as_unknown_and_survives_a_restart(apps: Apps) -> None:
    app = await apps.start()
    stage_id = await open_live(app, present={"host", "ann"})

    await app.bus.handle(c.SyncPresence(actor=SYSTEM, stage_id=stage_id, known=False))
    await apps.stop(app)
    again = await apps.start()

    stage = await load(again, stage_id)
    assert not stage.presence_known and stage.present_count == 0
    # Unknown presence is not absence: with must_be_present (the default) the hand is taken.
    reply = await again.bus.handle(c.RaiseHand(actor=Actor("ann"), stage_id=stage_id))
    assert reply == Message.of("Hand raised, you are #{position}. Join the audio room to be given the floor.",
                               position=1)


async def test_members_kept_out_are_told_why_and_taken_out_where_the_platform_can(apps: Apps) -> None:
    discord_like = FakePlatform()
    huddle_like = FakePlatform("fake", frozenset({Capability.DIRECT_MESSAGE}))  # cannot disconnect
    for channel, platform in (("chan-1", discord_like), ("chan-2", huddle_like)):
        app = await apps.start(platform=platform)
        stage_id = await open_live(app, channel, present={"host"}, capacity=2)
        await app.settle()
        platform.calls.clear()

        await app.bus.handle(c.SyncPresence(actor=SYSTEM, stage_id=stage_id,
                                            room=(HOST, Actor("ann"), Actor("bob"))))
        await app.settle()

        full = Message(errors.StageFull.message, {"capacity": 2})
        told = [call for call in platform.of(stage_id) if call.method in ("disconnect", "notify")]
        expected = [Call("notify", stage_id, "bob", {"message": full, "locale": "en"})]
        if platform is discord_like:
            expected.insert(0, Call("disconnect", stage_id, "bob"))
        assert told == expected
        await apps.stop(app)
