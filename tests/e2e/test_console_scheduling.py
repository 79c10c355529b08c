"""Scheduled stages in the console, across two processes: RSVP, reminder, restart, opening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from babel.dates import format_datetime

from tests.support.console import podium


def test_a_scheduled_stage_reminds_then_opens_after_a_restart(tmp_path: Path) -> None:
    start = (datetime.now(UTC) + timedelta(hours=1)).replace(second=0, microsecond=0) + timedelta(minutes=1)
    before = tmp_path / "before.txt"
    before.write_text(
        f'/stage schedule "Office hours" start="{start:%Y-%m-%d %H:%M}" tz=UTC repeat=daily duration=45m\n'
        '! /stage schedule "Too late" start="2001-01-01 10:00"\n'
        '/as carol\n/rsvp\n/as dave\n/rsvp\n/rsvp off\n'
        '/stage schedules\n'
        '/clock +47m\n', encoding="utf-8")
    after = tmp_path / "after.txt"
    after.write_text("/clock +15m\n/queue\n/stage schedules\n", encoding="utf-8")
    database = tmp_path / "podium.db"

    first = podium("console", "--script", str(before), database=database)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    assert "✓ “Office hours” is scheduled for" in first.stdout
    assert "✗ That time has already passed" in first.stdout
    reminders = [line for line in first.stdout.splitlines() if "Reminder:" in line]
    assert reminders == [f"  ✉ carol: Reminder: “Office hours” starts at {format_datetime(start, 'medium', locale='en')}."]

    second = podium("console", "--script", str(after), database=database)
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
    assert "  ✉ carol: “Office hours” is live now. Join the stage!" in second.stdout
    assert "dave:" not in second.stdout
    assert "✓ Hands raised: 0; yours is not among them." in second.stdout  # the stage is live in #stage
    tomorrow = start + timedelta(days=1)
    assert f"next: {tomorrow:%b} {tomorrow.day}, {tomorrow:%Y}" in second.stdout
