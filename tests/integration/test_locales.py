"""Which language each reader gets: their own choice, else their space's, else the default; kept across restarts."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Engine, text

from bot.bootstrap import App
from bot.domain import commands as c
from bot.domain import errors
from tests.fakes.platform import FakePlatform
from tests.support.apps import Apps
from tests.support.stages import HOST, PLATFORM, SPACE

OTHER_SPACE = "space-2"


async def floor_locales(app: App, platform: FakePlatform, space_id: str, users: list[str]) -> dict[str, str]:
    """Gives each user the floor on a fresh stage in ``space_id``; returns the locale each was told in."""
    await app.bus.handle(c.OpenStage(actor=HOST, platform=PLATFORM, space_id=space_id, channel_id="chan",
                                     title="Locales", present=frozenset(users)))
    stage_id = await app.queries.live_stage(PLATFORM, space_id, "chan")
    for user_id in users:
        await app.bus.handle(c.ApproveSpeaker(actor=HOST, stage_id=stage_id, user_id=user_id))
    await app.bus.handle(c.CloseStage(actor=HOST, stage_id=stage_id))
    await app.settle()
    return {call.user_id: call.args["locale"] for call in platform.of(stage_id, "notify")
            if call.user_id is not None}


async def test_member_over_space_over_default(apps: Apps, platform: FakePlatform) -> None:
    app = await apps.start(platform=platform)
    await app.locales.set_space(PLATFORM, SPACE, "fr")
    await app.locales.set_member(PLATFORM, "alice", "en")

    assert await floor_locales(app, platform, SPACE, ["alice", "bob"]) == {"alice": "en", "bob": "fr"}
    assert await floor_locales(app, platform, OTHER_SPACE, ["alice", "bob"]) == {"alice": "en", "bob": "en"}


async def test_choices_survive_a_restart(apps: Apps) -> None:
    first = await apps.start()
    await first.locales.set_space(PLATFORM, SPACE, "fr")
    await first.locales.set_member(PLATFORM, "alice", "en")
    await first.locales.set_member(PLATFORM, "bob", "en")
    await first.locales.set_member(PLATFORM, "bob", "fr")  # a second choice replaces the first
    await apps.stop(first)

    platform = FakePlatform()
    second = await apps.start(platform=platform, default_locale="fr")
    assert await floor_locales(second, platform, SPACE, ["alice", "bob", "carol"]) == {
        "alice": "en", "bob": "fr", "carol": "fr"}
    assert await second.locales.for_member(PLATFORM, OTHER_SPACE, "carol") == "fr"  # the new default
    assert await second.locales.for_member(PLATFORM, OTHER_SPACE, "alice") == "en"
    assert await second.locales.for_space(PLATFORM, SPACE) == "fr"


async def test_an_unknown_locale_is_refused_and_not_stored(apps: Apps, plain_engine: Engine) -> None:
    app = await apps.start()
    with pytest.raises(errors.InvalidArgument):
        await app.locales.set_member(PLATFORM, "alice", "xx")
    with pytest.raises(errors.InvalidArgument):
        await app.locales.set_space(PLATFORM, SPACE, "klingon")
    await apps.stop(app)

    again = await apps.start()
    assert await again.locales.for_member(PLATFORM, SPACE, "alice") == "en"
    with plain_engine.connect() as conn:
        stored = [conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                  for table in ("member_setting", "space_setting")]
    assert stored == [0, 0]


async def test_first_choices_made_at_the_same_moment_do_not_collide(apps: Apps) -> None:
    # Two processes (two Apps here), each meeting new members for the first time at once: every write lands.
    a, b = await apps.start(), await apps.start()
    members = [f"m{n}" for n in range(12)]
    await asyncio.gather(*(app.locales.learn_member(PLATFORM, user, locale)
                           for user in members for app, locale in ((a, "fr"), (b, "fr"))))
    await asyncio.gather(*(a.locales.set_space(PLATFORM, f"space-{n}", "fr") for n in range(6)),
                         *(b.locales.set_space(PLATFORM, f"space-{n}", "fr") for n in range(6)))
    fresh = await apps.start()
    assert {await fresh.locales.for_member(PLATFORM, "elsewhere", user) for user in members} == {"fr"}
    assert {await fresh.locales.for_space(PLATFORM, f"space-{n}") for n in range(6)} == {"fr"}
