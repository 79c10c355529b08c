"""Blocks per space: a member blocked on one stage is kept out of the space's next stages and every occurrence
of a series, until unblocked or until the block's time runs out; listed with /stage blocks; audited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.domain import commands as c
from bot.domain import errors
from bot.domain.members import SYSTEM, Actor
from bot.i18n.catalog import render
from bot.surface.gateway import Place, act
from bot.surface.grammar import Grammar
from bot.surface.table import TABLE
from tests.support.apps import Apps, T0
from tests.support.stages import HOST, PLATFORM, SPACE, open_live

GRAMMAR = Grammar(TABLE)
ANN, BOB = Actor("ann"), Actor("bob")
ROOM = frozenset({"host", "ann", "bob"})


async def typed(app, line: str, channel: str = "chan-1", actor: Actor = HOST):  # type: ignore[no-untyped-def]
    parsed = GRAMMAR.parse(line)

    async def who(stage_id: str | None, channel_id: str) -> Actor:
        return actor

    async def member(name: str) -> str:
        return name
    return await act(app, parsed.row, parsed.values, Place(platform=PLATFORM, space_id=SPACE, channel_id=channel),
                     actor=who, member=member)


async def kept_out(app, stage_id: str, user_id: str) -> bool:  # type: ignore[no-untyped-def]
    roster = await app.queries.roster(stage_id)
    return user_id in roster.blocked and user_id not in roster.present


async def test_a_member_blocked_on_one_stage_is_kept_out_of_the_spaces_next_stages(apps: Apps) -> None:
    app = await apps.start()
    first = await open_live(app, "chan-1", present=ROOM)
    done = await typed(app, "stage block ann spamming the chat")
    assert "next ones" in render(done.reply, "en")
    await app.bus.handle(c.CloseStage(actor=HOST, stage_id=first))
    second = await open_live(app, "chan-2", present=ROOM)  # another channel of the same space, ann in its room
    assert await kept_out(app, second, "ann") and not await kept_out(app, second, "bob")
    log = [render(line.message, "en") for line in await app.queries.log(second, HOST)]
    assert "ann was kept out of the room" in log and "ann joined the room" not in log, log
    with pytest.raises(errors.Blocked):
        await app.bus.handle(c.RaiseHand(actor=ANN, stage_id=second))
    elsewhere = await app.bus.handle(c.OpenStage(actor=HOST, platform=PLATFORM, space_id="space-2",
                                                 channel_id="chan-9", title="Other space", present=ROOM))
    assert elsewhere is not None
    other = await app.queries.live_stage(PLATFORM, "space-2", "chan-9")
    assert not await kept_out(app, other, "ann")


async def test_every_occurrence_of_a_series_keeps_the_block(apps: Apps) -> None:
    clock = ManualClock(T0)
    app = await apps.start(clock=clock)
    await open_live(app, "chan-1", present=ROOM)
    await typed(app, "stage block ann")
    await app.bus.handle(c.ScheduleStage(actor=HOST, platform=PLATFORM, space_id=SPACE, channel_id="chan-5",
                                         title="Daily", start="2026-03-03 09:00", timezone="UTC",
                                         recurrence="daily"))
    [series] = await app.queries.schedules(PLATFORM, SPACE)
    for day in range(2):
        occurrence = series.next_at + timedelta(days=day)
        clock.set(occurrence) if hasattr(clock, "set") else clock.advance(occurrence - clock.now())
        await app.bus.handle(c.StartScheduled(actor=SYSTEM, schedule_id=series.schedule_id, occurrence=occurrence))
        stage_id = await app.queries.live_stage(PLATFORM, SPACE, "chan-5")
        assert await kept_out(app, stage_id, "ann"), day
        await app.bus.handle(c.CloseStage(actor=HOST, stage_id=stage_id))


@pytest.mark.parametrize("after, held", [(7 * 86400 - 1, True), (7 * 86400, False), (7 * 86400 + 1, False)])
async def test_a_block_for_seven_days_holds_seven_days(apps: Apps, after: int, held: bool) -> None:
    clock = ManualClock(T0)
    app = await apps.start(clock=clock)
    first = await open_live(app, "chan-1", present=ROOM)
    done = await typed(app, "stage block ann for=7d flooding")
    assert "until" in render(done.reply, "en")
    await app.bus.handle(c.CloseStage(actor=HOST, stage_id=first))
    clock.advance(timedelta(seconds=after))
    later = await open_live(app, "chan-1", present=ROOM)
    assert await kept_out(app, later, "ann") is held


async def test_unblocking_on_any_stage_lifts_the_block_for_the_next_ones(apps: Apps) -> None:
    app = await apps.start()
    first = await open_live(app, "chan-1", present=ROOM)
    await typed(app, "stage block ann")
    second = await open_live(app, "chan-2", present=ROOM)
    await typed(app, "stage unblock ann", channel="chan-2")
    await app.bus.handle(c.CloseStage(actor=HOST, stage_id=first))
    await app.bus.handle(c.CloseStage(actor=HOST, stage_id=second))
    third = await open_live(app, "chan-3", present=ROOM)
    assert not await kept_out(app, third, "ann")


async def test_blocks_are_listed_for_moderators_and_audited(apps: Apps) -> None:
    clock = ManualClock(T0)
    app = await apps.start(clock=clock)
    stage_id = await open_live(app, "chan-1", present=ROOM)
    assert render((await typed(app, "stage blocks")).reply, "en") == "Nobody is blocked in this space."
    await typed(app, "stage block ann for=2d spam")
    await typed(app, "stage block bob")
    listed = render((await typed(app, "stage blocks")).reply, "en")
    assert listed.startswith("Blocked in this space: ann until ") and listed.endswith(", bob until unblocked.")
    with pytest.raises(errors.NotModerator):
        await typed(app, "stage blocks", actor=Actor("cat"))
    log = [render(line.message, "en") for line in await app.queries.log(stage_id, HOST)]
    assert sum("blocked" in line for line in log) == 2, log
