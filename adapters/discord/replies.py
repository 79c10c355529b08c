"""Answering interactions: within Discord's 3 seconds, ephemeral, in the reader's language, never a traceback.

The work (usually one core command) starts at once; if it has not finished after DEFER_AFTER seconds the
interaction is deferred and the answer follows. A refused command is the refusal's own sentence; an unexpected
error is logged with its context and answered with the catalogue's apology.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord

from adapters.discord.members import PLATFORM, say
from bot.domain.errors import StageError, Unexpected
from bot.i18n.catalog import supported_locale
from bot.i18n.message import Message

if TYPE_CHECKING:
    from adapters.discord.context import Context

log = logging.getLogger(__name__)

DEFER_AFTER = 1.5

#: A reply shaped in the reader's locale: the keyword arguments of ``send_message``.
Shown = Callable[[str], dict[str, Any]]
Outcome = Message | Shown | None


async def reader_locale(ctx: Context, interaction: discord.Interaction) -> str:
    """The member's Discord language when we speak it, else the one last learned, or their server's.

    The language is kept for the member, so what the bot sends them later (a DM when they get the floor)
    is in it too.
    """
    chosen = supported_locale(interaction.locale)
    if chosen is not None:
        await ctx.app.locales.learn_member(PLATFORM, str(interaction.user.id), chosen)
        return chosen
    return await ctx.app.locales.for_member(PLATFORM, str(interaction.guild_id or ""), str(interaction.user.id))


def refusal_message(refusal: StageError) -> Message:
    return Message(refusal.message, refusal.params)


async def respond(ctx: Context, interaction: discord.Interaction, work: Callable[[], Awaitable[Outcome]],
                  *, what: str) -> None:
    """Runs ``work`` and answers with what it returns; ``what`` names the interaction in logs."""
    task = asyncio.ensure_future(_attempt(ctx, interaction, work, what))
    done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER)
    if not done and not interaction.response.is_done():
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
        except discord.HTTPException as error:
            log.warning("could not defer %s: %r", what, error)
    outcome = await task
    if outcome is None:
        return
    locale = await reader_locale(ctx, interaction)
    shown: dict[str, Any] = outcome(locale) if callable(outcome) else {"content": say(outcome, locale)}
    shown.setdefault("allowed_mentions", discord.AllowedMentions.none())
    try:
        if interaction.response.is_done():
            await interaction.followup.send(ephemeral=True, **shown)
        else:
            await interaction.response.send_message(ephemeral=True, **shown)
    except discord.HTTPException as error:
        log.warning("could not answer %s: %r", what, error)


async def _attempt(ctx: Context, interaction: discord.Interaction, work: Callable[[], Awaitable[Outcome]],
                   what: str) -> Outcome:
    try:
        if not await ctx.app.inbox.first_time(f"discord:interaction:{interaction.id}", ctx.app.clock.now()):
            return None  # delivered twice (two processes on one token): the first one answers
        return await work()
    except StageError as refusal:
        return refusal_message(refusal)
    except Exception:
        log.exception("%s by %s in guild %s channel %s failed", what, interaction.user.id, interaction.guild_id,
                      interaction.channel_id)
        return Message(Unexpected.message)
