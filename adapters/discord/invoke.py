"""Running core commands: `run` for an interaction (a slash command or a button), whose author hears about
the Discord work the command causes should Discord refuse it (failures.py); `attempt` for what the bot does on
a member's behalf (voice states, reconciliation), which answers nobody."""

from __future__ import annotations

import discord

from adapters.discord.context import Context
from adapters.discord.replies import reader_locale
from adapters.discord.targets import Target
from bot.domain import commands as c
from bot.domain import errors
from bot.i18n.message import Message


async def run(ctx: Context, interaction: discord.Interaction, target: Target, command: c.Command) -> Message:
    # Remembered before the command runs: the platform work it causes may start before this function resumes.
    where = (str(target.channel.guild.id), str(target.channel.id))
    witness = ctx.reporter.witness(where)
    if _moderates(command):
        ctx.reporter.remember(where, interaction, await reader_locale(ctx, interaction))
    try:
        reply = await ctx.app.bus.handle(command)
    except Exception:
        ctx.reporter.restore(where, witness)
        raise
    return reply


def _moderates(command: c.Command) -> bool:
    """Accepted, this command shows its author moderates the stage: Discord's refusals are theirs to hear."""
    if isinstance(command, c.MoveToAudience):
        return command.user_id != command.actor.user_id
    return not isinstance(command, c.RaiseHand | c.LowerHand)


async def attempt(ctx: Context, command: c.Command, *quiet: type[errors.StageError]) -> errors.StageError | None:
    """Runs a command the bot sends on a member's behalf; returns the refusal, unless it is one of ``quiet``."""
    try:
        await ctx.app.bus.handle(command)
    except quiet:
        return None
    except errors.StageError as refusal:
        return refusal
    return None
