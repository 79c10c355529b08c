"""Statistics and badges from a stage's recorded events (bot.domain.community, bot.domain.badges)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain import badges as b
from bot.domain.community import (Board, Entry, MemberStats, Period, Tally, Thresholds, is_regular, member_stats,
                                  ranking, tally_stage)
from bot.domain.members import SpeakerRecap

T0 = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def entry(kind: str, who: str, minutes: float, *, actor: str | None = None) -> Entry:
    return Entry(kind, actor or who, who, at(minutes))


def test_presence_counts_each_stay_and_a_stay_open_at_the_close_until_the_close() -> None:
    tallies = tally_stage(host_id="alice", closed_at=at(60), peak_audience=3, speakers=[], entries=[
        entry("MemberJoined", "bob", 0), entry("MemberLeft", "bob", 10),
        entry("MemberJoined", "bob", 20), entry("MemberLeft", "bob", 25),
        entry("MemberJoined", "carol", 50)])
    assert tallies["bob"].present_seconds == 15 * 60
    assert tallies["carol"].present_seconds == 10 * 60
    assert tallies["alice"] == Tally("alice", hosted=True, peak_audience=3)


def test_entries_out_of_order_are_read_in_time_order() -> None:
    tallies = tally_stage(host_id="alice", closed_at=at(60), peak_audience=1, speakers=[], entries=[
        entry("MemberLeft", "bob", 30), entry("MemberJoined", "bob", 5)])
    assert tallies["bob"].present_seconds == 25 * 60


def test_hands_floors_incidents_and_time_on_stage() -> None:
    tallies = tally_stage(host_id="alice", closed_at=at(60), peak_audience=5, entries=[
        entry("HandRaised", "bob", 1), entry("SpeakerApproved", "bob", 2, actor="alice"),
        entry("HandRaised", "bob", 20), entry("HandRaised", "dave", 21),
        entry("MemberRemoved", "dave", 22, actor="alice"), entry("MemberBlocked", "erin", 23, actor="alice"),
        entry("TopicChanged", "alice", 24)],
        speakers=[SpeakerRecap("bob", 301.5, 2)])
    assert (tallies["bob"].hands_raised, tallies["bob"].hands_served) == (2, 1)
    assert (tallies["bob"].turns, tallies["bob"].spoke_seconds) == (2, 301.5)
    assert (tallies["dave"].hands_raised, tallies["dave"].incidents) == (1, 1)
    assert tallies["erin"].incidents == 1
    assert tallies["alice"].hands_served == 0  # the moderator approving is not the one served


def test_a_members_statistics_sum_their_tallies_over_stages() -> None:
    stats = member_stats("bob", [
        Tally("bob", present_seconds=600, turns=1, spoke_seconds=120, hands_raised=2, hands_served=1),
        Tally("bob", present_seconds=300, turns=2, spoke_seconds=60, hosted=True, peak_audience=7),
        Tally("bob", present_seconds=60, hosted=True, peak_audience=4, incidents=1)])
    assert stats == MemberStats("bob", stages=3, present_seconds=960, turns=3, spoke_seconds=180, hands_raised=2,
                                hands_served=1, hosted=2, peak_audience=7, incidents=1)
    assert (stats.minutes_present, stats.minutes_spoken) == (16, 3)


def test_a_peak_audience_counts_only_for_stages_hosted() -> None:
    assert member_stats("bob", [Tally("bob", peak_audience=50)]).peak_audience == 0


def test_leaderboards_rank_by_what_they_rank_leave_out_hidden_members_and_the_empty() -> None:
    everyone = [MemberStats("bob", spoke_seconds=100, present_seconds=900, hosted=0),
                MemberStats("carol", spoke_seconds=300, present_seconds=100, hosted=2),
                MemberStats("dave", spoke_seconds=300, present_seconds=50, hosted=1),
                MemberStats("erin", spoke_seconds=0, present_seconds=1000, hosted=0)]
    assert [s.user_id for s in ranking(everyone, Board.SPEAKERS)] == ["carol", "dave", "bob"]
    assert [s.user_id for s in ranking(everyone, Board.LISTENERS)] == ["erin", "bob", "carol", "dave"]
    assert [s.user_id for s in ranking(everyone, Board.HOSTS)] == ["carol", "dave"]
    assert [s.user_id for s in ranking(everyone, Board.SPEAKERS, hidden=frozenset({"carol"}))] == ["dave", "bob"]
    assert [s.user_id for s in ranking(everyone, Board.LISTENERS, size=2)] == ["erin", "bob"]


def test_periods() -> None:
    assert Period.MONTH.since(T0) == datetime(2026, 11, 2, tzinfo=UTC)  # 30 days, 1 December included
    assert Period.ALL.since(T0) is None


def test_each_badge_at_its_threshold_not_below() -> None:
    limits = Thresholds(first_stage=2, attended=10, minutes_spoken=60, hosted=5)
    below = MemberStats("bob", turns=1, stages=9, spoke_seconds=60 * 60 - 1, hosted=4)
    at_limit = MemberStats("bob", turns=2, stages=10, spoke_seconds=60 * 60, hosted=5)
    above = MemberStats("bob", turns=3, stages=11, spoke_seconds=61 * 60, hosted=6)
    assert b.earned(below, limits) == []
    assert b.earned(at_limit, limits) == [b.FIRST_STAGE, b.ATTENDED, b.MINUTES_SPOKEN, b.HOSTED]
    assert b.earned(above, limits) == b.earned(at_limit, limits)


def test_the_top_speaker_of_the_previous_month_leaves_out_hidden_members() -> None:
    month = [MemberStats("bob", spoke_seconds=500), MemberStats("carol", spoke_seconds=900),
             MemberStats("dave", spoke_seconds=900)]
    assert b.top_speaker(month, frozenset()) == "carol"  # a tie goes to the first by id
    assert b.top_speaker(month, frozenset({"carol"})) == "dave"
    assert b.top_speaker([MemberStats("bob")], frozenset()) is None
    assert b.previous_month(datetime(2026, 1, 15, tzinfo=UTC)) == (
        datetime(2025, 12, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC), "2025-12")
    assert b.previous_month(datetime(2026, 12, 1, tzinfo=UTC))[2] == "2026-11"
    assert b.kind_of("top_speaker:2026-11") == b.TOP_SPEAKER


def test_a_regular_attends_at_least_the_threshold_in_30_days() -> None:
    limits = Thresholds(regular=3)
    assert not is_regular(MemberStats("bob", stages=2), limits)
    assert is_regular(MemberStats("bob", stages=3), limits)
    assert is_regular(MemberStats("bob", stages=4), limits)
