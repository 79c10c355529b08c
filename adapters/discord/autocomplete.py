"""Suggestions while a member types: stages live in the server, hands in the queue, speakers on the floor;
for scheduled stages, the server's series, time zones, recurrences and the next occurrence."""

from __future__ import annotations

import functools
import logging
import zoneinfo
from zoneinfo import ZoneInfo

import discord
from babel.dates import get_day_names
from discord import app_commands

from adapters.discord.context import context_of
from adapters.discord.members import PLATFORM, display_name, say
from adapters.discord.targets import target
from bot.domain.errors import StageError
from bot.domain.recurrence import DAYS
from bot.i18n.markers import N_
from bot.i18n.message import Message
from bot.services.schedule_view import ScheduleView

log = logging.getLogger(__name__)

LIMIT = 25  # Discord shows at most 25 choices
SCANNED = 200  # queue entries searched for what was typed


async def stages(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    if interaction.guild is None:
        return []
    live = await context_of(interaction).app.queries.live_stages(PLATFORM, str(interaction.guild.id))
    typed = current.lower()
    choices = []
    for ref in live:
        channel = interaction.guild.get_channel(int(ref.channel_id))
        label = f"{ref.title} · #{channel.name}" if channel is not None else ref.title
        if typed in label.lower():
            choices.append(app_commands.Choice(name=label[:100], value=ref.stage_id))
    return choices[:LIMIT]


async def queued(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    board = await _board(interaction, SCANNED)
    if board is None:
        return []
    typed = current.lower().lstrip("@#")
    choices = []
    for line in board.queue:
        name = display_name(interaction.guild, line.user_id)
        if not typed or typed in name.lower() or line.user_id.startswith(typed) or str(line.position) == typed:
            choices.append(app_commands.Choice(name=f"#{line.position} {name}"[:100], value=line.user_id))
    return choices[:LIMIT]


async def speakers(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    board = await _board(interaction, 1)
    if board is None:
        return []
    typed = current.lower().lstrip("@")
    names = [(display_name(interaction.guild, line.user_id), line.user_id) for line in board.speakers]
    return [app_commands.Choice(name=name[:100], value=user_id) for name, user_id in names
            if not typed or typed in name.lower()][:LIMIT]


async def _board(interaction: discord.Interaction, lines: int):  # type: ignore[no-untyped-def]
    ctx = context_of(interaction)
    try:
        found = await target(ctx, interaction, getattr(interaction.namespace, "stage", None))
        return await ctx.app.queries.heading(found.stage_id, lines=lines)
    except StageError:
        return None


# ---- scheduled stages ------------------------------------------------------------------------------

@functools.cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


async def timezones(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """IANA names containing what was typed, those whose city starts with it first; the server's zone first."""
    typed = current.strip().lower().replace(" ", "_")
    found = [name for name in _zones() if typed in name.lower()]
    found.sort(key=lambda name: not name.lower().rsplit("/", 1)[-1].startswith(typed))
    if not typed and interaction.guild is not None:
        own = await context_of(interaction).app.locales.timezone(PLATFORM, str(interaction.guild.id))
        found = [own, *(name for name in found if name != own)]
    return [app_commands.Choice(name=name, value=name) for name in found[:LIMIT]]


async def repeats(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """What was typed as it stands, then the usual recurrences described in the reader's language."""
    from adapters.discord.replies import reader_locale

    locale = await reader_locale(context_of(interaction), interaction)
    days = get_day_names("wide", locale=locale)
    usual = [("once", Message.of(N_("Once"))), ("daily", Message.of(N_("Every day"))),
             ("weekly:mon,tue,wed,thu,fri", Message.of(N_("Every weekday, Monday to Friday")))]
    usual += [(f"weekly:{day}", Message.of(N_("Every week on {day}"), day=days[index]))
              for index, day in enumerate(DAYS)]
    typed = current.strip()
    choices = [app_commands.Choice(name=typed[:100], value=typed[:100])] if typed else []
    for value, label in usual:
        name = f"{say(label, locale)} ({value})"
        if value != typed and (not typed or typed.lower() in name.lower()):
            choices.append(app_commands.Choice(name=name[:100], value=value))
    return choices[:LIMIT]


async def series(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    if interaction.guild is None:
        return []
    views = await context_of(interaction).app.queries.schedules(PLATFORM, str(interaction.guild.id))
    typed = current.strip().lower()
    choices = []
    for view in views:
        label = f"{view.ref.title} · {_local(view)} {view.timezone}"
        if typed in label.lower() or typed == view.schedule_id:
            choices.append(app_commands.Choice(name=label[:100], value=view.schedule_id))
    return choices[:LIMIT]


async def occurrences(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The picked series' next occurrence, as the command takes it (any later one can be typed)."""
    if interaction.guild is None:
        return []
    picked = getattr(interaction.namespace, "series", None)
    views = await context_of(interaction).app.queries.schedules(PLATFORM, str(interaction.guild.id))
    here = interaction.channel_id
    view = next((v for v in views if v.schedule_id == picked), None) or next(
        (v for v in views if not picked and v.ref.channel_id == str(here)), None)
    if view is None or view.next_at is None:
        return []
    when = _local(view)
    return [app_commands.Choice(name=f"{when} {view.timezone}", value=when)] if current.strip() in when else []


def _local(view: ScheduleView) -> str:
    return view.next_at.astimezone(ZoneInfo(view.timezone)).strftime("%Y-%m-%d %H:%M") if view.next_at else "—"


async def replays(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The server's replays still kept, newest first: title, date and id."""
    if interaction.guild is None:
        return []
    kept = await context_of(interaction).app.recordings.replays(PLATFORM, str(interaction.guild.id))
    typed = current.lower()
    choices = []
    for replay in kept:
        label = f"{replay.title} · {replay.created_at.date().isoformat()} · {replay.id[:8]}"
        if typed in label.lower() or replay.id.lower().startswith(typed):
            choices.append(app_commands.Choice(name=label[:100], value=replay.id))
    return choices[:LIMIT]
