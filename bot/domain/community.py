"""What a member did on the stages of a space, read from the events a stage recorded: pure, so the same
events always give the same figures.

A stage's audit entries and its recap are the only source: a `Tally` is one member's share of one closed
stage, and a member's statistics over a period are the sum of their tallies.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.members import SpeakerRecap


class Period(StrEnum):
    MONTH = "30d"  # the last 30 days
    ALL = "all"  # all time

    def since(self, now: datetime) -> datetime | None:
        """The last 30 UTC days, today included: from the start of the day 29 days ago."""
        if self is Period.ALL:
            return None
        return (now - timedelta(days=29)).replace(hour=0, minute=0, second=0, microsecond=0)


class Board(StrEnum):
    """What a leaderboard ranks."""

    SPEAKERS = "speakers"  # minutes spoken
    LISTENERS = "listeners"  # minutes present
    HOSTS = "hosts"  # stages hosted


@dataclass(frozen=True, slots=True)
class Entry:
    """One audit entry, as much of it as statistics read."""

    kind: str
    actor_id: str
    target_id: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class Tally:
    """One member's share of one closed stage."""

    user_id: str
    present_seconds: float = 0.0
    turns: int = 0
    spoke_seconds: float = 0.0
    hands_raised: int = 0
    hands_served: int = 0
    hosted: bool = False
    peak_audience: int = 0  # of the stage, when they hosted it
    incidents: int = 0  # removed or blocked


_INCIDENTS = {"MemberRemoved", "MemberBlocked"}


def tally_stage(*, host_id: str, closed_at: datetime, peak_audience: int, entries: Iterable[Entry],
                speakers: Sequence[SpeakerRecap]) -> dict[str, Tally]:
    """Every member's tally of a closed stage: presence from joins and leaves (still there at the close counts
    until then), hands from the hands raised and the floors given, time on stage from the recap."""
    tallies: dict[str, Tally] = {}

    def add(user_id: str, **more: float | int | bool) -> None:
        tally = tallies.get(user_id) or Tally(user_id)
        tallies[user_id] = replace(tally, **{k: getattr(tally, k) + v for k, v in more.items()})

    since: dict[str, datetime] = {}
    for entry in sorted(entries, key=lambda e: e.at):
        who = entry.target_id or entry.actor_id
        match entry.kind:
            case "MemberJoined":
                since.setdefault(who, entry.at)
                add(who)
            case "MemberLeft":
                if who in since:
                    add(who, present_seconds=(entry.at - since.pop(who)).total_seconds())
            case "HandRaised":
                add(who, hands_raised=1)
            case "SpeakerApproved":
                add(who, hands_served=1)
            case kind if kind in _INCIDENTS:
                add(who, incidents=1)
    for who, start in since.items():
        add(who, present_seconds=max(0.0, (closed_at - start).total_seconds()))
    for speaker in speakers:
        add(speaker.user_id, turns=speaker.turns, spoke_seconds=speaker.talk_seconds)
    host = tallies.get(host_id) or Tally(host_id)
    tallies[host_id] = replace(host, hosted=True, peak_audience=peak_audience)
    return tallies


@dataclass(frozen=True, slots=True)
class MemberStats:
    """A member's statistics over a period: the sum of their tallies."""

    user_id: str
    stages: int = 0
    present_seconds: float = 0.0
    turns: int = 0
    spoke_seconds: float = 0.0
    hands_raised: int = 0
    hands_served: int = 0
    hosted: int = 0
    peak_audience: int = 0  # the largest audience of a stage they hosted
    incidents: int = 0
    badges: tuple[str, ...] = ()

    @property
    def minutes_present(self) -> int:
        return int(self.present_seconds // 60)

    @property
    def minutes_spoken(self) -> int:
        return int(self.spoke_seconds // 60)


def member_stats(user_id: str, tallies: Iterable[Tally]) -> MemberStats:
    stats = MemberStats(user_id)
    for t in tallies:
        stats = replace(stats, stages=stats.stages + 1, present_seconds=stats.present_seconds + t.present_seconds,
                        turns=stats.turns + t.turns, spoke_seconds=stats.spoke_seconds + t.spoke_seconds,
                        hands_raised=stats.hands_raised + t.hands_raised,
                        hands_served=stats.hands_served + t.hands_served, hosted=stats.hosted + int(t.hosted),
                        peak_audience=max(stats.peak_audience, t.peak_audience if t.hosted else 0),
                        incidents=stats.incidents + t.incidents)
    return stats


@dataclass(frozen=True, slots=True)
class SpaceStats:
    stages: int = 0
    seconds: float = 0.0
    speakers: int = 0  # unique

    @property
    def minutes(self) -> int:
        return int(self.seconds // 60)


def score(stats: MemberStats, board: Board) -> float:
    match board:
        case Board.SPEAKERS:
            return stats.spoke_seconds
        case Board.LISTENERS:
            return stats.present_seconds
    return stats.hosted


def ranking(stats: Iterable[MemberStats], board: Board, *, hidden: frozenset[str] = frozenset(),
            size: int = 10) -> list[MemberStats]:
    """The best `size` by what the board ranks, members who opted out left out, ties by id; nobody with
    nothing to show."""
    shown = [s for s in stats if s.user_id not in hidden and score(s, board) > 0]
    return sorted(shown, key=lambda s: (-score(s, board), s.user_id))[:size]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """What each badge asks, per space (defaults from the settings)."""

    first_stage: int = 1  # times on stage
    attended: int = 10  # stages attended
    minutes_spoken: int = 60
    hosted: int = 5  # stages hosted
    regular: int = 5  # stages attended in the last 30 days to count as a regular

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return ("first_stage", "attended", "minutes_spoken", "hosted", "regular")


def is_regular(month: MemberStats, thresholds: Thresholds) -> bool:
    return month.stages >= thresholds.regular
