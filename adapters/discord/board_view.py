"""The board as Discord shows it: an embed with the speakers, the queue and the rules, and its buttons.

Every word comes from the catalogues; this module only shapes markup (mentions, Discord timestamps that
count down by themselves, so a speaker's time left stays true between edits).
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from datetime import timedelta
from typing import Any

import discord

from bot.domain.links import Link

from adapters.discord.buttons import BoardButton
from adapters.discord.members import mention, say
from adapters.discord.recording.consent import ConsentButton
from bot.domain.members import Recap
from bot.i18n.markers import N_
from bot.i18n.message import Duration, Message
from bot.i18n.terms import term
from bot.services.board import Board
from bot.surface.show import NONE, recap_messages

LIVE, ENDED = 0x5865F2, 0x747F8D
NOTE_CHARACTERS = 60
EMPTY = "—"


def _t(locale: str, msgid: str, **params: Any) -> str:
    return say(Message(msgid, params), locale)


def board_embed(board: Board, locale: str) -> discord.Embed:
    live = board.state == "live"
    lines = [board.topic] if board.topic else []
    if board.hands_locked and live:
        lines.append("🔒 " + _t(locale, N_("Hands are locked.")))
    if board.rules.record and live:
        lines.append("🔴 " + _t(locale, N_("Recording: only members who accepted (button below) are heard.")))
    if not live:
        lines.append(_t(locale, N_("This stage has ended.")))
    embed = discord.Embed(title=f"🎙️ {board.ref.title}", description="\n".join(lines) or None,
                          colour=LIVE if live else ENDED, timestamp=board.taken_at)
    speakers = []
    for line in board.speakers:
        text = mention(line.user_id)
        if line.seconds_left is not None and live:
            ends = board.taken_at + timedelta(seconds=line.seconds_left)
            text += f" · ⏳ <t:{int(ends.timestamp())}:R>"
        speakers.append(text)
    embed.add_field(name=_t(locale, N_("Speakers ({count}/{limit})"), count=len(board.speakers),
                            limit=board.rules.max_speakers), value="\n".join(speakers) or EMPTY, inline=False)
    queue = []
    for line in board.queue:
        text = f"`#{line.position}` {mention(line.user_id)}"
        if line.note:
            note = line.note if len(line.note) <= NOTE_CHARACTERS else line.note[:NOTE_CHARACTERS - 1] + "…"
            text += f" — {discord.utils.escape_markdown(note)}"
        if line.away:
            text += " " + _t(locale, N_("(away)"))
        queue.append(text)
    if board.queue_length > len(board.queue):
        queue.append(_t(locale, N_("and {count} more"), count=board.queue_length - len(board.queue)))
    embed.add_field(name=_t(locale, N_("Queue ({count})"), count=board.queue_length),
                    value="\n".join(queue) or EMPTY, inline=False)
    embed.add_field(name=_t(locale, N_("Rules")), value=rules_line(board, locale), inline=False)
    if board.moderators:
        embed.add_field(name=_t(locale, N_("Moderators")),
                        value=" ".join(mention(user_id) for user_id in board.moderators), inline=False)
    if board.links:
        embed.add_field(name="🔗 " + _t(locale, N_("Links")), value=link_lines(board.links), inline=False)
    return embed


def link_lines(links: Sequence[Link], *, room: int = 1024) -> str:
    """Numbered masked links (an embed shows no preview of them), as many as an embed field holds."""
    lines: list[str] = []
    for link in links:
        shown = discord.utils.escape_markdown(link.label or (urlsplit(link.url).hostname or link.url))
        line = f"`{link.number}.` [{shown}]({link.url.replace(')', '%29')})"
        if len("\n".join([*lines, line])) > room - 10:
            lines.append("…")
            break
        lines.append(line)
    return "\n".join(lines)


def rules_line(board: Board, locale: str) -> str:
    rules = board.rules
    return _t(locale, N_("Up to {speakers} speakers · queue: {mode} · who may raise a hand: {hands} · "
                         "time limit: {limit} · cooldown: {cooldown}"), speakers=rules.max_speakers,
              mode=term(rules.queue_mode.value), hands=term(rules.hand_mode.value),
              limit=Duration(rules.speaking_time_limit, NONE), cooldown=Duration(rules.hand_cooldown, NONE))


def board_view(board: Board, locale: str) -> discord.ui.View | None:
    """Raise and lower for everyone; next, approve and deny for moderators (the core refuses the others)."""
    if board.state != "live":
        return None
    stage_id = board.ref.stage_id
    view = discord.ui.View(timeout=None)
    view.add_item(BoardButton("raise", stage_id, label=_t(locale, N_("Raise hand")), emoji="✋",
                              style=discord.ButtonStyle.primary, row=0))
    view.add_item(BoardButton("lower", stage_id, label=_t(locale, N_("Lower hand")), row=0))
    view.add_item(BoardButton("next", stage_id, label=_t(locale, N_("Next speaker")), emoji="▶️",
                              style=discord.ButtonStyle.success, row=1))
    view.add_item(BoardButton("approve", stage_id, label=_t(locale, N_("Approve…")),
                              style=discord.ButtonStyle.success, row=1))
    view.add_item(BoardButton("deny", stage_id, label=_t(locale, N_("Deny…")),
                              style=discord.ButtonStyle.danger, row=1))
    if board.rules.record:
        view.add_item(ConsentButton("on", label=_t(locale, N_("Accept being recorded")), row=2))
        view.add_item(ConsentButton("off", label=_t(locale, N_("Don't record me")), row=2))
    return view


def recap_embed(title: str, recap: Recap, locale: str) -> discord.Embed:
    summary, *speakers = recap_messages(title, recap)
    lines = [say(summary, locale), *(say(line, locale) for line in speakers)]
    return discord.Embed(title=f"🏁 {title}", description="\n".join(lines)[:4000], colour=ENDED)


def board_content(board: Board, locale: str) -> dict[str, Any]:
    """The board message: its embed and buttons, mentioning nobody (boards.py sends and edits it)."""
    return {"embed": board_embed(board, locale), "view": board_view(board, locale),
            "allowed_mentions": discord.AllowedMentions.none()}
