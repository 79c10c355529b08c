"""The board's persistent buttons and the moderators' pick list, as discord.py dynamic items.

Their custom ids carry the action and the stage id, so they keep working after a restart with nothing to
re-attach: discord.py matches the template and rebuilds the item on every press.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from adapters.discord.context import Context, context_of
from adapters.discord.invoke import run
from adapters.discord.members import display_name, say
from adapters.discord.replies import Outcome, respond
from adapters.discord.targets import known_member, target_of_stage
from bot.domain import commands as c
from bot.domain.errors import QueueEmpty
from bot.surface.errors import Unreadable
from bot.i18n.markers import N_
from bot.i18n.message import Message

PICK_LIMIT = 25  # options in a Discord select menu


class BoardButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                  template=r"podium:(?P<action>raise|lower|next|approve|deny):(?P<stage>[\w-]+)"):
    def __init__(self, action: str, stage_id: str, *, label: str | None = None,
                 style: discord.ButtonStyle = discord.ButtonStyle.secondary, emoji: str | None = None,
                 row: int | None = None) -> None:
        super().__init__(discord.ui.Button(label=label, style=style, emoji=emoji, row=row,
                                           custom_id=f"podium:{action}:{stage_id}"))
        self.action, self.stage_id = action, stage_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> BoardButton:
        return cls(match["action"], match["stage"])

    async def callback(self, interaction: discord.Interaction) -> None:
        ctx = context_of(interaction)
        await respond(ctx, interaction, lambda: _pressed(ctx, interaction, self.action, self.stage_id),
                      what=f"button {self.action}")


class QueuePicker(discord.ui.DynamicItem[discord.ui.Select[Any]],
                  template=r"podium:pick:(?P<action>approve|deny):(?P<stage>[\w-]+)"):
    def __init__(self, action: str, stage_id: str, options: list[discord.SelectOption] | None = None,
                 placeholder: str | None = None) -> None:
        super().__init__(discord.ui.Select(custom_id=f"podium:pick:{action}:{stage_id}", placeholder=placeholder,
                                           options=options or [discord.SelectOption(label="-", value="-")]))
        self.action, self.stage_id = action, stage_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> QueuePicker:
        return cls(match["action"], match["stage"])

    async def callback(self, interaction: discord.Interaction) -> None:
        ctx = context_of(interaction)
        data: dict[str, Any] = dict(interaction.data or {})
        values = [str(value) for value in data.get("values") or []]
        await respond(ctx, interaction, lambda: _picked(ctx, interaction, self.action, self.stage_id, values),
                      what=f"pick {self.action}")


async def _pressed(ctx: Context, interaction: discord.Interaction, action: str, stage_id: str) -> Outcome:
    target = await target_of_stage(ctx, interaction, stage_id)
    stage, actor = target.stage_id, target.actor
    match action:
        case "raise":
            return await run(ctx, interaction, target, c.RaiseHand(actor=actor, stage_id=stage))
        case "lower":
            return await run(ctx, interaction, target, c.LowerHand(actor=actor, stage_id=stage))
        case "next":
            return await run(ctx, interaction, target, c.ApproveNext(actor=actor, stage_id=stage))
    await ctx.app.queries.require_moderator(stage, actor)
    board = await ctx.app.queries.heading(stage, lines=PICK_LIMIT)
    if not board.queue:
        raise QueueEmpty()
    guild = interaction.guild
    options = [discord.SelectOption(label=f"#{line.position} {display_name(guild, line.user_id)}"[:100],
                                    value=line.user_id, description=line.note[:100] or None)
               for line in board.queue]

    def shown(locale: str) -> dict[str, Any]:
        placeholder = say(Message.of(N_("Give the floor to…") if action == "approve" else N_("Lower the hand of…")),
                          locale)
        view = discord.ui.View(timeout=None)
        view.add_item(QueuePicker(action, stage, options, placeholder=placeholder))
        return {"view": view}

    return shown


async def _picked(ctx: Context, interaction: discord.Interaction, action: str, stage_id: str,
                  values: list[str]) -> Outcome:
    target = await target_of_stage(ctx, interaction, stage_id)
    if len(values) != 1:  # the menu takes exactly one; anything else was not sent by it
        raise Unreadable()
    kind = c.ApproveSpeaker if action == "approve" else c.DenyHand
    user_id = await known_member(target.channel.guild, values[0])
    return await run(ctx, interaction, target, kind(actor=target.actor, stage_id=target.stage_id, user_id=user_id))
