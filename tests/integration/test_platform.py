"""What the platform is asked to do once a command is stored, and that its refusals stop nothing else."""

from __future__ import annotations

import logging

import pytest

from bot.domain import commands as c
from bot.domain.members import Actor
from bot.i18n.message import Message
from tests.fakes.platform import Call, FakePlatform
from tests.support.apps import Apps
from tests.support.stages import HOST, open_live


async def test_approving_gives_the_floor_and_tells_the_speaker(apps: Apps, platform: FakePlatform) -> None:
    app = await apps.start(platform=platform)
    stage_id = await open_live(app, present={"alice", "bob"})
    await app.bus.handle(c.RaiseHand(actor=Actor("alice"), stage_id=stage_id, note="a question"))
    await app.settle()
    platform.calls.clear()

    await app.bus.handle(c.ApproveSpeaker(actor=HOST, stage_id=stage_id, user_id="alice"))
    await app.settle()

    assert platform.of(stage_id, "set_speaker") == [Call("set_speaker", stage_id, "alice", {"speaking": True})]
    assert platform.of(stage_id, "notify") == [Call("notify", stage_id, "alice", {
        "message": Message.of("You have the floor on “{title}”.", title="Town hall"), "locale": "en"})]
    [shown] = platform.of(stage_id, "show_board")
    board = shown.args["board"]
    assert [s.user_id for s in board.speakers] == ["alice"] and board.queue == ()
    assert board.version == (await app.queries.board(stage_id)).version


def without_badges(calls: list[Call]) -> list[Call]:
    """The calls a close makes, without the badges it awards (tests/integration/test_community.py)."""
    return [call for call in calls if "earned a badge" not in getattr(call.args.get("message"), "msgid", "")]


async def test_closing_posts_the_recap_and_tells_who_was_waiting(apps: Apps, platform: FakePlatform) -> None:
    app = await apps.start(platform=platform)
    stage_id = await open_live(app, present={"alice", "bob", "carol"})
    for user_id in ("alice", "bob", "carol"):
        await app.bus.handle(c.RaiseHand(actor=Actor(user_id), stage_id=stage_id))
    await app.bus.handle(c.ApproveNext(actor=HOST, stage_id=stage_id))
    await app.settle()
    platform.calls.clear()

    await app.bus.handle(c.CloseStage(actor=HOST, stage_id=stage_id))
    await app.settle()

    assert [(call.method, call.user_id) for call in without_badges(platform.of(stage_id))] == [
        ("set_speaker", "alice"), ("stage_closed", None), ("notify", "bob"), ("notify", "carol")]
    assert platform.of(stage_id, "set_speaker")[0].args == {"speaking": False}
    [closed] = platform.of(stage_id, "stage_closed")
    recap = closed.args["recap"]
    assert recap.still_waiting == ("bob", "carol") and recap.hands_served == 1 and recap.hands_raised == 3
    assert closed.args["board"].state == "ended"
    ended = Message.of("The stage “{title}” has ended; your hand was lowered.", title="Town hall")
    assert [call.args["message"] for call in without_badges(platform.of(stage_id, "notify"))] == [ended, ended]


async def test_a_platform_refusal_stops_neither_later_calls_nor_other_stages(
        apps: Apps, platform: FakePlatform, caplog: pytest.LogCaptureFixture) -> None:
    app = await apps.start(platform=platform)
    failing = await open_live(app, "chan-1", present={"alice", "bob"})
    healthy = await open_live(app, "chan-2", present={"alice", "bob"}, title="Other room")
    for stage_id in (failing, healthy):
        await app.bus.handle(c.RaiseHand(actor=Actor("bob"), stage_id=stage_id))
    await app.settle()
    platform.calls.clear()
    # Say the platform cannot move speakers on the first stage (a missing permission, a member gone).
    platform.refuse("set_speaker", failing)

    for stage_id in (failing, healthy):
        await app.bus.handle(c.ApproveSpeaker(actor=HOST, stage_id=stage_id, user_id="alice"))
        await app.settle()  # else the board goes out after the close, as it is then: closed, not shown live
        await app.bus.handle(c.CloseStage(actor=HOST, stage_id=stage_id))
    await app.settle()

    expected = [("set_speaker", "alice"), ("notify", "alice"), ("show_board", None),
                ("set_speaker", "alice"), ("stage_closed", None), ("notify", "bob")]
    for stage_id in (healthy, failing):
        assert [(call.method, call.user_id) for call in without_badges(platform.of(stage_id))] == expected, stage_id
    refusals = [r for r in caplog.records if r.levelno >= logging.ERROR and "set_speaker refused" in r.exc_text]
    assert len(refusals) == 2  # logged with context, once per refused call


async def test_a_lowered_or_denied_hand_is_withdrawn_on_the_platform(apps: Apps, platform: FakePlatform) -> None:
    # The notifier, not the adapter, decides it: a platform mirroring hands (Discord's requests to speak)
    # clears the request whichever path lowered the hand.
    app = await apps.start(platform=platform)
    stage_id = await open_live(app, present={"alice", "bob", "carol"})
    for user_id in ("alice", "bob", "carol"):
        await app.bus.handle(c.RaiseHand(actor=Actor(user_id), stage_id=stage_id))
    await app.settle()
    platform.calls.clear()

    await app.bus.handle(c.LowerHand(actor=Actor("alice"), stage_id=stage_id))
    await app.bus.handle(c.DenyHand(actor=HOST, stage_id=stage_id, user_id="bob", reason="off topic"))
    await app.settle()

    assert [call.user_id for call in platform.of(stage_id, "withdraw_hand")] == ["alice", "bob"]
    # bob: next in line, then denied; carol: next in line
    assert [call.user_id for call in platform.of(stage_id, "notify")] == ["bob", "bob", "carol"]


async def test_an_unblocked_member_gets_access_back(apps: Apps, platform: FakePlatform) -> None:
    app = await apps.start(platform=platform)
    stage_id = await open_live(app, present={"alice", "bob"})
    await app.bus.handle(c.RemoveMember(actor=HOST, stage_id=stage_id, user_id="bob", block=True))
    await app.settle()
    platform.calls.clear()

    await app.bus.handle(c.UnblockMember(actor=HOST, stage_id=stage_id, user_id="bob"))
    await app.settle()

    assert [(call.method, call.user_id) for call in platform.of(stage_id)] == [
        ("restore_access", "bob"), ("show_board", None)]
