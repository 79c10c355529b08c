"""The badge catalogue and when each is earned. A badge is earned once: its key says what it is for (the top
speaker of a month carries the month), and the store refuses a key a member already holds."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.domain.community import MemberStats, Thresholds

FIRST_STAGE, ATTENDED, MINUTES_SPOKEN, HOSTED, TOP_SPEAKER = (
    "first_stage", "attended", "minutes_spoken", "hosted", "top_speaker")
CATALOGUE = (FIRST_STAGE, ATTENDED, MINUTES_SPOKEN, HOSTED, TOP_SPEAKER)


def kind_of(key: str) -> str:
    """`top_speaker:2026-11` is a top_speaker badge."""
    return key.split(":", 1)[0]


def earned(stats: MemberStats, thresholds: Thresholds) -> list[str]:
    """The badges a member's all-time statistics earn."""
    found = []
    if stats.turns >= thresholds.first_stage:
        found.append(FIRST_STAGE)
    if stats.stages >= thresholds.attended:
        found.append(ATTENDED)
    if stats.spoke_seconds >= thresholds.minutes_spoken * 60:
        found.append(MINUTES_SPOKEN)
    if stats.hosted >= thresholds.hosted:
        found.append(HOSTED)
    return found


def previous_month(now: datetime) -> tuple[datetime, datetime, str]:
    """The calendar month before `now`'s (UTC): its start, its end and its key (`2026-11`)."""
    start_of_this = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    year, month = (start_of_this.year, start_of_this.month - 1) if start_of_this.month > 1 else \
        (start_of_this.year - 1, 12)
    start = start_of_this.replace(year=year, month=month)
    return start, start_of_this, f"{year:04d}-{month:02d}"


def top_speaker(month: Iterable[MemberStats], hidden: frozenset[str]) -> str | None:
    """Who spoke longest over a month (ties by id), members who opted out left out."""
    ranked = sorted((s for s in month if s.user_id not in hidden and s.spoke_seconds > 0),
                    key=lambda s: (-s.spoke_seconds, s.user_id))
    return ranked[0].user_id if ranked else None
