"""Statistics, leaderboards and badges in the console, as a member types them, in English and French."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.console import Console, console_session


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    async with console_session(tmp_path / "podium.db", badge_attended=2) as running:
        yield running


async def a_stage(console: Console, speaker: str, minutes: int) -> list[str]:
    return await console("/as alice", '/stage open "Weekly AMA"', f"/as {speaker}", "/hand raise", "/as alice",
                         "/speaker next", f"/clock +{minutes} min", "/stage close")


async def test_badges_are_announced_at_the_close_and_shown_beside_names(console: Console) -> None:
    closed = await a_stage(console, "carol", 5)
    assert "  📣 🎤 carol earned a badge: First time on stage." in closed
    assert "  ✉ carol: 🎤 You earned a badge: First time on stage." in closed
    board = await console("/leaderboard")
    assert board == ["  Top speakers (the last 30 days)", "  #1 carol 🎤 — 5 min spoken"]
    second = await a_stage(console, "dave", 2)  # two stages attended: BADGE_ATTENDED=2
    assert "  📣 🎧 carol earned a badge: Faithful listener." in second
    assert not [line for line in second if "First time on stage" in line and "carol" in line]
    assert (await console("/as carol", "/stats all"))[5] == "  Badges: First time on stage, Faithful listener"
    board = await console("/as alice", '/stage open "Next"', "/as carol", "/hand raise")
    assert "│ Queue (1): #1 carol 🎤🎧" in board  # her badges beside her name
    assert "│ Speakers (0/5): —" in board


async def test_stats_in_french_and_hiding_them(console: Console) -> None:
    await a_stage(console, "carol", 5)
    shown = await console("/as carol", "/locale fr", "/stats tout")
    assert shown[0] == "  Statistiques de carol (depuis toujours) :"
    assert shown[2] == "  Prises de parole : 1 ; minutes de parole : 5."
    hidden = await console("/stats hide")
    assert hidden == ["✓ Vos statistiques sont masquées : vous n’apparaissez dans aucun classement, et vous seul les "
                      "voyez."]
    assert await console("/as dave", "/leaderboard speakers all") == [
        "  Top speakers (all time)", "  Nobody is on this board yet."]
    assert await console("/as bob", "/stats carol") == ["✗ carol keeps their statistics to themselves."]
    assert await console("/as frank", "/stats dave") == ["✗ Only the host and moderators can do that."]


async def test_a_host_asks_for_suggested_moderators_and_delegates_in_one_command(console: Console) -> None:
    await console("/as bob", "/badges regular=1")  # bob moderates the space
    await a_stage(console, "carol", 4)
    assert await console("/as alice", '/stage open "Office hours"', "/as dave", "/mod suggest") == [
        "✗ Only the host and moderators can do that."]
    suggested = await console("/as alice", "/mod suggest")
    assert suggested == ["  Regulars who spoke well without incident (the last 30 days):",
                         "  carol: 1 stages, 4 min spoken, 1 hands served",
                         "  To hand one of them moderation of this stage: mod add and their name."]
    assert (await console("/mod add carol"))[-1] == "✓ carol is now a moderator."
    assert "carol" not in " ".join(await console("/mod suggest"))


async def test_links_on_the_board_and_in_the_recap_in_english_and_french(console: Console) -> None:
    await console("/as alice", '/stage open "Pricing AMA"')
    added = await console("/stage link https://example.com/pricing.pdf The pricing deck")
    assert added[-1] == "✓ Link #1 added to the board."
    assert "│ 🔗 1. The pricing deck <https://example.com/pricing.pdf>" in added
    assert await console("/stage link ftp://example.com/x") == [
        "✗ Only http:// and https:// links can be added; “ftp://example.com/x” is not one."]
    assert await console("/as dave", "/stage link https://example.com/mine") == [
        "✗ Only the host and moderators can do that."]
    assert await console("/as alice", "/locale fr", "/stage unlink 4") == [
        "✗ Il n’y a pas de lien n° 4 sur ce stage ; il en a 1."]
    await console("/stage link https://example.com/faq")
    closed = await console("/stage close")
    assert "  🔗 1. The pricing deck : https://example.com/pricing.pdf" in closed
    assert "  🔗 2. https://example.com/faq" in closed


async def test_the_stage_list_shows_what_is_live_and_coming_wherever_one_is(console: Console) -> None:
    assert await console("/stage list") == ["  Live now: 0", "  Coming: 0"]
    start = console.session.clock.now() + timedelta(hours=2, minutes=30)
    await console("/as alice", '/stage open "Weekly AMA" topic=Pricing', "/as bob",
                  f'/stage schedule "Office hours" start="{start:%Y-%m-%d %H:%M}" tz=UTC', "/rsvp")
    listed = await console("/channel lounge", "/stage list")
    assert listed == ["  Live now: 1", "  🔴 “Weekly AMA” in #stage · host alice · 4 in the room · Pricing",
                      "  Coming: 1", "  📅 “Office hours” in #stage · host bob · starts in 2 hours · going: 1"]
    french = await console("/locale fr", "/stage list")
    assert french[3] == "  📅 « Office hours » dans #stage · hôte bob · commence dans 2\u00a0heures · participants : 1"
