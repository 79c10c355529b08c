"""Tags on Slack: signed slash commands into the real bolt app and the fake Slack, in English and French (dave's
Slack speaks French); `/stage list` and App Home show them beside live and upcoming stages."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path

from tests.fakes.slack import events as slack_events
from tests.support.slack import World, blocks_text, eventually, slack_world


async def home_of(w: World, name: str) -> str:
    user = w[name]
    before = w.fake.home_view(user.id)
    await w.event(slack_events.app_home_opened(w.fake.state, user))
    await eventually(lambda: w.fake.home_view(user.id) not in (None, before), what=f"{name}'s home")
    return blocks_text(w.fake.home_view(user.id).payload["blocks"])


async def test_tags_typed_with_the_stage_are_listed_changed_and_shown_in_app_home(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        opened = await w.command("alice", "open Weekly AMA tags=pricing, #Design topic=Roadmap")
        assert opened.text.startswith("Stage “Weekly AMA” is live.")
        other = w.fake.add_channel("lounge", members=[u.id for u in w.people.values()])
        listed = await w.command("dave", "list", channel=other)  # dave reads French
        assert listed.text.splitlines()[1] == (f"🔴 « Weekly AMA » dans <#{w.room.id}> · hôte <@{w['alice'].id}> · "
                                               "0 dans le salon · Roadmap · #pricing #design")
        start = (w.clock.now() + timedelta(hours=2)).replace(second=0, microsecond=0)
        await w.command("alice", f'schedule "Office hours" start="{start:%Y-%m-%d %H:%M}" tz=UTC tags=hiring')
        home = await home_of(w, "carol")
        assert f"*Weekly AMA* · <#{w.room.id}> · Roadmap · #pricing #design" in home
        assert "*Office hours* · #hiring" in home
        refused = await w.command("dave", "tags roadmap")
        assert refused.text == "Seuls l’hôte et les modérateurs peuvent faire cela."
        assert (await w.command("alice", "tags roadmap")).text == "Tags set: #roadmap"
        assert "#roadmap" in (await w.command("carol", "list")).text


async def test_bad_tags_are_refused_in_french_and_nothing_is_scheduled(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False}) as w:
        start = (w.clock.now().astimezone(UTC) + timedelta(hours=2)).replace(second=0, microsecond=0)
        refused = await w.command("dave", f'schedule "Office hours" start="{start:%Y-%m-%d %H:%M}" tz=UTC '
                                          f"tags={'x' * 25}")
        assert refused.text == f"Une étiquette fait au plus 24 caractères ; « {'x' * 25} » en a 25."
        assert await w.app.queries.schedules("slack", w.fake.team.id) == []
