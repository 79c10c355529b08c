"""Text the database or the calendar cannot hold, on SQLite and PostgreSQL: cleaned or refused, never
"Something went wrong", and a refusal changes nothing."""

from __future__ import annotations

import pytest

from bot.bootstrap import App
from bot.domain import commands as c
from bot.domain import errors
from bot.domain.members import Actor
from tests.support.apps import Apps
from tests.support.stages import HOST, PLATFORM, SPACE, counts, open_live, open_stage

ANN = Actor("ann")


@pytest.mark.parametrize("title", ["\x00", "\x01\x02\x03", "\u202e", "\u200b\u200b", " \ufeff\u2066 ", "\n\t"])
async def test_a_title_that_says_nothing_once_cleaned_is_refused(apps: Apps, title: str) -> None:
    app = await apps.start()
    with pytest.raises(errors.InvalidArgument) as refused:
        await app.bus.handle(open_stage(title=title))
    assert refused.value.params["name"] == "title"
    assert counts(app.db.engine)["stage"] == 0


async def test_nul_bytes_and_invisible_characters_never_reach_the_database(apps: Apps) -> None:
    app = await apps.start()
    stage_id = await open_live(app, title="Town\x00 hall\u202e", topic="gnp\u202e.exe \u200bpricing",
                               present={"ann"})
    await app.bus.handle(c.RaiseHand(actor=ANN, stage_id=stage_id, note="about\x00 the\u2067 roadmap"))
    await app.bus.handle(c.SetTopic(actor=HOST, stage_id=stage_id, topic="Q\x00&A"))
    await app.bus.handle(c.RemoveMember(actor=HOST, stage_id=stage_id, user_id="ann", block=True,
                                        reason="spam\x00\x1b[31m"))
    board = await app.queries.board(stage_id)
    assert (board.ref.title, board.topic) == ("Town hall", "Q&A")
    log = [line.message for line in await app.queries.log(stage_id, HOST)]
    assert log and all("\x00" not in repr(m) and "\u202e" not in repr(m) for m in log)


async def opened_only_if(app: App, title: str, accepted: bool) -> None:
    """Opening a stage titled `title` succeeds, or is refused with nothing stored."""
    command = open_stage(title=title)
    if accepted:
        await app.bus.handle(command)
    else:
        with pytest.raises(errors.InvalidArgument):
            await app.bus.handle(command)
    assert counts(app.db.engine)["stage"] == int(accepted)


@pytest.mark.parametrize("size, accepted", [(99, True), (100, True), (101, False)])
async def test_a_title_is_at_most_100_characters(apps: Apps, size: int, accepted: bool) -> None:
    await opened_only_if(await apps.start(), "a" * size, accepted)


@pytest.mark.parametrize("emoji, accepted", [(49, True), (50, True), (51, False)])
async def test_lengths_count_as_the_platforms_count_them(apps: Apps, emoji: int, accepted: bool) -> None:
    """🎤 is outside the BMP: two UTF-16 code units each, as Discord and Slack count it."""
    await opened_only_if(await apps.start(), "🎤" * emoji, accepted)


@pytest.mark.parametrize("start, zone", [("9999-12-31 23:59", "Etc/GMT+12"), ("0001-01-01 00:00", "Etc/GMT-14"),
                                         ("2999-01-01 10:00", "UTC")])
async def test_a_date_beyond_the_calendar_is_refused_cleanly(apps: Apps, start: str, zone: str) -> None:
    app = await apps.start()
    with pytest.raises(errors.InvalidDate) as refused:
        await app.bus.handle(c.ScheduleStage(actor=HOST, platform=PLATFORM, space_id=SPACE, channel_id="chan-1",
                                             title="Far", start=start, timezone=zone))
    assert refused.value.params == {"value": start}
    assert await app.queries.schedules(PLATFORM, SPACE) == []


@pytest.mark.parametrize("roles", ["<!channel>,<!here>", "<!everyone>", "@here", "ops\x00", "<@U123>"])
async def test_hand_roles_that_are_mentions_or_control_characters_are_refused(apps: Apps, roles: str) -> None:
    app = await apps.start()
    stage_id = await open_live(app)
    before = (await app.queries.board(stage_id)).rules
    with pytest.raises(errors.InvalidRule) as refused:
        await app.bus.handle(c.SetRules(actor=HOST, stage_id=stage_id, changes={"hand_roles": roles}))
    assert refused.value.params["rule"] == "hand_roles"
    assert (await app.queries.board(stage_id)).rules == before
