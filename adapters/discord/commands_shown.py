"""What a Discord member sees of the gateway's answer: the reply, or what was read, as embeds."""

from __future__ import annotations

from typing import Any

import discord

from adapters.discord.board_view import board_embed, recap_embed
from adapters.discord.members import mention, say
from adapters.discord.replies import Outcome
from bot.domain.errors import StageNotFound
from bot.i18n.markers import N_
from bot.i18n.message import Duration, Message
from bot.services.community_show import Lines
from bot.services.discovery import Listing, listing_lines
from bot.services.replay_list import replay_lines
from bot.services.schedule_view import ScheduleView
from bot.surface.gateway import Done
from bot.surface.grammar import Grammar
from bot.surface.show import help_lines, queue_summary, repeat_words, rule_lines
from bot.surface.table import TABLE

QUEUE_SHOWN = 20
LIST_CHARACTERS = 3900  # an embed's description holds 4,096
LOG_CHARACTERS = 4000


def shown(interaction: discord.Interaction, done: Done) -> Outcome:
    if done.reply is not None:
        return done.reply
    view = done.view
    match done.row.read:
        case "board":
            return lambda locale: {"embed": board_embed(view, locale)}
        case "rules":
            return lambda locale: {"content": "```\n" + "\n".join(say(line, locale) for line in rule_lines(
                view.rules)) + "\n```"}
        case "queue":
            return lambda locale: _queue(view, str(interaction.user.id), locale)
        case "log":
            return lambda locale: _log(view, locale)
        case "recap":
            if view is None:
                raise StageNotFound()
            title, recap = view
            return lambda locale: {"embed": recap_embed(title, recap, locale)}
        case "schedules":
            return lambda locale: listing(view, locale)
        case "help":
            return lambda locale: _help(view or "", locale)
        case "replays":
            return lambda locale: {"embed": discord.Embed(description="\n".join(
                say(line, locale) for line in replay_lines(view))[:LIST_CHARACTERS])}
    if isinstance(view, Listing):  # a stage channel's mention: one click to it, then join the stage
        return lambda locale: {"embed": discord.Embed(description="\n".join(
            say(line, locale) for line in listing_lines(view, lambda channel_id: f"<#{channel_id}>"))[
            :LIST_CHARACTERS])}
    if isinstance(view, Lines):
        return lambda locale: {"embed": discord.Embed(description="\n".join(say(line, locale) for line in view)[
            :LOG_CHARACTERS])}
    return None


def _queue(board: Any, user_id: str, locale: str) -> dict[str, Any]:
    lines = []
    for line in board.queue[:QUEUE_SHOWN]:
        note = f" — {discord.utils.escape_markdown(line.note)}" if line.note else ""
        lines.append(f"`#{line.position}` {mention(line.user_id)}{note}")
    return {"content": say(queue_summary(board, user_id), locale),
            "embed": discord.Embed(description="\n".join(lines) or "—")}


def _log(entries: Any, locale: str) -> dict[str, Any]:
    lines = [f"<t:{int(e.at.timestamp())}:T> {say(e.message, locale)}" for e in entries]
    while len("\n".join(lines)) > LOG_CHARACTERS:
        lines.pop(0)  # the newest entries matter most
    return {"embed": discord.Embed(description="\n".join(lines) or "—")}


def _help(asked: str, locale: str) -> dict[str, Any]:
    grammar = Grammar(TABLE)
    lines = [f"`{say(usage, locale)}` {say(help, locale)}" for usage, help in help_lines(grammar, TABLE, asked)]
    return {"embed": discord.Embed(description="\n".join(lines)[:LOG_CHARACTERS])}


def listing(views: list[ScheduleView], locale: str) -> dict[str, Any]:
    lines: list[str] = []
    for index, view in enumerate(views):
        line = describe(view, locale)
        if len("\n".join([*lines, line])) > LIST_CHARACTERS:
            lines.append(say(Message.of(N_("and {count} more"), count=len(views) - index), locale))
            break
        lines.append(line)
    summary = say(Message.of(N_("Scheduled stages: {count}."), count=len(views)), locale)
    return {"content": summary, "embed": discord.Embed(description="\n".join(lines) or "—")}


def describe(view: ScheduleView, locale: str) -> str:
    title = discord.utils.escape_markdown(view.ref.title)
    when = f"<t:{int(view.next_at.timestamp())}:F> (<t:{int(view.next_at.timestamp())}:R>)" if view.next_at else "—"
    repeats = discord.utils.escape_markdown(say(repeat_words(view.recurrence, locale), locale))
    return (f"📅 **{title}** · <#{view.ref.channel_id}> · {when} · {repeats} · "
            f"{say(Message.of('{length}', length=Duration(view.duration)), locale)} · 🙋 {len(view.rsvps)} · "
            f"`{view.schedule_id}`")
