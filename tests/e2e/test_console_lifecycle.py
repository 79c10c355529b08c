"""The console as a user runs it: `podium console --script`, two processes on one database."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.errors import StageNotFound
from bot.i18n.catalog import render
from bot.i18n.markers import N_
from bot.i18n.message import Message
from tests.support.console import podium

SCRIPTS = Path(__file__).with_name("scripts")


def section(output: str, command: str, occurrence: int = 0) -> list[str]:
    """The lines a command printed, up to the next prompt."""
    blocks = [b for b in output.split("\n") if b]
    starts = [i for i, line in enumerate(blocks) if line.endswith("> " + command)]
    start = starts[occurrence] + 1
    end = next((i for i in range(start, len(blocks)) if "> /" in blocks[i]), len(blocks))
    return blocks[start:end]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    database = tmp_path_factory.mktemp("console") / "podium.db"
    before = podium("console", "--script", str(SCRIPTS / "lifecycle_before_restart.txt"), database=database)
    assert before.returncode == 0, before.stdout[-3000:] + before.stderr[-3000:]
    after = podium("console", "--script", str(SCRIPTS / "lifecycle_after_restart.txt"), database=database)
    assert after.returncode == 0, after.stdout[-3000:] + after.stderr[-3000:]
    return before.stdout, after.stdout


def test_no_traceback_reaches_the_user(runs: tuple[str, str]) -> None:
    for output in runs:
        assert "Traceback" not in output
        assert "Something went wrong" not in output


def test_queue_order_survives_a_restart(runs: tuple[str, str]) -> None:
    before, after = runs
    queue_before = section(before, "/queue", occurrence=-1)
    assert queue_before[:3] == ["  #1 frank “third question”", "  #2 carol", "  #3 dave “follow-up”"]
    assert section(after, "/queue", occurrence=0)[:3] == queue_before[:3]


def test_audit_log_survives_a_restart(runs: tuple[str, str]) -> None:
    before, after = runs
    log_before = section(before, "/stage log 200")
    assert len(log_before) > 30
    assert section(after, "/stage log 200") == log_before


def test_refusals_are_explained_and_change_nothing(runs: tuple[str, str]) -> None:
    before, after = runs
    assert section(before, "/stage rules max_speakers=0") == [
        "✗ Invalid value for max_speakers: “0” (expected a whole number from 1 to 100)."]
    assert section(before, "/speaker approve frank") == ["✗ The stage already has the maximum of 2 speakers."]
    assert "✗ You can raise your hand again in 45 s." in before
    assert "✗ The queue is full (limit: 4)." in before
    assert "✗ The stage is full (capacity: 3)." in after
    assert "✗ This stage is open to members of the space only." in after
    assert "✗ The host cannot be removed, blocked or demoted." in after


def test_timers_grace_and_fair_queue(runs: tuple[str, str]) -> None:
    before, after = runs
    assert "  ✉ carol: Speaking time left on “Weekly AMA”: 25 s." in before
    assert "  ✉ carol: Your speaking time on “Weekly AMA” is up; you are back in the audience." in before
    assert section(after, "/queue", occurrence=1)[0] == "  #1 frank “third question”"  # back within the grace
    assert section(after, "/queue", occurrence=2)[:2] == ["  #1 carol", "  #2 dave “follow-up”"]  # dropped after
    assert section(after, "/queue", occurrence=4)[0] == "  #1 frank"  # fair: has not spoken yet


def test_close_posts_recap_and_tells_the_waiting(runs: tuple[str, str]) -> None:
    _, after = runs
    closing = section(after, "/stage close", occurrence=-2)
    # The space's language is French by then, and bob chose none: he reads French.
    recap = render(Message.of(N_("Recap of “{title}”: {minutes} min, peak audience {peak}, {raised} hands raised, "
                                 "{served} served, {waiting} still waiting."), title="Weekly AMA", minutes=0,
                              peak=0, raised=0, served=0, waiting=0), "fr")
    assert any(line.startswith(recap.split("0")[0]) for line in closing), closing
    assert any(line.startswith("  ✉ frank:") for line in closing)
    assert section(after, "/hand raise", occurrence=-1) == ["✗ " + render(Message(StageNotFound.message), "fr")]


def test_an_unexpected_refusal_fails_the_script(tmp_path: Path) -> None:
    script = tmp_path / "bad.txt"
    script.write_text('/stage open "Demo"\n/as dave\n/stage close\n/as alice\n/stage close\n', encoding="utf-8")
    result = podium("console", "--script", str(script), database=tmp_path / "podium.db")
    assert result.returncode == 1
    assert "Script stopped at line 3" in result.stdout
    assert "> /as alice" not in result.stdout  # nothing ran after the failure


def test_an_expected_refusal_that_passes_fails_the_script(tmp_path: Path) -> None:
    script = tmp_path / "bad.txt"
    script.write_text('! /stage open "Demo"\n', encoding="utf-8")
    result = podium("console", "--script", str(script), database=tmp_path / "podium.db")
    assert result.returncode == 1
    assert "expected to be refused" in result.stdout


def test_piped_demo_opens_a_stage_and_exits_cleanly(tmp_path: Path) -> None:
    result = podium("console", database=tmp_path / "podium.db",
                    stdin='/stage open "Demo"\n/nonsense\n/hand raise "x" "y" extra\n/quit\n')
    assert result.returncode == 0, result.stderr
    assert "✓ Stage “Demo” is live." in result.stdout
    assert "✗ Unknown command “/nonsense”. Type /help for the list." in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
