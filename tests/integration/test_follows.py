"""Follows as a space lives them: members follow tags and hosts through the bus; a stage opening (or a series
scheduled) tells each follower once, by a direct message of its own through the outbox, leaving out the host and
blocked members; a notice delivered again, even after a kill, tells nobody twice. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import Engine, text

from bot.bootstrap import App
from bot.clock import ManualClock
from bot.domain import commands as c
from bot.domain.community_commands import HideStats
from bot.domain.follows import (MAX_FOLLOWS, Follow, Followed, FollowingYourself, NotFollowing, NothingToFollow,
                                TooManyFollows)
from bot.domain.members import Actor
from bot.i18n.catalog import render
from bot.services.community import Asked
from tests.fakes.platform import FakeFollowerPlatform, FakePlatform
from tests.support.apps import T0, Apps
from tests.support.stages import HOST, PLATFORM, SPACE, open_stage


def follow(user: str, kind: str, *targets: str, on: bool = True) -> Follow:
    return Follow(actor=Actor(user), platform=PLATFORM, space_id=SPACE, kind=Followed(kind), targets=targets, on=on)


def told(platform: FakePlatform, subject: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for call in platform.of(subject, "notify_follower"):
        assert call.user_id is not None
        found.setdefault(call.user_id, []).append(render(call.args["message"], call.args["locale"]))
    return found


def count(engine: Engine, table: str, where: str = "true") -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table} WHERE {where}")).scalar_one())


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def platform() -> FakeFollowerPlatform:
    return FakeFollowerPlatform(PLATFORM)


async def followers(app: App) -> None:
    """bob follows both tags and the host; carol the host; dave one tag; erin another tag; the host one of their
    own tags; mallory a tag but is blocked in the space; hid a tag and hid their statistics."""
    for command in (follow("bob", "tag", "pricing", "design"), follow("bob", "host", "host"),
                    follow("carol", "host", "host"), follow("dave", "tag", "design"), follow("erin", "tag", "hiring"),
                    follow("host", "tag", "pricing"), follow("mallory", "tag", "pricing"),
                    follow("hid", "tag", "pricing"),
                    HideStats(actor=Actor("hid"), platform=PLATFORM, space_id=SPACE)):
        await app.bus.handle(command)
    await app.bus.handle(open_stage("chan-0", present={"mallory"}, title="Earlier"))
    earlier = await app.queries.live_stage(PLATFORM, SPACE, "chan-0")
    await app.bus.handle(c.RemoveMember(actor=HOST, stage_id=earlier, user_id="mallory", block=True))
    await app.bus.handle(c.CloseStage(actor=HOST, stage_id=earlier))


async def test_each_follower_hears_once_whatever_they_matched_by(
        apps: Apps, platform: FakeFollowerPlatform, clock: ManualClock, plain_engine: Engine) -> None:
    app = await apps.start(platform=platform, clock=clock)
    await followers(app)
    await app.bus.handle(open_stage(title="Weekly AMA", topic="Roadmap", tags=("pricing", "design")))
    stage_id = await app.queries.live_stage(PLATFORM, SPACE, "chan-1")
    await app.settle()
    heard = told(platform, stage_id)
    assert sorted(heard) == ["bob", "carol", "dave", "hid"]  # not erin, not the host, not mallory (blocked)
    assert heard["bob"] == ["🔔 Live now: “Weekly AMA”, hosted by host · Roadmap · #pricing #design. You follow host."]
    assert heard["dave"] == ["🔔 Live now: “Weekly AMA”, hosted by host · Roadmap · #pricing #design. "
                             "You follow #design."]
    assert platform.of(stage_id, "notify") == []  # followers are told apart from the stage's own messages
    assert count(plain_engine, "follow_notice", f"subject_id = '{stage_id}'") == 4
    assert count(plain_engine, "outbox", f"stream = 'follow:{stage_id}'") == 0


async def test_a_notice_delivered_again_after_a_kill_tells_nobody_twice(
        apps: Apps, platform: FakeFollowerPlatform, clock: ManualClock, plain_engine: Engine) -> None:
    first = await apps.start(platform=platform, clock=clock)
    await followers(first)
    platform.hold = asyncio.Event()  # the direct messages are written, none has gone out: then the kill
    await first.bus.handle(open_stage(title="Weekly AMA", tags=("pricing", "design")))
    stage_id = await first.queries.live_stage(PLATFORM, SPACE, "chan-1")
    for _ in range(100):
        if count(plain_engine, "follow_notice", f"subject_id = '{stage_id}'") == 4:
            break
        await asyncio.sleep(0.02)
    first.dispatcher.abandon()
    await apps.stop(first)
    assert count(plain_engine, "outbox", f"stream = 'follow:{stage_id}'") == 4  # one direct message each, stored
    again = FakeFollowerPlatform(PLATFORM)
    second = await apps.start(platform=again, clock=clock)
    await second.settle()
    assert sorted(told(again, stage_id)) == ["bob", "carol", "dave", "hid"]
    for _ in range(2):  # the opening's notice delivered once more, and again
        assert second.follows is not None and await second.follows.notify(stage_id, series=False) == 0
        await second.settle()
    assert all(len(said) == 1 for said in told(again, stage_id).values()) and told(platform, stage_id) == {}
    assert count(plain_engine, "follow_notice", f"subject_id = '{stage_id}'") == 4
    assert count(plain_engine, "outbox", f"stream = 'follow:{stage_id}'") == 0


async def test_a_scheduled_series_tells_its_followers_then_its_opening_tells_those_not_going(
        apps: Apps, platform: FakeFollowerPlatform, clock: ManualClock) -> None:
    app = await apps.start(platform=platform, clock=clock)
    await app.bus.handle(follow("bob", "tag", "hiring"))
    await app.bus.handle(follow("carol", "tag", "hiring"))
    await app.bus.handle(c.ScheduleStage(actor=HOST, platform=PLATFORM, space_id=SPACE, channel_id="chan-1",
                                         title="Office hours", start="2026-03-03 18:00", timezone="UTC",
                                         tags=("hiring",)))
    [view] = await app.queries.schedules(PLATFORM, SPACE)
    await app.settle()
    heard = told(platform, view.schedule_id)
    assert heard["bob"] == ["📅 Coming up: “Office hours”, hosted by host, on Mar 3, 2026, 6:00:00\u202fPM · #hiring. "
                            "You follow #hiring."]
    assert sorted(heard) == ["bob", "carol"]
    await app.bus.handle(c.Rsvp(actor=Actor("carol"), schedule_id=view.schedule_id))
    assert view.next_at is not None
    clock.advance(view.next_at - clock.now() + timedelta(seconds=1))
    await app.bus.handle(c.StartScheduled(actor=Actor("system"), schedule_id=view.schedule_id,
                                          occurrence=view.next_at))
    await app.settle()
    stage_id = await app.queries.live_stage(PLATFORM, SPACE, "chan-1")
    assert sorted(told(platform, stage_id)) == ["bob"]  # carol is going: the series itself tells her


async def test_following_and_unfollowing_with_their_refusals(apps: Apps, clock: ManualClock) -> None:
    app = await apps.start(clock=clock)
    said = await app.bus.handle(follow("bob", "tag", "pricing", "design"))
    assert render(said, "en") == "You follow #pricing #design: a direct message tells you when their stages open " \
                                 "or are scheduled."
    assert render(await app.bus.handle(follow("bob", "tag", "pricing")), "fr") == "Vous suiviez déjà #pricing."
    with pytest.raises(FollowingYourself):
        await app.bus.handle(follow("bob", "host", "bob"))
    with pytest.raises(NothingToFollow):
        await app.bus.handle(follow("bob", "tag"))
    with pytest.raises(NotFollowing) as refused:
        await app.bus.handle(follow("bob", "tag", "hiring", on=False))
    assert refused.value.params == {"what": "#hiring"}
    await app.bus.handle(follow("bob", "host", "ann"))
    listed = [render(m, "en", mention=lambda u: f"@{u}") for m in await app.follows.listing(
        Asked(Actor("bob"), PLATFORM, SPACE))]
    assert listed == ["You follow 3 tags and hosts (at most 50):", "Tags: #design #pricing", "Host: @ann"]
    gone = await app.bus.handle(follow("bob", "tag", "design", "hiring", on=False))
    assert render(gone, "en") == "You no longer follow #design."


async def test_a_member_follows_at_most_the_limit(apps: Apps, clock: ManualClock) -> None:
    app = await apps.start(clock=clock)
    for n in range(MAX_FOLLOWS - 1):
        await app.bus.handle(follow("bob", "host", f"h{n}"))
    await app.bus.handle(follow("bob", "host", "last"))  # the limit itself
    with pytest.raises(TooManyFollows) as refused:
        await app.bus.handle(follow("bob", "tag", "one-more"))
    assert refused.value.params == {"max": MAX_FOLLOWS}
    assert render(await app.bus.handle(follow("bob", "host", "last")), "en").startswith("You were following")
    listed = await app.follows.listing(Asked(Actor("bob"), PLATFORM, SPACE))
    assert render(listed[0], "en") == f"You follow {MAX_FOLLOWS} tags and hosts (at most {MAX_FOLLOWS}):"


class RoutedFollowerPlatform(FakeFollowerPlatform):
    """A platform split between processes (Discord shards); this one serves the test's space."""

    routes = frozenset({"shard-0"})

    def route(self, space_id: str) -> str:
        return "shard-0" if space_id == SPACE else "shard-1"


async def test_followers_are_told_on_a_platform_split_between_processes(apps: Apps, clock: ManualClock) -> None:
    platform = RoutedFollowerPlatform(PLATFORM)
    app = await apps.start(platform=platform, clock=clock)
    await app.bus.handle(follow("bob", "tag", "hiring"))
    await app.bus.handle(c.ScheduleStage(actor=HOST, platform=PLATFORM, space_id=SPACE, channel_id="chan-1",
                                         title="Office hours", start="2026-03-03 18:00", timezone="UTC",
                                         tags=("hiring",)))
    await app.bus.handle(open_stage("chan-2", title="Now", tags=("hiring",)))
    await app.settle()
    [view] = await app.queries.schedules(PLATFORM, SPACE)
    stage_id = await app.queries.live_stage(PLATFORM, SPACE, "chan-2")
    assert sorted(told(platform, view.schedule_id)) == ["bob"] and sorted(told(platform, stage_id)) == ["bob"]
