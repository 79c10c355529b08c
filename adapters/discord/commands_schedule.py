"""`/stage schedule | schedules | edit | cancel` and `/rsvp`: scheduled stages. Each is one core command.

Dates are typed as "YYYY-MM-DD HH:MM" on the wall clock of the chosen time zone (the server's by default); the
core judges them, the recurrence and the duration. Lists show Discord timestamps, which every member's client
renders in their own time zone and language.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from adapters.discord import autocomplete
from adapters.discord.context import Context, context_of
from adapters.discord.errors import NoSchedules, NothingToChange, ScheduleWhere, SeveralSchedules
from adapters.discord.members import PLATFORM, say
from adapters.discord.replies import Outcome, reader_locale, respond
from adapters.discord.targets import actor_in, guild_of, stage_channel_here
from adapters.discord.translator import T
from bot.domain import commands as c
from bot.domain.errors import ScheduleNotFound
from bot.domain.members import Actor
from bot.domain.rules import parse_duration
from bot.domain.schedule import parse_local
from bot.i18n.markers import N_
from bot.i18n.message import Message
from bot.services.schedule_view import ScheduleView

SERIES, SERIES_HELP = T(N_("series")), T(N_("The scheduled stage; the next one here when left empty."))
TITLE, TOPIC = T(N_("title")), T(N_("topic"))
START, START_HELP = T(N_("start")), T(N_("When, as YYYY-MM-DD HH:MM."))
ZONE, ZONE_HELP = T(N_("timezone")), T(N_("The time zone of the start; the server's when left empty."))
DURATION, DURATION_HELP = T(N_("duration")), T(N_("How long it is expected to last, such as 45m or 2h."))
REPEAT, REPEAT_HELP = T(N_("repeat")), T(N_("once, daily, weekly:mon,thu or cron:M H D M W"))
LIST_CHARACTERS = 3900  # an embed's description holds 4,096


def schedule_commands() -> list[app_commands.Command[Any, ..., Any]]:
    """The `/stage` subcommands for scheduled stages, built afresh for each command tree."""

    @app_commands.command(name=T(N_("schedule")),
                          description=T(N_("Schedule a stage in this channel, once or repeating.")))
    @app_commands.rename(title=TITLE, start=START, timezone=ZONE, duration=DURATION, repeat=REPEAT, topic=TOPIC,
                         channel=T(N_("channel")))
    @app_commands.describe(title=T(N_("What the stage is called.")), start=START_HELP, timezone=ZONE_HELP,
                           duration=DURATION_HELP, repeat=REPEAT_HELP, topic=T(N_("What it is about.")),
                           channel=T(N_("The stage channel, when you are not in its chat.")))
    @app_commands.autocomplete(timezone=autocomplete.timezones, repeat=autocomplete.repeats)
    async def schedule(interaction: discord.Interaction, title: str, start: str, timezone: str | None = None,
                       duration: str = "1h", repeat: str = "once", topic: str = "",
                       channel: discord.StageChannel | None = None) -> None:
        ctx = context_of(interaction)

        async def work() -> Outcome:
            guild = guild_of(interaction)
            where = channel or stage_channel_here(interaction)
            if where is None:
                raise ScheduleWhere()
            command = c.ScheduleStage(
                actor=actor_in(ctx, interaction, where), platform=PLATFORM, space_id=str(guild.id),
                channel_id=str(where.id), title=title, start=start, timezone=timezone or None,
                duration=parse_duration("duration", duration), recurrence=repeat, topic=topic)
            # Whoever plans it hears privately if Discord then refuses the event (its limit of 100, say).
            place = (str(guild.id), str(where.id))
            witness = ctx.reporter.witness(place)
            ctx.reporter.remember(place, interaction, await reader_locale(ctx, interaction))
            try:
                return await ctx.app.bus.handle(command)
            except Exception:
                ctx.reporter.restore(place, witness)
                raise

        await respond(ctx, interaction, work, what="/stage schedule")

    @app_commands.command(name=T(N_("schedules")),
                          description=T(N_("List the upcoming scheduled stages of the space.")))
    async def schedules(interaction: discord.Interaction) -> None:
        ctx = context_of(interaction)

        async def work() -> Outcome:
            views = await ctx.app.queries.schedules(PLATFORM, str(guild_of(interaction).id))
            return lambda locale: listing(views, locale)

        await respond(ctx, interaction, work, what="/stage schedules")

    @app_commands.command(name=T(N_("edit")), description=T(N_("Change a scheduled stage (its host or a moderator).")))
    @app_commands.rename(series=SERIES, title=TITLE, start=START, timezone=ZONE, duration=DURATION,
                         repeat=REPEAT, topic=TOPIC)
    @app_commands.describe(series=SERIES_HELP, title=T(N_("What the stage is called.")), start=START_HELP,
                           timezone=ZONE_HELP, duration=DURATION_HELP, repeat=REPEAT_HELP,
                           topic=T(N_("What it is about.")))
    @app_commands.autocomplete(series=autocomplete.series, timezone=autocomplete.timezones,
                               repeat=autocomplete.repeats)
    async def edit(interaction: discord.Interaction, series: str | None = None, title: str | None = None,
                   start: str | None = None, timezone: str | None = None, duration: str | None = None,
                   repeat: str | None = None, topic: str | None = None) -> None:
        ctx = context_of(interaction)

        async def work() -> Outcome:
            if all(value is None for value in (title, start, timezone, duration, repeat, topic)):
                raise NothingToChange()
            view = await series_of(ctx, interaction, series)
            seconds = parse_duration("duration", duration) if duration is not None else None
            return await ctx.app.bus.handle(c.EditSchedule(
                actor=actor_for(ctx, interaction, view), schedule_id=view.schedule_id, title=title, topic=topic,
                start=start, timezone=timezone, duration=seconds, recurrence=repeat))

        await respond(ctx, interaction, work, what="/stage edit")

    @app_commands.command(name=T(N_("cancel")),
                          description=T(N_("Cancel one occurrence of a scheduled stage, or the whole series.")))
    @app_commands.rename(series=SERIES, occurrence=T(N_("occurrence")))
    @app_commands.describe(series=SERIES_HELP, occurrence=T(N_(
        "Only this occurrence (YYYY-MM-DD HH:MM); the whole series when left empty.")))
    @app_commands.autocomplete(series=autocomplete.series, occurrence=autocomplete.occurrences)
    async def cancel(interaction: discord.Interaction, series: str | None = None,
                     occurrence: str | None = None) -> None:
        ctx = context_of(interaction)

        async def work() -> Outcome:
            view = await series_of(ctx, interaction, series)
            when = parse_local(occurrence, view.timezone) if occurrence else None
            return await ctx.app.bus.handle(c.CancelSchedule(
                actor=actor_for(ctx, interaction, view), schedule_id=view.schedule_id, occurrence=when))

        await respond(ctx, interaction, work, what="/stage cancel")

    return [schedule, schedules, edit, cancel]


@app_commands.command(name=T(N_("rsvp")), description=T(N_("Say whether you are going to a scheduled stage.")))
@app_commands.rename(series=SERIES, answer=T(N_("answer")))
@app_commands.describe(series=SERIES_HELP, answer=T(N_("Going (the default) or not.")))
@app_commands.choices(answer=[app_commands.Choice(name=T(N_("going")), value="going"),
                              app_commands.Choice(name=T(N_("not going")), value="not going")])
@app_commands.autocomplete(series=autocomplete.series)
@app_commands.guild_only()
async def rsvp(interaction: discord.Interaction, series: str | None = None, answer: str = "going") -> None:
    ctx = context_of(interaction)

    async def work() -> Outcome:
        view = await series_of(ctx, interaction, series)
        return await ctx.app.bus.handle(c.Rsvp(actor=Actor(str(interaction.user.id)), schedule_id=view.schedule_id,
                                               going=answer != "not going"))

    await respond(ctx, interaction, work, what="/rsvp")


async def series_of(ctx: Context, interaction: discord.Interaction, typed: str | None) -> ScheduleView:
    """The series picked (by id or title) among this server's, else the next one planned in this stage
    channel, else the server's only one. A series of another server is never found."""
    views = await ctx.app.queries.schedules(PLATFORM, str(guild_of(interaction).id))
    if typed and typed.strip():
        wanted = typed.strip()
        found = [v for v in views if v.schedule_id == wanted] or [
            v for v in views if v.ref.title.lower() == wanted.lower()]
        if not found:
            raise ScheduleNotFound(schedule_id=wanted)
        if len(found) > 1:
            raise SeveralSchedules()
        return found[0]
    here = stage_channel_here(interaction)
    mine = [v for v in views if here is not None and v.ref.channel_id == str(here.id)]
    if mine:
        return mine[0]  # soonest first
    if not views:
        raise NoSchedules()
    if len(views) > 1:
        raise SeveralSchedules()
    return views[0]


def actor_for(ctx: Context, interaction: discord.Interaction, view: ScheduleView) -> Actor:
    """Moderation of a series is judged in its stage channel, as it would be for its stage."""
    guild = guild_of(interaction)
    channel = guild.get_channel(int(view.ref.channel_id)) or interaction.channel
    return actor_in(ctx, interaction, channel)  # type: ignore[arg-type]


def listing(views: list[ScheduleView], locale: str) -> dict[str, Any]:
    lines: list[str] = []
    for index, view in enumerate(views):
        line = describe(view)
        if len("\n".join([*lines, line])) > LIST_CHARACTERS:
            lines.append(say(Message.of(N_("and {count} more"), count=len(views) - index), locale))
            break
        lines.append(line)
    summary = say(Message.of(N_("Scheduled stages: {count}."), count=len(views)), locale)
    return {"content": summary, "embed": discord.Embed(description="\n".join(lines) or "—")}


def describe(view: ScheduleView) -> str:
    title = discord.utils.escape_markdown(view.ref.title)
    when = f"<t:{int(view.next_at.timestamp())}:F> (<t:{int(view.next_at.timestamp())}:R>)" if view.next_at else "—"
    return (f"📅 **{title}** · <#{view.ref.channel_id}> · {when} · {view.recurrence} · "
            f"{round(view.duration / 60)} min · 🙋 {len(view.rsvps)} · `{view.schedule_id}`")
