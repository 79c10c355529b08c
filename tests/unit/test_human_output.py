"""Values as people read them wherever a sentence reaches a member (issue 10, "Human output"): durations in
the reader's locale (`2 min 5 s`, `1 h 30 min`), never a raw number of seconds or minutes with a unit glued on;
and a board that says nothing of presence it cannot know."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.domain import errors
from bot.domain import events as ev
from bot.domain.rules import Rules
from bot.i18n.catalog import render
from bot.i18n.message import Message
from bot.ports import ScheduleView, StageRef
from bot.services.board import board_of
from bot.services.describe import describe
from bot.services.effects import message_from
from bot.services.notifications import plan
from bot.services.recordings import Replay
from bot.services.replay_list import replay_lines
from tests.support.builders import ANN, BOB, NOW, at, open_stage

POT = Path(__file__).parents[2] / "bot" / "i18n" / "podium.pot"
NBSP, NNBSP = "\u00a0", "\u202f"
# A placeholder followed by a unit: the number was formatted by hand, not read as a duration.
RAW_UNIT = re.compile(r"\{\w+\}\s?(s|sec|seconds?|min|minutes?|h|hours?)\b")
UNITS = {"{count} h", "{count} min", "{count} s"}  # the units durations are written with (bot/i18n/humane.py)


def test_no_sentence_glues_a_unit_to_a_raw_number() -> None:
    with POT.open("rb") as handle:
        raw = sorted(m.id for m in read_po(handle) if isinstance(m.id, str) and RAW_UNIT.search(m.id)
                     and m.id not in UNITS)
    assert raw == []


def _said(effects: list, locale: str) -> list[str]:
    """The sentences of `tell` effects, after the trip through the outbox's JSON."""
    stored = json.loads(json.dumps([e.args for e in effects if e.kind == "tell"]))
    return [render(message_from(args["message"]), locale) for args in stored]


@pytest.mark.parametrize(("left", "en", "fr"), [
    (125, "2 min 5 s", f"2{NBSP}min 5{NNBSP}s"),
    (30, "30 s", f"30{NNBSP}s"),
    (3600 + 1800, "1 h 30 min", f"1{NNBSP}h 30{NBSP}min"),
])
def test_the_speaking_time_warning_reads_as_a_duration(left: int, en: str, fr: str) -> None:
    stage = open_stage()
    warned = ev.SpeakerWarned(stage_id=stage.id, at=NOW, actor_id="podium", target_id="ann", seconds_left=left)
    effects = plan([warned], board_of(stage, NOW))
    assert _said(effects, "en") == [f"Speaking time left on “Town hall”: {en}."]
    assert fr in _said(effects, "fr")[0]


def test_the_audit_log_says_the_warning_as_a_duration() -> None:
    line = describe("SpeakerWarned", "podium", "ann", "", {"seconds_left": 90})
    assert render(line, "en") == "ann was warned: 1 min 30 s left"


def test_a_hand_cooling_down_is_told_how_long_in_words() -> None:
    stage = open_stage(hand_cooldown=5400)
    stage.raise_hand(ANN, "", at(1))
    stage.lower_hand(ANN, at(2))
    with pytest.raises(errors.CoolingDown) as refused:
        stage.raise_hand(ANN, "", at(3))
    said = render(Message(refused.value.message, refused.value.params), "en")
    assert said == "You can raise your hand again in 1 h 29 min."
    assert render(Message(refused.value.message, refused.value.params), "fr").endswith(f"1{NNBSP}h 29{NBSP}min.")


def test_a_duration_rule_out_of_bounds_says_the_bound_as_a_duration() -> None:
    with pytest.raises(errors.InvalidRule) as refused:
        Rules().changed({"hand_cooldown": "3 days"})
    said = render(Message(refused.value.message, refused.value.params), "en")
    assert "at most 24 h" in said and "86,400" not in said and "“3 days”" in said


def _replay(seconds: float) -> Replay:
    return Replay(id="r1", stage_id="s1", platform="discord", space_id="g", channel_id="c", title="AMA",
                  file="r1.opus", bytes=1, seconds=seconds, speakers=("a", "b"), chapters=(),
                  created_at=datetime(2026, 12, 4, tzinfo=UTC), expires_at=datetime(2027, 1, 3, tzinfo=UTC))


def test_the_replay_list_gives_each_length_as_a_duration() -> None:
    lines = [render(m, "en") for m in replay_lines([_replay(3725.0), _replay(20.0)])]
    assert "· 1 h 2 min ·" in lines[0] and "· 20 s ·" in lines[1], lines
    assert "“AMA” · Dec 4, 2026 ·" in lines[0] and lines[0].endswith("kept until Jan 3, 2027"), lines
    assert "4 déc. 2026" in render(replay_lines([_replay(60.0)])[0], "fr")


def _view(duration: int) -> ScheduleView:
    return ScheduleView(ref=StageRef("sch1", "slack", "T1", "C1", "Weekly AMA"), topic="", host_id="U1",
                        timezone="UTC", next_at=NOW + timedelta(days=1), duration=duration, recurrence="once",
                        state="active", rsvps=(), platform_event_id=None)


def test_a_slack_announcement_gives_the_length_and_the_reminder_lead_as_durations() -> None:
    from adapters.slack.announcements import announcement
    from adapters.slack.text import sayer

    blocks, _ = announcement(_view(5400), sayer("en"), "en", reminder_lead=900)
    text = json.dumps(blocks, ensure_ascii=False)
    assert "Expected to last 1 h 30 min" in text
    assert "a direct message 15 min before the start" in text
    blocks, _ = announcement(_view(5400), sayer("fr"), "fr", reminder_lead=900)
    assert f"1{NNBSP}h 30{NBSP}min" in json.dumps(blocks, ensure_ascii=False)


# ---- presence: unknown is not absent, on every board


def _unseen_board():  # type: ignore[no-untyped-def]
    """A stage whose platform cannot see the room (Slack before a huddle): bob's hand is up."""
    stage = open_stage(present=())
    stage.presence_known = False  # as a stage opened with no huddle seen is stored
    stage.raise_hand(BOB, "a question", at(1))
    return board_of(stage, at(2))


def test_the_board_marks_nobody_away_while_presence_is_unknown() -> None:
    board = _unseen_board()
    assert [line.away for line in board.queue] == [False]


def test_the_board_marks_a_hand_away_once_the_room_is_seen_without_them() -> None:
    stage = open_stage(present=("host",), must_be_present=False)
    stage.raise_hand(BOB, "", at(1))
    assert [line.away for line in board_of(stage, at(2)).queue] == [True]


def test_no_platform_shows_away_when_presence_is_unknown() -> None:
    from adapters.console.render import board_text, sayer as console_sayer
    from adapters.discord.board_view import board_embed
    from adapters.slack.blocks import board_blocks
    from adapters.slack.text import sayer as slack_sayer

    board = _unseen_board()
    console = "\n".join(board_text(board, console_sayer("en")))
    slack = json.dumps(board_blocks(board, slack_sayer("en")))
    discord = json.dumps(board_embed(board, "en").to_dict())
    for shown in (console, slack, discord):
        assert "(away)" not in shown and "a question" in shown


def test_slack_counts_nobody_in_a_huddle_it_has_not_seen() -> None:
    from adapters.slack.blocks import board_blocks, board_summary
    from adapters.slack.text import sayer as slack_sayer

    unseen = _unseen_board()
    assert "in the huddle" not in board_summary(unseen, slack_sayer("en"))
    assert "in the huddle" not in json.dumps(board_blocks(unseen, slack_sayer("en")))
    seen = board_of(open_stage(present=("host", "ann")), at(1))
    assert "2 in the huddle" in board_summary(seen, slack_sayer("en"))


@pytest.mark.parametrize(("recurrence", "en", "fr"), [
    ("weekly:mon,thu", "Every week on Monday, Thursday", "lundi, jeudi"),
    ("daily", "Every day", "Chaque jour"),
    ("once", "Happens once", ""),
])
def test_a_series_repeats_in_words_on_the_console_and_discord(recurrence: str, en: str, fr: str) -> None:
    from adapters.console.render import sayer, schedule_text
    from adapters.discord.commands_shown import describe

    view = _view(3600)
    view = ScheduleView(**{**{f: getattr(view, f) for f in view.__dataclass_fields__}, "recurrence": recurrence})
    console = schedule_text(view, sayer("en"), "en")
    assert en in console and f"· {recurrence} ·" not in console
    assert en in describe(view, "en") and fr in describe(view, "fr")
    assert f"· {recurrence} ·" not in describe(view, "en")


def test_the_audit_log_says_changed_rules_as_people_read_them() -> None:
    line = describe("RulesChanged", "alice", None, "", {
        "changes": "speaking_time_limit=600, must_be_present=False, idle_close=0, hand_roles=crew,guests, max_speakers=3"})
    assert render(line, "en") == ("alice changed the rules: speaking_time_limit = 10 min, must_be_present = off, "
                                  "idle_close = never, hand_roles = crew,guests, max_speakers = 3")
    assert "10\u00a0min" in render(line, "fr") and "jamais" in render(line, "fr")


# ---- recording turned on is a planned effect (written to the outbox with the change)


def test_recording_turned_on_is_planned_with_the_change_that_turns_it_on() -> None:
    recorded = open_stage(record=True)
    opened = ev.StageOpened(stage_id=recorded.id, at=NOW, actor_id="host", title="Town hall")
    on = ev.RulesChanged(stage_id=recorded.id, at=NOW, actor_id="host", changes={"record": "True"})
    off = ev.RulesChanged(stage_id=recorded.id, at=NOW, actor_id="host", changes={"record": "False"})
    other = ev.RulesChanged(stage_id=recorded.id, at=NOW, actor_id="host", changes={"max_speakers": "3"})
    kinds = lambda events, stage: [e.kind for e in plan(events, board_of(stage, NOW))]  # noqa: E731
    assert kinds([opened], recorded).count("recording_on") == 1
    assert kinds([opened], open_stage()).count("recording_on") == 0
    assert kinds([on], recorded).count("recording_on") == 1
    assert kinds([off], open_stage()).count("recording_on") == 0
    assert kinds([other], recorded).count("recording_on") == 0


def test_who_joins_or_gets_the_floor_is_told_only_on_a_live_recorded_stage() -> None:
    recorded, plain = open_stage(record=True), open_stage()
    joined = ev.MemberJoined(stage_id=recorded.id, at=NOW, actor_id="carol", target_id="carol")
    approved = ev.SpeakerApproved(stage_id=recorded.id, at=NOW, actor_id="host", target_id="carol")
    notices = lambda events, stage: [e.args for e in plan(events, board_of(stage, NOW))  # noqa: E731
                                     if e.kind == "recording_notice"]
    assert notices([joined, approved], recorded) == [{"user": "carol", "speaking": False},
                                                     {"user": "carol", "speaking": True}]
    assert notices([joined, approved], plain) == []
