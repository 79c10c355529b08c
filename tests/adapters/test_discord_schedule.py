"""Scheduled stages on Discord, through the real discord.py against the fake: `/stage schedule` and friends are
core commands; each series is mirrored as a Guild Scheduled Event that moves, starts, completes and is
cancelled with it; "Interested" is an RSVP that the core reminds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from adapters.discord.errors import NothingToChange
from bot.domain import commands as c
from bot.domain import errors
from bot.domain.members import Actor
from bot.domain.schedule import parse_local
from bot.i18n.markers import N_
from bot.i18n.message import Message
from tests.support.discord import (  # noqa: F401 - fixtures
    bot, channel_posts, dms, is_ephemeral, podium_errors, refusal, reply, world)

PARIS = ZoneInfo("Europe/Paris")
SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4


def later(bot, **delta: float) -> datetime:
    """A whole minute after the bot's clock, as a wall-clock time in Paris."""
    moment = bot.clock.now() + timedelta(**delta)
    return (moment.replace(second=0, microsecond=0) + timedelta(minutes=1)).astimezone(PARIS)


def typed(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


def events(world):
    return list(world.guild.events.values())


def event_calls(world, method: str | None = None):
    return [r for r in world.fake.requests if "/scheduled-events" in r.path and (method is None or r.method == method)]


async def schedule(bot, world, start: datetime, **options):
    record = await bot.command(world, world.alice, "stage", "schedule", title="Office hours", start=typed(start),
                               timezone="Europe/Paris", **options)
    assert is_ephemeral(record)
    return record


async def test_scheduling_creates_a_stage_event_with_the_right_times_and_links_it(world, bot):
    start = later(bot, hours=2)
    record = await schedule(bot, world, start, duration="45m", repeat="daily", topic="Questions")
    assert reply(record).startswith("“Office hours” is scheduled for"), reply(record)
    [event] = events(world)
    assert (event.entity_type, event.channel_id, event.privacy_level, event.status) == (1, world.stage.id, 2, SCHEDULED)
    assert (event.name, event.description) == ("Office hours", "Questions")
    assert datetime.fromisoformat(event.scheduled_start_time) == start
    assert datetime.fromisoformat(event.scheduled_end_time) == start + timedelta(minutes=45)
    [view] = await bot.app.queries.schedules("discord", str(world.guild.id))
    assert view.platform_event_id == str(event.id) and view.recurrence == "daily"


async def test_editing_the_series_moves_its_event_and_a_change_must_be_named(world, bot):
    start = later(bot, hours=2)
    await schedule(bot, world, start)
    [event] = events(world)
    moved = start + timedelta(hours=3)
    record = await bot.command(world, world.alice, "stage", "edit", start=typed(moved), duration="90m",
                               title="Office hours (late)")
    assert reply(record).startswith("“Office hours (late)” now next happens at"), reply(record)
    assert events(world) == [event] and event.status == SCHEDULED and event.name == "Office hours (late)"
    assert datetime.fromisoformat(event.scheduled_start_time) == moved
    assert datetime.fromisoformat(event.scheduled_end_time) == moved + timedelta(minutes=90)
    calls = len(event_calls(world))
    nothing = await bot.command(world, world.alice, "stage", "edit")
    assert reply(nothing) == refusal(NothingToChange) and len(event_calls(world)) == calls
    stranger = await bot.command(world, world.carol, "stage", "edit", title="Mine now")
    assert reply(stranger) == refusal(errors.NotModerator) and event.name == "Office hours (late)"


async def test_interested_members_are_rsvps_and_the_core_reminds_them(world, bot):
    start = later(bot, hours=1)
    await schedule(bot, world, start)
    [event] = events(world)
    fake = world.fake
    fake.member_interested(world.guild, world.carol, event.id)
    fake.member_interested(world.guild, world.dave, event.id)
    fake.member_interested(world.guild, world.dave, event.id, interested=False)
    await bot.settle()
    [view] = await bot.app.queries.schedules("discord", str(world.guild.id))
    assert view.rsvps == (str(world.carol.id),)
    assert [r for r in event_calls(world) if r.method == "PATCH"] == []  # an RSVP changes nothing in Discord
    await bot.advance((start - bot.clock.now()).total_seconds() - 15 * 60)
    [reminder] = dms(fake, world.carol)
    assert reminder.startswith("Reminder: “Office hours” starts at")
    assert dms(fake, world.dave) == []


async def test_the_occurrence_opens_its_stage_and_starts_the_event_then_completes_it_at_close(world, bot):
    start = later(bot, hours=1)
    await schedule(bot, world, start, repeat="daily", duration="30m")
    [event] = events(world)
    await bot.command(world, world.carol, "rsvp")
    await bot.advance((start - bot.clock.now()).total_seconds())
    instance = world.guild.stage_instances[world.stage.id]
    assert instance.guild_scheduled_event_id == event.id and event.status == ACTIVE
    board = await bot.app.queries.board(await bot.stage_id(world), lines=0)
    assert board.schedule_id is not None and board.ref.title == "Office hours"
    assert dms(world.fake, world.carol)[-1] == "“Office hours” is live now. Join the stage!"
    assert events(world) == [event]  # the live occurrence keeps the series' one event until it closes
    await bot.command(world, world.alice, "stage", "close")
    assert event.status == COMPLETED and world.stage.id not in world.guild.stage_instances
    [_, following] = events(world)
    assert following.status == SCHEDULED
    assert datetime.fromisoformat(following.scheduled_start_time) == start + timedelta(days=1)
    [view] = await bot.app.queries.schedules("discord", str(world.guild.id))
    assert view.platform_event_id == str(following.id)


async def test_cancelling_an_occurrence_moves_the_event_and_cancelling_the_series_cancels_it(world, bot):
    start = later(bot, hours=1)
    await schedule(bot, world, start, repeat="daily")
    [event] = events(world)
    record = await bot.command(world, world.alice, "stage", "cancel", occurrence=typed(start))
    assert reply(record).startswith("The occurrence of “Office hours” at"), reply(record)
    assert datetime.fromisoformat(event.scheduled_start_time) == start + timedelta(days=1)
    record = await bot.command(world, world.bob, "stage", "cancel")  # a moderator, from the stage channel
    assert reply(record) == "“Office hours” is cancelled, every occurrence."
    assert event.status == CANCELED and events(world) == [event]
    assert await bot.app.queries.schedules("discord", str(world.guild.id)) == []


async def test_bad_input_is_refused_in_the_readers_language_and_nothing_is_stored_or_sent(world, bot):
    past = later(bot, hours=-2)
    cases = [
        ({"start": typed(past)}, refusal(errors.DateInPast, when=parse_local(typed(past), "Europe/Paris"))),
        ({"start": typed(later(bot, hours=1)), "timezone": "Mars/Olympus"},
         refusal(errors.UnknownTimezone, timezone="Mars/Olympus")),
        ({"start": typed(later(bot, hours=1)), "repeat": "cron:61 25 * * *"},
         refusal(errors.ImpossibleRecurrence, value="cron:61 25 * * *")),
        ({"start": typed(later(bot, hours=1)), "repeat": "weekly:someday"},
         refusal(errors.ImpossibleRecurrence, value="weekly:someday")),
        ({"start": typed(later(bot, hours=1)), "duration": "0"},
         refusal(errors.InvalidArgument, name="duration", value="0",
                 expected=Message.of(N_("a duration from 1m to 24h")))),
        ({"start": "tomorrow at noon"}, refusal(errors.InvalidDate, value="tomorrow at noon")),
    ]
    for options, expected in cases:
        options.setdefault("timezone", "Europe/Paris")
        record = await bot.command(world, world.alice, "stage", "schedule", title="Office hours", **options)
        assert reply(record) == expected and is_ephemeral(record)
    french = await bot.command(world, world.alice, "stage", "schedule", title="Office hours", locale="fr",
                               start=typed(later(bot, hours=1)), timezone="Mars/Olympus")
    assert reply(french) == refusal(errors.UnknownTimezone, "fr", timezone="Mars/Olympus")
    assert reply(french).startswith("Fuseau horaire inconnu"), reply(french)
    assert await bot.app.queries.schedules("discord", str(world.guild.id)) == []
    assert event_calls(world) == [] and events(world) == []


async def test_the_101st_active_series_is_refused_before_any_discord_call(world, bot):
    host = Actor(str(world.alice.id), platform_moderator=True)
    start = typed(later(bot, days=2))
    for number in range(100):
        await bot.app.bus.handle(c.ScheduleStage(
            actor=host, platform="discord", space_id=str(world.guild.id), channel_id=str(world.stage.id),
            title=f"Series {number}", start=start, timezone="Europe/Paris"))
    await bot.settle()
    assert len(events(world)) == 100  # Discord's own limit, reached exactly
    posts = len(event_calls(world, "POST"))
    record = await bot.command(world, world.alice, "stage", "schedule", title="One too many", start=start,
                               timezone="Europe/Paris")
    assert reply(record) == refusal(errors.TooManySchedules, limit=100)
    assert len(event_calls(world, "POST")) == posts and len(events(world)) == 100
    assert len(await bot.app.queries.schedules("discord", str(world.guild.id))) == 100


async def test_the_list_rsvp_and_suggestions_speak_the_members_language(world, bot):
    fake = world.fake
    start = later(bot, hours=3)
    await schedule(bot, world, start, repeat="weekly:mon,thu")
    [view] = await bot.app.queries.schedules("discord", str(world.guild.id))
    listed = await bot.command(world, world.erin, "stage", "schedules", where=world.text, locale="fr")
    assert reply(listed).startswith("Scènes programmées")
    first = view.next_at.astimezone(PARIS)  # the first Monday or Thursday at that time
    assert f"<t:{int(first.timestamp())}:F>" in reply(listed) and "Chaque semaine\u00a0: lundi, jeudi" in reply(listed)
    going = await bot.command(world, world.erin, "rsvp", where=world.text, series=view.schedule_id)
    assert reply(going).startswith("You're going to “Office hours” at")
    assert (await bot.app.queries.schedule(view.schedule_id)).rsvps == (str(world.erin.id),)

    async def suggested(*words, locale="en-US", **options):
        focused = list(options)[-1]  # the option being typed comes last
        record = fake.autocomplete(world.guild, world.stage, world.alice, *words, options=options, focused=focused,
                                   locale=locale)
        await fake.wait_response(record)
        return [(choice["name"], choice["value"]) for choice in record.choices]

    assert (await suggested("stage", "schedule", title="x", start="x", timezone="paris"))[0] == (
        "Europe/Paris", "Europe/Paris")
    assert (await suggested("stage", "schedule", title="x", start="x", timezone=""))[0] == ("UTC", "UTC")
    french = await suggested("stage", "schedule", title="x", start="x", repeat="jeudi", locale="fr")
    assert french == [("jeudi", "jeudi"), ("Chaque semaine le jeudi (weekly:thu)", "weekly:thu")]
    local = f"{first:%Y-%m-%d %H:%M}"
    assert await suggested("rsvp", series="") == [(f"Office hours · {local} Europe/Paris", view.schedule_id)]
    assert await suggested("stage", "cancel", series=view.schedule_id, occurrence="") == [
        (f"{local} Europe/Paris", local)]


async def test_discord_refusing_the_event_is_told_to_the_planner_and_retried_at_the_next_start(world, bot):
    from tests.fakes.discord.guild import ScheduledEvent
    from tests.fakes.discord.models import iso, snowflake

    guild = world.guild
    soon = datetime.now(UTC) + timedelta(days=3)
    for number in range(100):  # other people's events fill the server
        event = ScheduledEvent(snowflake(), guild.id, world.bob, f"Meetup {number}", 2, iso(soon),
                               channel_id=world.stage.id)
        guild.events[event.id] = event
    record = await schedule(bot, world, later(bot, hours=2))
    assert "is scheduled for" in reply(record)
    assert reply(record).endswith("I could not create the Discord event of “Office hours”: "
                                  "Discord refused it (error 30038).")
    [view] = await bot.app.queries.schedules("discord", str(guild.id))
    assert view.platform_event_id is None and len(guild.events) == 100
    next(iter(guild.events.values())).status = CANCELED  # a slot frees up while the bot is away
    await bot.restart()
    [view] = await bot.app.queries.schedules("discord", str(guild.id))
    assert view.platform_event_id is not None and guild.events[int(view.platform_event_id)].name == "Office hours"


async def test_an_occurrence_on_a_stage_already_live_in_discord_still_starts_and_completes_its_event(world, bot):
    from tests.fakes.discord.guild import StageInstance
    from tests.fakes.discord.models import snowflake

    start = later(bot, hours=1)
    await schedule(bot, world, start)
    [event] = events(world)
    instance = StageInstance(snowflake(), world.guild.id, world.stage.id, "Warming up")  # not linked to the event
    world.guild.stage_instances[world.stage.id] = instance
    world.fake.dispatch("STAGE_INSTANCE_CREATE", instance.payload())
    await bot.settle()
    await bot.advance((start - bot.clock.now()).total_seconds())
    assert event.status == ACTIVE and world.guild.stage_instances[world.stage.id].topic == "Office hours"
    await bot.command(world, world.alice, "stage", "close")
    assert event.status == COMPLETED and events(world) == [event]  # a series of one: nothing comes next
    assert await bot.app.queries.schedules("discord", str(world.guild.id)) == []


async def test_a_missed_occurrence_moves_the_event_to_the_next_one(world, bot):
    start = later(bot, hours=1)
    await schedule(bot, world, start, repeat="daily")
    [event] = events(world)
    await bot.command(world, world.bob, "stage", "open", title="Impromptu")
    await bot.command(world, world.bob, "stage", "rules", changes="idle_close=off")  # still live at the start
    await bot.advance((start - bot.clock.now()).total_seconds())
    posts = [post.content for post in channel_posts(world.fake, world.stage)]
    assert "“Office hours” could not open: another stage is live in this channel." in posts, posts
    assert event.status == SCHEDULED
    assert datetime.fromisoformat(event.scheduled_start_time) == start + timedelta(days=1)


async def test_a_stage_ending_just_before_the_series_opens_does_not_take_the_new_stage_down(world, bot):
    start = later(bot, hours=1)
    await schedule(bot, world, start, repeat="daily")
    [event] = events(world)
    await bot.command(world, world.bob, "stage", "open", title="Impromptu")
    # One move of the clock: the impromptu stage closes itself (idle) and the series opens at once after it,
    # while Discord still echoes the end of the first stage instance.
    await bot.advance((start - bot.clock.now()).total_seconds())
    board = await bot.app.queries.board(await bot.stage_id(world), lines=0)
    assert board.ref.title == "Office hours" and board.state == "live"
    assert world.stage.id in world.guild.stage_instances and event.status == ACTIVE
    assert world.guild.stage_instances[world.stage.id].topic == "Office hours"
