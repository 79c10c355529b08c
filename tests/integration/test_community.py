"""Statistics and badges as a space lives them: stages closed through the bus, on SQLite and PostgreSQL; the
close's tallies and badges delivered through the outbox, and a close delivered twice awarding nothing twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, text

from bot.bootstrap import App
from bot.clock import ManualClock
from bot.domain import commands as c
from bot.domain import errors
from bot.domain.community import Board, Period
from bot.domain.community_commands import HideStats, SetThresholds
from bot.domain.links import MAX_LINKS, AddLink, Link, NoSuchLink, NotALink, RemoveLink, TooManyLinks
from bot.domain.members import Actor
from bot.i18n.catalog import render
from bot.i18n.message import Mention
from bot.services.community import Asked, StatsHidden
from tests.fakes.platform import FakePlatform
from tests.support.apps import T0, Apps
from tests.support.stages import HOST, PLATFORM, SPACE, open_stage

MOD = Actor("mod", platform_moderator=True)


def asked(user: str, *, moderator: bool = False) -> Asked:
    return Asked(Actor(user, platform_moderator=moderator), PLATFORM, SPACE)


async def talk(app: App, clock: ManualClock, speakers: dict[str, int], *, present: set[str] = frozenset(),
               channel: str = "chan-1") -> str:
    """A stage where each speaker raises a hand and speaks for their minutes, then closes."""
    await app.bus.handle(open_stage(channel, present={"host", *present, *speakers}))
    stage_id = await app.queries.live_stage(PLATFORM, SPACE, channel)
    for user, minutes in speakers.items():
        await app.bus.handle(c.RaiseHand(actor=Actor(user), stage_id=stage_id))
        await app.bus.handle(c.ApproveSpeaker(actor=HOST, stage_id=stage_id, user_id=user))
        clock.advance(timedelta(minutes=minutes))
        await app.bus.handle(c.MoveToAudience(actor=HOST, stage_id=stage_id, user_id=user))
    await app.bus.handle(c.CloseStage(actor=HOST, stage_id=stage_id))
    await app.settle()
    return stage_id


def said(platform: FakePlatform, method: str, stage_id: str) -> list[tuple[str | None, str]]:
    return [(call.user_id, render(call.args["message"], "en")) for call in platform.of(stage_id, method)
            if "badge" in render(call.args["message"], "en")]


def count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


async def test_statistics_come_from_the_closed_stages(apps: Apps, platform: FakePlatform, clock: ManualClock) -> None:
    app = await apps.start(platform=platform, clock=clock)
    await talk(app, clock, {"bob": 5, "carol": 2}, present={"dave"})
    await talk(app, clock, {"bob": 3})
    bob = await app.community.stats(asked("bob"), None, Period.ALL)
    text_ = [render(line, "en") for line in bob]
    assert text_[0] == "Statistics of bob (all time):"
    assert text_[1] == "Stages attended: 2; minutes present: 10."  # the whole of both stages
    assert text_[2] == "Times on stage: 2; minutes spoken: 8."
    assert text_[3] == "Hands raised: 2; served: 2."
    assert text_[-1] == "This space (all time): stages held: 2; minutes: 10; different speakers: 2."
    host = [render(line, "fr") for line in await app.community.stats(asked("host"), None, Period.MONTH)]
    assert host[4] == "Stages animés : 2 ; plus grande audience : 4."


async def test_leaderboards_rank_and_leave_out_who_hid_their_statistics(
        apps: Apps, platform: FakePlatform, clock: ManualClock) -> None:
    app = await apps.start(platform=platform, clock=clock)
    await talk(app, clock, {"bob": 5, "carol": 7, "dave": 1})
    board = [render(m, "en") for m in await app.community.leaderboard(asked("erin"), Board.SPEAKERS, Period.MONTH)]
    assert board[1:] == ["#1 carol 🎤 — 7 min spoken", "#2 bob 🎤 — 5 min spoken", "#3 dave 🎤 — 1 min spoken"]
    assert "hidden" in render(await app.bus.handle(HideStats(actor=Actor("carol"), platform=PLATFORM,
                                                             space_id=SPACE)), "en")
    board = [render(m, "en") for m in await app.community.leaderboard(asked("erin"), Board.SPEAKERS, Period.MONTH)]
    assert board[1:] == ["#1 bob 🎤 — 5 min spoken", "#2 dave 🎤 — 1 min spoken"]
    # nobody else sees them, not even a moderator; she still does
    with pytest.raises(StatsHidden) as refused:
        await app.community.stats(asked("mod", moderator=True), "carol", Period.ALL)
    assert refused.value.params == {"member": Mention("carol")}
    assert (await app.community.stats(asked("carol"), None, Period.ALL))[2].params["minutes"] == 7
    await app.bus.handle(HideStats(actor=Actor("carol"), platform=PLATFORM, space_id=SPACE, hidden=False))
    board = [render(m, "en") for m in await app.community.leaderboard(asked("erin"), Board.SPEAKERS, Period.MONTH)]
    assert board[1] == "#1 carol 🎤 — 7 min spoken"


async def test_only_a_moderator_sees_another_members_statistics(apps: Apps, clock: ManualClock) -> None:
    app = await apps.start(clock=clock)
    with pytest.raises(errors.NotModerator):
        await app.community.stats(asked("erin"), "bob", Period.ALL)
    shown = await app.community.stats(asked("mod", moderator=True), "bob", Period.ALL)
    assert render(shown[1], "en") == "Stages attended: 0; minutes present: 0."


async def test_a_close_delivered_twice_awards_nothing_twice(
        apps: Apps, platform: FakePlatform, clock: ManualClock, plain_engine: Engine) -> None:
    app = await apps.start(platform=platform, clock=clock)
    stage_id = await talk(app, clock, {"bob": 2})
    assert said(platform, "announce", stage_id) == [(None, "🎤 bob earned a badge: First time on stage.")]
    assert said(platform, "notify", stage_id) == [("bob", "🎤 You earned a badge: First time on stage.")]
    tallies, badges = count(plain_engine, "member_tally"), count(plain_engine, "member_badge")
    assert (tallies, badges) == (2, 1)  # the host and bob; bob's badge
    for _ in range(2):  # the close's outbox entry taken back after a crash, then once more
        await app.community.closed(stage_id)
        await app.settle()
    assert (count(plain_engine, "member_tally"), count(plain_engine, "member_badge")) == (tallies, badges)
    assert len(said(platform, "announce", stage_id)) == 1 and len(said(platform, "notify", stage_id)) == 1
    assert count(plain_engine, "outbox") == 0


async def test_a_space_sets_its_own_thresholds(apps: Apps, platform: FakePlatform, clock: ManualClock) -> None:
    app = await apps.start(platform=platform, clock=clock)
    with pytest.raises(errors.NotModerator):
        await app.bus.handle(SetThresholds(actor=Actor("erin"), platform=PLATFORM, space_id=SPACE,
                                           changes={"attended": "2"}))
    with pytest.raises(errors.UnknownRule) as unknown:
        await app.bus.handle(SetThresholds(actor=MOD, platform=PLATFORM, space_id=SPACE, changes={"colour": "2"}))
    assert unknown.value.params["rule"] == "colour"
    with pytest.raises(errors.InvalidRule) as bad:
        await app.bus.handle(SetThresholds(actor=MOD, platform=PLATFORM, space_id=SPACE, changes={"hosted": "0"}))
    assert bad.value.params["value"] == "0"
    await app.bus.handle(SetThresholds(actor=MOD, platform=PLATFORM, space_id=SPACE, changes={"attended": "2"}))
    first = await talk(app, clock, {}, present={"dave"})
    assert said(platform, "notify", first) == []  # one stage: below 2
    second = await talk(app, clock, {}, present={"dave"})
    assert said(platform, "notify", second) == [("dave", "🎧 You earned a badge: Faithful listener."),
                                                ("host", "🎧 You earned a badge: Faithful listener.")]
    third = await talk(app, clock, {}, present={"dave"})
    assert said(platform, "notify", third) == []  # held already


async def test_the_top_speaker_of_a_month_is_named_once_the_month_is_over(
        apps: Apps, platform: FakePlatform, clock: ManualClock) -> None:
    app = await apps.start(platform=platform, clock=clock)  # T0: 2 March
    await talk(app, clock, {"bob": 3, "carol": 9})
    await app.bus.handle(HideStats(actor=Actor("carol"), platform=PLATFORM, space_id=SPACE))
    clock.advance(timedelta(days=30))  # April
    april = await talk(app, clock, {"dave": 1})
    assert ("bob", "🏆 You earned a badge: Top speaker of the month (2026-03).") in said(platform, "notify", april)
    assert not [u for u, _ in said(platform, "announce", april) if u == "carol"]
    again = await talk(app, clock, {"dave": 1})
    assert not [t for _, t in said(platform, "notify", again) if "🏆" in t]


async def test_suggested_moderators_are_regulars_who_spoke_without_incident(
        apps: Apps, platform: FakePlatform, clock: ManualClock) -> None:
    app = await apps.start(platform=platform, clock=clock)
    await app.bus.handle(SetThresholds(actor=MOD, platform=PLATFORM, space_id=SPACE, changes={"regular": "2"}))
    await talk(app, clock, {"bob": 2, "carol": 5, "dave": 9, "erin": 1, "frank": 3})
    # dave is removed once; erin hides her statistics; frank comes once only
    await app.bus.handle(open_stage(present={"host", "bob", "carol", "dave", "erin"}))
    stage_id = await app.queries.live_stage(PLATFORM, SPACE, "chan-1")
    await app.bus.handle(c.RemoveMember(actor=HOST, stage_id=stage_id, user_id="dave"))
    await app.bus.handle(c.CloseStage(actor=HOST, stage_id=stage_id))
    await app.bus.handle(HideStats(actor=Actor("erin"), platform=PLATFORM, space_id=SPACE))
    await app.settle()
    shown = [render(m, "en") for m in await app.community.suggest(asked("host"), {"host"})]
    assert shown == ["Regulars who spoke well without incident (the last 30 days):",
                     "carol: 2 stages, 5 min spoken, 1 hands served", "bob: 2 stages, 2 min spoken, 1 hands served",
                     "To hand one of them moderation of this stage: mod add and their name."]
    already = [render(m, "en") for m in await app.community.suggest(asked("host"), {"host", "carol"})]
    assert [line for line in already if "carol" in line] == []
    bob = [render(m, "fr") for m in await app.community.stats(asked("bob"), None, Period.MONTH)]
    assert bob[0] == "bob est un habitué de cet espace."
    frank = [render(m, "en") for m in await app.community.stats(asked("frank"), None, Period.MONTH)]
    assert frank[0] == "Statistics of frank (the last 30 days):"  # once is not a regular


async def test_moderators_attach_links_shown_on_the_board_and_in_the_recap(
        apps: Apps, platform: FakePlatform, clock: ManualClock) -> None:
    app = await apps.start(platform=platform, clock=clock)
    await app.bus.handle(open_stage(present={"host", "bob"}))
    stage_id = await app.queries.live_stage(PLATFORM, SPACE, "chan-1")
    added = await app.bus.handle(AddLink(actor=HOST, stage_id=stage_id, url="https://example.com/slides.pdf",
                                         label="Slides"))
    assert render(added, "en") == "Link #1 added to the board."
    await app.bus.handle(AddLink(actor=HOST, stage_id=stage_id, url="http://example.org/notes"))
    await app.settle()
    board = await app.queries.board(stage_id)
    assert board.links == (Link(1, "https://example.com/slides.pdf", "Slides"), Link(2, "http://example.org/notes"))
    assert platform.of(stage_id, "show_board")[-1].args["board"].links == board.links  # the board redrawn
    with pytest.raises(errors.NotModerator):
        await app.bus.handle(AddLink(actor=Actor("bob"), stage_id=stage_id, url="https://example.com/x"))
    with pytest.raises(NotALink):
        await app.bus.handle(AddLink(actor=HOST, stage_id=stage_id, url="javascript:alert(1)"))
    with pytest.raises(NoSuchLink) as missing:
        await app.bus.handle(RemoveLink(actor=HOST, stage_id=stage_id, number=3))
    assert missing.value.params == {"number": 3, "count": 2}
    await app.bus.handle(RemoveLink(actor=HOST, stage_id=stage_id, number=1))
    for n in range(MAX_LINKS - 1):  # up to the limit, numbers going on from the last
        await app.bus.handle(AddLink(actor=HOST, stage_id=stage_id, url=f"https://example.com/{n}"))
    with pytest.raises(TooManyLinks):
        await app.bus.handle(AddLink(actor=HOST, stage_id=stage_id, url="https://example.com/one-too-many"))
    assert [link.number for link in (await app.queries.board(stage_id)).links] == list(range(2, 12))
    log = [render(line.message, "en") for line in await app.queries.log(stage_id, HOST, limit=50)]
    assert "host added a link: https://example.com/slides.pdf" in log
    assert "host removed link #1: https://example.com/slides.pdf" in log
    await app.bus.handle(c.CloseStage(actor=HOST, stage_id=stage_id))
    await app.settle()
    [closed] = platform.of(stage_id, "stage_closed")
    assert closed.args["recap"].links[0] == ("http://example.org/notes", "")
    title, recap = await app.queries.last_recap(PLATFORM, SPACE, "chan-1")
    assert len(recap.links) == MAX_LINKS
    with pytest.raises(errors.StageNotLive):
        await app.bus.handle(RemoveLink(actor=HOST, stage_id=stage_id, number=2))
