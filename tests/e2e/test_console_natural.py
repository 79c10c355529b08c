"""The console as a new member types it (issue 10): the clock, channels, languages, and what people read."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.i18n.catalog import render
from bot.i18n.message import Message
from bot.surface.errors import DidYouMean
from tests.support.console import Console, console_session


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    async with console_session(tmp_path / "podium.db") as running:
        yield running


async def test_the_clock_moves_by_durations_as_people_write_them(console: Console) -> None:
    start = console.session.clock.now()
    await console("/clock +5 minutes")
    assert console.session.clock.now() - start == timedelta(minutes=5)
    await console("/clock +2 h")
    await console("/clock +1 h 30")
    assert console.session.clock.now() - start == timedelta(hours=3, minutes=35)
    refused = await console("/clock +5 banana")
    assert refused == ["✗ I did not understand “banana”; nothing was changed. Usage: /clock [+DURATION]"]
    assert console.session.clock.now() - start == timedelta(hours=3, minutes=35)


async def test_a_channel_that_does_not_exist_is_refused(console: Console) -> None:
    assert await console("/channel nonsense") == [
        "✗ There is no channel #nonsense here; the channels are #backstage, #general, #lounge, #stage."]
    assert console.session.channel == "stage"
    assert await console("/channel #Lounge") == ["✓ You are now in #lounge."]


async def test_choices_take_any_case_and_the_answer_is_in_the_new_language(console: Console) -> None:
    assert await console("/locale FR") == ["✓ Langue choisie\u00a0: fr."]
    assert await console("/stage stauts") == ["✗ " + render(Message.of(DidYouMean.message, command="/stage stauts",
                                                                       suggestion="/stage status"), "fr")]
    assert (await console("/stage stauts"))[0].startswith("✗ Commande inconnue «\u00a0/stage stauts\u00a0».")
    assert await console("/locale en") == ["✓ Language set to en."]


async def test_extra_words_change_nothing_and_show_the_real_usage(console: Console) -> None:
    await console("/stage open Weekly AMA")
    for name in ("carol", "dave"):
        await console(f"/as {name}")
        await console(f"/hand raise I'd like to ask about {name}'s plan")
    await console("/as bob")
    assert await console("/speaker next carol") == [
        "✗ I did not understand “carol”; nothing was changed. Usage: /speaker next"]
    status = "\n".join(await console("/stage status"))
    assert "Speakers (0/5): —" in status
    assert "#1 carol “I'd like to ask about carol's plan”" in status


async def test_rules_the_board_and_the_recap_read_as_people_read(console: Console) -> None:
    await console("/stage open Weekly AMA")
    refused = await console("/stage rules speaking_time_limit=2m warn_before=5m")
    assert refused == ["✗ Invalid value for warn_before: “5m” (expected less than speaking_time_limit (2 min))."]
    await console("/stage rules speaking_time_limit=2 min warn_before=30s")
    rules = await console("/stage rules")
    assert "  speaking_time_limit = 2 min" in rules and "  warn_before = 30 s" in rules
    assert "  hand_cooldown = none" in rules and "  must_be_present = on" in rules and "  cues = off" in rules
    assert "  idle_close = 30 min" in rules and "  hand_roles = none" in rules
    await console("/as carol")
    await console("/hand raise")
    await console("/as bob")
    await console("/speaker next")
    await console("/clock +15s")
    board = "\n".join(await console("/stage status"))
    assert "carol (1 min 45 s left)" in board
    assert "time limit 2 min; cooldown none" in board
    await console("/clock +1 min")
    await console("/as alice")
    recap = await console("/stage close")
    assert any(line.startswith("Recap of “Weekly AMA”: 1 min 15 s, peak audience") for line in recap), recap
    assert "  carol: 1 min 15 s, turns: 1" in recap
