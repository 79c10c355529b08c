"""Discord's application commands, made from the core's table: names, descriptions, options, choices,
localizations (through the catalogues) and autocomplete hooks. Nothing here names a command by hand.

Each row becomes `/group sub` (or `/name` for a one-word row); Discord adds two options of its own: `stage`
(the stage, when the member is not in its chat) on rows about a live stage, and `channel` (a stage channel)
on rows that create something in a channel.
"""

from __future__ import annotations

import inspect
from typing import Any

import discord
from discord import app_commands

from adapters.discord import autocomplete
from adapters.discord.commands_run import run_row
from adapters.discord.translator import T
from bot.i18n.markers import N_
from bot.i18n.message import Message
from bot.i18n.terms import term
from bot.surface.rows import Kind, Option, Row, Scope
from bot.surface.table import GROUPS, TABLE

STAGE = Option("stage", Kind.TEXT, N_("The stage, when you are not in its chat."), N_("stage"), suggest="stages")
CHANNEL = Option("channel", Kind.TEXT, N_("The stage channel, when you are not in its chat."), N_("channel"))
CREATES_IN_CHANNEL = {"stage open", "stage schedule"}
SUGGEST: dict[str, Any] = {  # autocomplete callbacks, by the hook a row's option names
    "stages": autocomplete.stages, "queue": autocomplete.queued, "speakers": autocomplete.speakers,
    "series": autocomplete.series, "zones": autocomplete.timezones, "repeats": autocomplete.repeats,
    "occurrences": autocomplete.occurrences, "replays": autocomplete.replays,
}
VIEW = N_("view")
DESCRIPTION = 100  # characters Discord allows in a description


def commands() -> list[app_commands.Command[Any, ..., Any] | app_commands.Group]:
    """Every row of the table as an application command, grouped by its first words (`/stage replay delete`:
    a subcommand of the group `replay` in the group `stage`, as deep as Discord allows)."""
    groups: dict[tuple[str, ...], app_commands.Group] = {}
    made: list[app_commands.Command[Any, ..., Any] | app_commands.Group] = []
    grouped = {row.path[0] for row in TABLE if len(row.path) > 1}
    for row in TABLE:
        # A one-word command whose word also names a group (`/stats` beside `/stats hide`) is that group's
        # `view`: Discord cannot run a group itself.
        command = _command(row, VIEW if len(row.path) == 1 and row.path[0] in grouped else None)
        if len(row.path) == 1 and row.path[0] not in grouped:
            made.append(command)
            continue
        parent: app_commands.Group | None = None
        within = row.path[:-1] or row.path  # the groups it is in (a one-word `view`: its own word's)
        for depth in range(1, len(within) + 1):
            group = groups.get(within[:depth])
            if group is None:
                word = within[depth - 1]
                group = groups[within[:depth]] = app_commands.Group(
                    name=T(word), description=T(GROUPS[word]), parent=parent, guild_only=parent is None)
                if parent is None:  # a subgroup adds itself to its parent
                    made.append(group)
            parent = group
        assert parent is not None
        parent.add_command(command)
    return made


def extra_options(row: Row) -> tuple[Option, ...]:
    return ((STAGE,) if row.scope is Scope.STAGE else ()) + ((CHANNEL,) if row.name in CREATES_IN_CHANNEL else ())


def _command(row: Row, name: str | None = None) -> app_commands.Command[Any, ..., Any]:
    options = (*row.options, *extra_options(row))

    async def callback(interaction: discord.Interaction, **given: Any) -> None:
        await run_row(row, interaction, given)

    parameters = [inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                    annotation=discord.Interaction)]
    for option in sorted(options, key=lambda o: not o.required):
        parameters.append(inspect.Parameter(
            option.name, inspect.Parameter.KEYWORD_ONLY, annotation=_annotation(option),
            default=inspect.Parameter.empty if option.required else None))
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    callback.__name__ = row.path[-1]
    callback.__qualname__ = f"_command.<locals>.{row.path[-1]}"
    fn: Any = callback
    fn = app_commands.rename(**{o.name: T(o.name) for o in options})(fn)
    fn = app_commands.describe(**{o.name: T(o.help) for o in options})(fn)
    choices = {o.name: [app_commands.Choice(name=T(_word(choice)), value=choice) for choice in o.choices]
               for o in options if o.kind is Kind.CHOICE}
    if choices:
        fn = app_commands.choices(**choices)(fn)
    hooks = {o.name: SUGGEST[o.suggest] for o in options if o.suggest and o.kind is not Kind.CHOICE}
    if hooks:
        fn = app_commands.autocomplete(**hooks)(fn)
    command: app_commands.Command[Any, ..., Any] = app_commands.Command(
        name=T(name or row.path[-1]), description=T(row.help), callback=fn)
    if len(row.path) == 1 and name is None:
        command.guild_only = True
    return command


def _word(choice: str) -> str:
    """The catalogue's word for a choice (`members only` for members), so it reads in the member's language."""
    shown = term(choice)
    return shown.msgid if isinstance(shown, Message) else choice


def _annotation(option: Option) -> Any:
    match option.kind:
        case Kind.MEMBER if option.suggest is None:
            return discord.Member
        case Kind.NUMBER:
            return app_commands.Range[int, option.low, option.high]
        case Kind.FLAG:
            return bool
    if option is CHANNEL:
        return discord.StageChannel
    return str


def install(tree: app_commands.CommandTree[Any]) -> None:
    """Every Podium command, on the tree that `podium discord sync` registers and the bot answers."""
    for command in commands():
        tree.add_command(command)
