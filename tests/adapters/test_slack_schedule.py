"""Scheduled stages on Slack, through really signed requests to the real bolt app and the fake Slack: the
announcement with its RSVP buttons, kept up to date in place; reminders and the opening on the hand-moved
clock; listing, editing, cancelling; refusals that store and post nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from adapters.slack.announcements import GOING, NOT_GOING, Announcer, announcement
from adapters.slack.grammar import GRAMMAR, parse
from bot.surface.errors import MissingOption
from adapters.slack.state import SlackState
from adapters.slack.text import sayer
from bot.domain import commands as c
from bot.domain import errors
from bot.domain.schedule import MAX_ACTIVE_PER_SPACE
from bot.i18n.catalog import render
from bot.i18n.markers import N_
from bot.i18n.message import Message
from bot.ports import StageRef
from bot.services.schedule_view import ScheduleView
from tests.support.slack import World, blocks_text, eventually, slack_world
from tests.fakes.slack import Message as SlackMessage
from tests.fakes.slack import events as slack_events

PARIS = ZoneInfo("Europe/Paris")  # every fake Slack member's time zone unless a test says otherwise


def en(msgid: str, **params: object) -> str:
    return render(Message(msgid, params), "en", mention=lambda u: f"<@{u}>")


def in_an_hour(w: World) -> datetime:
    """A whole minute a little over an hour ahead, in UTC."""
    return (w.clock.now() + timedelta(hours=1, minutes=1)).replace(second=0, microsecond=0)


def typed(at: datetime, zone: tzinfo = UTC) -> str:
    """`at` as a member types it on the wall clock of `zone`."""
    return f"{at.astimezone(zone):%Y-%m-%d %H:%M}"


def announcements(w: World) -> list[SlackMessage]:
    return [m for m in w.fake.messages(w.room.id)
            if m.user == w.fake.bot.id and m.blocks and m.blocks[0]["text"]["text"].startswith("📅")]


def the_announcement(w: World) -> SlackMessage:
    [message] = announcements(w)
    return message


def shown_start(message: SlackMessage) -> int:
    """The moment the announcement shows, from its Slack date token."""
    return int(re.search(r"<!date\^(\d+)\^", blocks_text(message.blocks)).group(1))


def buttons(message: SlackMessage) -> dict[str, tuple[str, str]]:
    return {e["action_id"]: (e["text"]["text"], e["value"])
            for b in message.blocks if b["type"] == "actions" for e in b["elements"]}


async def scheduled_id(w: World) -> str:
    [view] = await w.app.queries.schedules("slack", w.fake.team.id)
    return view.schedule_id


async def test_a_scheduled_stage_is_announced_with_rsvp_buttons_that_store_the_answer(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as w:
        start = in_an_hour(w)
        answer = await w.command("alice", f'schedule "Office hours" start="{typed(start, PARIS)}" topic="Q&A"')
        schedule_id = await scheduled_id(w)
        view = await w.app.queries.schedule(schedule_id)
        # no tz= typed: alice's Slack time zone
        assert (view.timezone, view.next_at, view.duration) == ("Europe/Paris", start, 3600)
        assert answer.text.startswith("“Office hours” is scheduled for") and schedule_id in answer.text
        assert answer.posts[-1]["response_type"] == "ephemeral"

        posted = the_announcement(w)
        assert shown_start(posted) == int(start.timestamp())
        assert buttons(posted) == {GOING: ("Going (0)", schedule_id), NOT_GOING: ("Not going", schedule_id)}
        text = blocks_text(posted.blocks)
        assert "📅 Office hours" in text and "Q&amp;A" in text and f"<@{w['alice'].id}>" in text

        clicked = await w.click("bob", GOING, message=posted)
        assert clicked.text == en(N_("You're going to “{title}” at {when}; you will be reminded."),
                                  title="Office hours", when=start.astimezone(PARIS))
        assert clicked.posts[-1]["response_type"] == "ephemeral"
        assert (await w.app.queries.schedule(schedule_id)).rsvps == (w["bob"].id,)
        edited = the_announcement(w)  # the same message, edited in place
        assert edited.ts == posted.ts and edited.edited_ts is not None
        assert buttons(edited)[GOING][0] == "Going (1)" and f"Going: 1 · <@{w['bob'].id}>" in blocks_text(
            edited.blocks)

        await w.click("bob", NOT_GOING, message=edited)
        assert (await w.app.queries.schedule(schedule_id)).rsvps == ()
        assert buttons(the_announcement(w))[GOING][0] == "Going (0)"

        # App Home still lists the upcoming series
        await w.event(slack_events.app_home_opened(w.fake.state, w["carol"]))
        await eventually(lambda: w.fake.home_view(w["carol"].id) is not None, what="carol's home")
        assert "Office hours" in blocks_text(w.fake.home_view(w["carol"].id).payload["blocks"])


async def test_members_going_are_reminded_then_told_it_is_live_when_the_core_opens_it(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as w:
        start = in_an_hour(w)
        await w.command("alice", f'schedule "Office hours" start="{typed(start)}" tz=UTC repeat=daily')
        await w.click("bob", GOING, message=the_announcement(w))
        await w.command("carol", "rsvp")
        await w.command("dave", "rsvp")
        assert (await w.command("dave", "rsvp off")).text == render(Message.of(
            N_("You're no longer going to “{title}” at {when}."), title="Office hours", when=start), "fr")
        assert buttons(the_announcement(w))[GOING][0] == "Going (2)"
        lead = w.app.settings.schedule_reminder_lead

        await w.advance((start - w.clock.now()).total_seconds() - lead - 1)
        assert w.dm_texts("bob") == w.dm_texts("carol") == []

        await w.advance(1)
        reminder = en(N_("Reminder: “{title}” starts at {when}."), title="Office hours", when=start)
        await eventually(lambda: w.dm_texts("bob") == w.dm_texts("carol") == [reminder], what="the reminders")
        assert w.dm_texts("dave") == []

        await w.advance(lead)
        live = en(N_("“{title}” is live now. Join the stage!"), title="Office hours")
        await eventually(lambda: w.dm_texts("carol")[-1:] == [live], what="the live-now message")
        assert w.dm_texts("bob") == [reminder, live] and w.dm_texts("dave") == []
        assert (await w.app.queries.board(await w.stage_id())).ref.title == "Office hours"
        assert "Office hours" in w.board().blocks[0]["text"]["text"]  # the stage's board, in the same channel
        # the announcement moved on to tomorrow's occurrence, nobody going yet
        assert shown_start(the_announcement(w)) == int((start + timedelta(days=1)).timestamp())
        assert buttons(the_announcement(w))[GOING][0] == "Going (0)"


async def test_edits_and_cancellations_update_the_same_announcement(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as w:
        start = in_an_hour(w)
        await w.command("alice", f'schedule "Office hours" start="{typed(start)}" tz=UTC repeat=daily')
        schedule_id = await scheduled_id(w)
        first = the_announcement(w)

        later = start + timedelta(hours=2)
        answer = await w.command("alice", f'edit title="Office hours, later" start="{typed(later, PARIS)}"')
        assert answer.text == en(N_("“{title}” now next happens at {when}."), title="Office hours, later",
                                 when=later)  # typed on alice's clock; the series stays in UTC
        edited = the_announcement(w)
        assert edited.ts == first.ts and "📅 Office hours, later" == edited.blocks[0]["text"]["text"]
        assert shown_start(edited) == int(later.timestamp())

        refused = await w.command("bob", f"cancel {schedule_id}")
        assert refused.text == en(errors.NotModerator.message)

        await w.command("alice", f'cancel occurrence="{typed(later, PARIS)}"')
        assert shown_start(the_announcement(w)) == int((later + timedelta(days=1)).timestamp())

        listed = await w.command("bob", "schedules")
        assert "Scheduled stages: 1." in listed.text and schedule_id in listed.text and "Every day" in listed.text

        assert (await w.command("alice", f"cancel {schedule_id}")).text == en(
            N_("“{title}” is cancelled, every occurrence."), title="Office hours, later")
        cancelled = the_announcement(w)
        assert cancelled.ts == first.ts and buttons(cancelled) == {}
        assert en(N_("“{title}” is cancelled, every occurrence."), title="Office hours, later") in blocks_text(
            cancelled.blocks)
        assert (await w.command("bob", "schedules")).text == "Scheduled stages: 0."
        assert len([m for m in w.fake.messages(w.room.id) if m.user == w.fake.bot.id]) == 1


async def test_a_restarted_adapter_edits_the_announcement_it_posted_before(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as w:
        await w.command("alice", f'schedule "Office hours" start="{typed(in_an_hour(w))}" tz=UTC')
        posted = the_announcement(w)
        await w.click("bob", GOING, message=posted)
        fresh = Announcer(client=w.adapter.client, state=SlackState(w.app.db), locales=w.app.locales,
                          reminder_lead=900, interval=0)
        fresh.show(await w.app.queries.schedule(await scheduled_id(w)))
        await fresh.drain()
        assert [m.ts for m in announcements(w)] == [posted.ts]
        assert w.fake.count("chat.postMessage") == 1


@pytest.mark.parametrize("text, refusal, params", [
    ('schedule "Past" start="2001-01-01 10:00" tz=UTC', errors.DateInPast,
     {"when": datetime(2001, 1, 1, 10, 0, tzinfo=UTC)}),
    ('schedule "Zone" start="{start}" tz=Mars/Olympus', errors.UnknownTimezone, {"timezone": "Mars/Olympus"}),
    ('schedule "Never" start="{start}" repeat=cron:"0 10 31 2 *"', errors.ImpossibleRecurrence,
     {"value": "cron:0 10 31 2 *"}),
    ('schedule "Funday" start="{start}" repeat=weekly:fun', errors.ImpossibleRecurrence, {"value": "weekly:fun"}),
    ('schedule "Zero" start="{start}" duration=0', errors.InvalidArgument,
     {"name": "duration", "value": "0", "expected": Message(N_("a duration from 1m to 24h"))}),
    ('schedule "When" start="next tuesday"', errors.InvalidDate, {"value": "next tuesday"}),
    ('schedule "No start"', MissingOption, {"option": Message(N_("YYYY-MM-DD HH:MM")),
                                            "usage": GRAMMAR.usage(GRAMMAR.names[("schedule",)])}),
])
async def test_bad_input_is_refused_in_the_members_language_and_nothing_is_stored_or_posted(
        tmp_path: Path, text: str, refusal: type[errors.StageError], params: dict[str, object]) -> None:
    async with slack_world(tmp_path) as w:
        command = text.format(start=typed(in_an_hour(w)))
        for user, locale in (("bob", "en"), ("dave", "fr")):  # dave's Slack is in French
            answer = await w.command(user, command)
            assert answer.text == render(Message(refusal.message, params), locale)
            assert answer.posts[-1]["response_type"] == "ephemeral"
        assert await w.app.queries.schedules("slack", w.fake.team.id) == []
        assert w.fake.count("chat.postMessage") == 0 and w.fake.count("chat.update") == 0


async def test_the_hundred_and_first_active_series_is_refused(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as w:
        start, actor = typed(in_an_hour(w)), await w.adapter.actor(w["alice"].id)
        for index in range(MAX_ACTIVE_PER_SPACE):
            await w.app.bus.handle(c.ScheduleStage(actor=actor, platform="slack", space_id=w.fake.team.id,
                                                   channel_id=w.room.id, title=f"S{index}", start=start,
                                                   timezone="UTC"))
        await w.settle()
        posts = w.fake.count("chat.postMessage")
        answer = await w.command("alice", f'schedule "One too many" start="{start}" tz=UTC')
        assert answer.text == en(errors.TooManySchedules.message, limit=MAX_ACTIVE_PER_SPACE)
        assert len(await w.app.queries.schedules("slack", w.fake.team.id)) == MAX_ACTIVE_PER_SPACE
        assert w.fake.count("chat.postMessage") == posts


def test_the_schedule_grammar() -> None:
    line = parse('schedule “Office hours” start="2026-03-02 18:00" tz=Europe/Paris duration=45m '
                 'repeat=cron:"0 18 * * 1" topic="Q&amp;A"')
    assert line.row.name == "stage schedule"
    assert line.values == {"title": "Office hours", "start": "2026-03-02 18:00", "timezone": "Europe/Paris",
                           "duration": 45 * 60, "repeat": "cron:0 18 * * 1", "topic": "Q&A", "record": False,
                           "tags": ""}
    assert parse("rsvp 3f2a9c off").values == {"series": "3f2a9c", "going": False}
    assert parse('cancel 3f2a9c occurrence="2026-03-02 18:00"').values == {
        "series": "3f2a9c", "occurrence": "2026-03-02 18:00"}


def view_of(**values: object) -> ScheduleView:
    base = dict(ref=StageRef(stage_id="s1", platform="slack", space_id="T1", channel_id="C1", title="Office hours"),
                topic="", host_id="U1", timezone="UTC", next_at=datetime(2026, 3, 2, 17, tzinfo=UTC), duration=2700,
                recurrence="weekly:mon,thu", state="active", rsvps=("U2",), platform_event_id=None)
    return ScheduleView(**{**base, **values})  # type: ignore[arg-type]


def test_the_announcement_in_french_and_once_the_series_is_over() -> None:
    blocks, text = announcement(view_of(), sayer("fr"), "fr", reminder_lead=600)
    shown = blocks_text(blocks)
    assert "Chaque semaine\u00a0: lundi, jeudi" in shown and "Durée prévue\u00a0: 45\u00a0min" in shown
    assert "Je participe (1)" in shown and "10\u00a0min avant le début" in shown
    assert text.startswith("Scène programmée «\u00a0Office hours\u00a0»\u00a0: <!date^1772470800^")
    over, _ = announcement(view_of(state="finished", next_at=None, rsvps=()), sayer("en"), "en", reminder_lead=600)
    assert [b["type"] for b in over] == ["header", "section"]
    assert blocks_text(over).endswith("“Office hours” has no occurrence left.")
