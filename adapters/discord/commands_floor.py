"""`/hand`, `/queue`, `/speaker` and `/mod`: the queue and the floor. Each is one core command."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import discord
from discord import app_commands

from adapters.discord import autocomplete
from adapters.discord.context import context_of
from adapters.discord.invoke import run
from adapters.discord.commands_stage import MEMBER, REASON, REASON_HELP, STAGE, STAGE_HELP, stage_command
from adapters.discord.members import mention, say
from adapters.discord.replies import Outcome, respond
from adapters.discord.targets import guild_of, member_id, target
from adapters.discord.translator import T
from bot.domain import commands as c
from bot.i18n.markers import N_
from bot.i18n.message import Message

QUEUE_SHOWN = 20
PICKED = T(N_("Pick from the queue, or type a name."))


class HandCommands(app_commands.Group):
    def __init__(self) -> None:
        super().__init__(name=T(N_("hand")), description=T(N_("Raise or lower your hand.")), guild_only=True)

    @app_commands.command(name=T(N_("raise")), description=T(N_("Raise your hand, with an optional note.")))
    @app_commands.rename(note=T(N_("note")), stage=STAGE)
    @app_commands.describe(note=T(N_("What you would like to say, in a few words.")), stage=STAGE_HELP)
    @app_commands.autocomplete(stage=autocomplete.stages)
    async def raise_(self, interaction: discord.Interaction, note: str = "", stage: str | None = None) -> None:
        await stage_command(interaction, stage, "/hand raise", c.RaiseHand, note=note)

    @app_commands.command(name=T(N_("lower")), description=T(N_("Lower your hand.")))
    @app_commands.rename(stage=STAGE)
    @app_commands.describe(stage=STAGE_HELP)
    @app_commands.autocomplete(stage=autocomplete.stages)
    async def lower(self, interaction: discord.Interaction, stage: str | None = None) -> None:
        await stage_command(interaction, stage, "/hand lower", c.LowerHand)


class SpeakerCommands(app_commands.Group):
    def __init__(self) -> None:
        super().__init__(name=T(N_("speaker")), description=T(N_("Give or take the floor.")), guild_only=True)

    @app_commands.command(name=T(N_("approve")), description=T(N_("Give the floor to a member.")))
    @app_commands.rename(member=MEMBER, stage=STAGE)
    @app_commands.describe(member=PICKED, stage=STAGE_HELP)
    @app_commands.autocomplete(member=autocomplete.queued, stage=autocomplete.stages)
    async def approve(self, interaction: discord.Interaction, member: str, stage: str | None = None) -> None:
        await _on_member(interaction, stage, "/speaker approve", c.ApproveSpeaker, member)

    @app_commands.command(name=T(N_("deny")), description=T(N_("Lower a member's hand.")))
    @app_commands.rename(member=MEMBER, reason=REASON, stage=STAGE)
    @app_commands.describe(member=PICKED, reason=REASON_HELP, stage=STAGE_HELP)
    @app_commands.autocomplete(member=autocomplete.queued, stage=autocomplete.stages)
    async def deny(self, interaction: discord.Interaction, member: str, reason: str = "",
                   stage: str | None = None) -> None:
        await _on_member(interaction, stage, "/speaker deny", c.DenyHand, member, reason=reason)

    @app_commands.command(name=T(N_("next")), description=T(N_("Give the floor to the next in line.")))
    @app_commands.rename(stage=STAGE)
    @app_commands.describe(stage=STAGE_HELP)
    @app_commands.autocomplete(stage=autocomplete.stages)
    async def next(self, interaction: discord.Interaction, stage: str | None = None) -> None:
        await stage_command(interaction, stage, "/speaker next", c.ApproveNext)

    @app_commands.command(name=T(N_("audience")),
                          description=T(N_("Move a speaker (or yourself) back to the audience.")))
    @app_commands.rename(member=MEMBER, stage=STAGE)
    @app_commands.describe(member=T(N_("The speaker; yourself when left empty.")), stage=STAGE_HELP)
    @app_commands.autocomplete(member=autocomplete.speakers, stage=autocomplete.stages)
    async def audience(self, interaction: discord.Interaction, member: str | None = None,
                       stage: str | None = None) -> None:
        await _on_member(interaction, stage, "/speaker audience", c.MoveToAudience,
                         member or str(interaction.user.id))


class ModCommands(app_commands.Group):
    def __init__(self) -> None:
        super().__init__(name=T(N_("mod")), description=T(N_("Delegate moderation of a stage.")), guild_only=True)

    @app_commands.command(name=T(N_("add")), description=T(N_("Make a member a moderator of this stage.")))
    @app_commands.rename(member=MEMBER, stage=STAGE)
    @app_commands.describe(member=T(N_("Who it is about.")), stage=STAGE_HELP)
    @app_commands.autocomplete(stage=autocomplete.stages)
    async def add(self, interaction: discord.Interaction, member: discord.Member, stage: str | None = None) -> None:
        await stage_command(interaction, stage, "/mod add", c.AddModerator, user_id=str(member.id))

    @app_commands.command(name=T(N_("remove")), description=T(N_("Take moderation back.")))
    @app_commands.rename(member=MEMBER, stage=STAGE)
    @app_commands.describe(member=T(N_("Who it is about.")), stage=STAGE_HELP)
    @app_commands.autocomplete(stage=autocomplete.stages)
    async def remove(self, interaction: discord.Interaction, member: discord.Member,
                     stage: str | None = None) -> None:
        await stage_command(interaction, stage, "/mod remove", c.RemoveModerator, user_id=str(member.id))


@app_commands.command(name=T(N_("queue")), description=T(N_("Show the whole queue and your place in it.")))
@app_commands.rename(stage=STAGE)
@app_commands.describe(stage=STAGE_HELP)
@app_commands.autocomplete(stage=autocomplete.stages)
@app_commands.guild_only()
async def queue(interaction: discord.Interaction, stage: str | None = None) -> None:
    ctx = context_of(interaction)

    async def work() -> Outcome:
        found = await target(ctx, interaction, stage)
        board = await ctx.app.queries.board(found.stage_id, lines=10**6)
        mine = next((line.position for line in board.queue if line.user_id == found.actor.user_id), None)
        lines = []
        for line in board.queue[:QUEUE_SHOWN]:
            note = f" — {discord.utils.escape_markdown(line.note)}" if line.note else ""
            lines.append(f"`#{line.position}` {mention(line.user_id)}{note}")
        if mine is None:
            summary = Message.of(N_("Hands raised: {count}; yours is not among them."), count=board.queue_length)
        else:
            summary = Message.of(N_("Hands raised: {count}; you are #{position}."), count=board.queue_length,
                                 position=mine)

        def shown(locale: str) -> dict[str, Any]:
            return {"content": say(summary, locale), "embed": discord.Embed(description="\n".join(lines) or "—")}

        return shown

    await respond(ctx, interaction, work, what="/queue")


async def _on_member(interaction: discord.Interaction, stage: str | None, what: str,
                     kind: Callable[..., c.StageCommand], typed: str, **values: Any) -> None:
    ctx = context_of(interaction)

    async def work() -> Outcome:
        found = await target(ctx, interaction, stage)
        user_id = member_id(guild_of(interaction), typed)
        return await run(ctx, interaction, found, kind(actor=found.actor, stage_id=found.stage_id, user_id=user_id,
                                                       **values))

    await respond(ctx, interaction, work, what=what)


def install(tree: app_commands.CommandTree[Any]) -> None:
    """Every Podium command, on the tree that `podium discord sync` registers and the bot answers."""
    from adapters.discord.commands_schedule import rsvp
    from adapters.discord.commands_stage import StageCommands

    commands: list[app_commands.Group | app_commands.Command[Any, ..., Any]] = [
        StageCommands(), HandCommands(), SpeakerCommands(), ModCommands(), queue, rsvp]
    for command in commands:
        tree.add_command(command)
