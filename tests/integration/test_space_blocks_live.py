"""A block in the space reaches the space's stages that are live already: on each, the member's hand is dropped,
a speaker goes back to the audience, the change is audited and the board shown again, through the outbox (so a
stop between the block and its spreading loses nothing). Lifting the block gives nothing back by itself."""

from __future__ import annotations

import pytest

from bot.bootstrap import App
from bot.domain import commands as c
from bot.domain import errors
from bot.domain.members import Actor
from bot.i18n.catalog import render
from bot.surface.gateway import Place, act
from bot.surface.grammar import Grammar
from bot.surface.table import TABLE
from tests.fakes.platform import FakePlatform
from tests.support.apps import Apps
from tests.support.stages import HOST, PLATFORM, SPACE, open_live

GRAMMAR = Grammar(TABLE)
ANN, CAT, BOB, DAN = Actor("ann"), Actor("cat"), Actor("bob"), Actor("dan")
ROOM = frozenset({"host", "ann", "bob", "cat", "dan"})


async def typed(app: App, line: str, channel: str = "chan-1", actor: Actor = HOST) -> str:
    parsed = GRAMMAR.parse(line)

    async def who(stage_id: str | None, channel_id: str) -> Actor:
        return actor

    async def member(name: str) -> str:
        return name
    done = await act(app, parsed.row, parsed.values, Place(platform=PLATFORM, space_id=SPACE, channel_id=channel),
                     actor=who, member=member)
    return render(done.reply, "en")


async def busy_second_stage(app: App) -> str:
    """chan-2 live with dan hosting: cat has the floor, ann and bob wait with their hands up."""
    second = await app.bus.handle(c.OpenStage(actor=DAN, platform=PLATFORM, space_id=SPACE, channel_id="chan-2",
                                              title="Second room", present=ROOM))
    assert second is not None
    stage_id = await app.queries.live_stage(PLATFORM, SPACE, "chan-2")
    for actor in (CAT, ANN, BOB):
        await app.bus.handle(c.RaiseHand(actor=actor, stage_id=stage_id))
    await app.bus.handle(c.ApproveSpeaker(actor=DAN, stage_id=stage_id, user_id="cat"))
    return stage_id


def log_of(lines: list[str], *needles: str) -> list[str]:
    return [line for line in lines if any(n in line for n in needles)]


async def audit(app: App, stage_id: str, reader: Actor = HOST) -> list[str]:
    return [render(line.message, "en") for line in await app.queries.log(stage_id, reader)]


async def test_a_block_in_the_space_reaches_every_live_stage_at_once(apps: Apps) -> None:
    platform = FakePlatform(PLATFORM)
    app = await apps.start(platform=platform)
    first = await open_live(app, "chan-1", present=ROOM)
    second = await busy_second_stage(app)
    await app.bus.dispatcher.drain()
    before = len(platform.of(second))

    await typed(app, "stage block ann for=7d spamming")
    await typed(app, "stage block cat")
    await typed(app, "stage block dan")  # the second stage's own host: a space's block never takes a host's stage
    await app.bus.dispatcher.drain()

    roster = await app.queries.roster(second)
    assert roster.hands == ("bob",), roster
    assert roster.speakers == frozenset(), roster
    assert roster.blocked == {"ann", "cat"}, roster
    assert "ann" not in roster.present and "cat" not in roster.present and "dan" in roster.present
    for refused in (ANN, CAT):
        with pytest.raises(errors.Blocked):
            await app.bus.handle(c.RaiseHand(actor=refused, stage_id=second))
    # The host of the second stage still runs it.
    await app.bus.handle(c.ApproveNext(actor=DAN, stage_id=second))

    calls = platform.of(second)[before:]
    said = [(call.method, call.user_id, call.args.get("speaking", call.args.get("allowed"))) for call in calls]
    assert ("set_speaker", "cat", False) in said, said  # Discord suppresses cat; Slack announces it
    assert ("set_access", "ann", False) in said and ("set_access", "cat", False) in said, said
    assert ("disconnect", "ann", None) in said and ("disconnect", "cat", None) in said, said
    assert not [s for s in said if s[1] == "dan"], said
    announced = [render(call.args["message"], "en") for call in calls if call.method == "announce"]
    assert "cat is back in the audience." in announced, announced
    boards = [call.args["board"] for call in calls if call.method == "show_board"]
    assert len(boards) >= 2, said  # shown again after each block
    lines = await audit(app, second, DAN)
    assert log_of(lines, "blocked ann") == ["host blocked ann (spamming)"], lines
    assert log_of(lines, "blocked cat") == ["host blocked cat"], lines
    assert log_of(lines, "moved cat") == ["host moved cat back to the audience (removed from the stage)"], lines
    assert not log_of(lines, "blocked dan"), lines
    # Spread once: the block on the second stage does not come back to the first, nor count twice.
    assert len(log_of(await audit(app, first), "blocked ann")) == 1
    listed = await typed(app, "stage blocks")
    assert listed.count("ann") == 1 and listed.count("cat") == 1, listed


async def test_a_stage_of_another_space_is_left_alone(apps: Apps) -> None:
    platform = FakePlatform(PLATFORM)
    app = await apps.start(platform=platform)
    await open_live(app, "chan-1", present=ROOM)
    await app.bus.handle(c.OpenStage(actor=DAN, platform=PLATFORM, space_id="space-2", channel_id="chan-9",
                                     title="Elsewhere", present=ROOM))
    other = await app.queries.live_stage(PLATFORM, "space-2", "chan-9")
    await app.bus.handle(c.RaiseHand(actor=ANN, stage_id=other))
    await typed(app, "stage block ann")
    await app.bus.dispatcher.drain()
    roster = await app.queries.roster(other)
    assert roster.hands == ("ann",) and not roster.blocked, roster


async def test_lifting_the_block_gives_back_neither_hand_nor_floor(apps: Apps) -> None:
    platform = FakePlatform(PLATFORM)
    app = await apps.start(platform=platform)
    await open_live(app, "chan-1", present=ROOM)
    second = await busy_second_stage(app)
    await typed(app, "stage block ann")
    await typed(app, "stage block cat")
    await app.bus.dispatcher.drain()
    assert "no longer blocked" in await typed(app, "stage unblock cat")
    await app.bus.dispatcher.drain()

    roster = await app.queries.roster(second)
    assert roster.blocked == {"ann"}, roster  # the block is lifted in the space, live stages included
    assert roster.hands == ("bob",) and roster.speakers == frozenset(), roster  # nothing given back
    lines = await audit(app, second, DAN)
    assert log_of(lines, "unblocked cat") == ["host unblocked cat"], lines
    # cat may take part again, as anyone would: back in the room, a hand raised anew waits behind bob.
    await app.bus.handle(c.JoinAudio(actor=CAT, stage_id=second))
    await app.bus.handle(c.RaiseHand(actor=CAT, stage_id=second))
    assert (await app.queries.roster(second)).hands == ("bob", "cat")


async def test_the_block_reaches_live_stages_after_a_stop_before_it_was_delivered(apps: Apps) -> None:
    platform = FakePlatform(PLATFORM)
    first_app = await apps.start()
    first_app.register(platform, connected=False)  # the platform never connects: the effects stay stored
    await open_live(first_app, "chan-1", present=ROOM)
    second = await busy_second_stage(first_app)
    await typed(first_app, "stage block cat")
    assert (await first_app.queries.roster(second)).speakers == {"cat"}  # not spread yet
    await apps.stop(first_app)

    again = FakePlatform(PLATFORM)
    app = await apps.start(platform=again)
    await app.bus.dispatcher.drain()
    roster = await app.queries.roster(second)
    assert roster.speakers == frozenset() and roster.blocked == {"cat"}, roster
    assert ("set_speaker", "cat") in [(call.method, call.user_id) for call in again.of(second)]
