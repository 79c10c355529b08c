"""`podium discord …`: register the application commands, print the invitation. discord.py is imported only
inside the commands, so `podium --help` stays light."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Annotated, Any, TypeVar

import typer

from adapters.discord.settings import DiscordSettings

T = TypeVar("T")

discord_app = typer.Typer(help="Discord: register the commands, invite the bot.", no_args_is_help=True)


def _discord_settings() -> DiscordSettings:
    from bot.launch import core_settings, fail
    from bot.startup import StartupError, load

    core_settings(one_shot=True)  # the core's settings are checked (and logging set up) as for any command
    try:
        settings: DiscordSettings = load(DiscordSettings)
    except StartupError as error:
        fail(error)
    if settings.token is None:
        fail(StartupError("DISCORD_TOKEN", None, "is not set", "the bot token of your Discord application"))
    return settings


def _run(work: Coroutine[Any, Any, T]) -> T:
    from bot.launch import fail
    from bot.startup import StartupError

    try:
        return asyncio.run(work)
    except StartupError as error:
        fail(error, error.__cause__)


async def register(settings: DiscordSettings, guild_id: int | None = None) -> list[str]:
    """Registers every Podium command (with their French names) globally, or in one server at once."""
    import discord
    from discord import app_commands

    from adapters.discord.commands_floor import install
    from adapters.discord.endpoints import pointed_at
    from adapters.discord.startup import reported
    from adapters.discord.translator import CatalogueTranslator

    assert settings.token is not None
    with reported(settings), pointed_at(settings.api_base, settings.gateway_url):
        async with discord.Client(intents=discord.Intents.none()) as client:
            tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
            install(tree)
            await client.login(settings.token.get_secret_value())
            await tree.set_translator(CatalogueTranslator())
            if guild_id is None:
                synced = await tree.sync()
            else:
                guild = discord.Object(id=guild_id)
                tree.copy_global_to(guild=guild)
                synced = await tree.sync(guild=guild)
    return sorted(command.name for command in synced)


async def application_id(settings: DiscordSettings) -> int:
    import discord

    from adapters.discord.endpoints import pointed_at
    from adapters.discord.startup import reported

    assert settings.token is not None
    with reported(settings), pointed_at(settings.api_base, settings.gateway_url):
        async with discord.Client(intents=discord.Intents.none()) as client:
            await client.login(settings.token.get_secret_value())
            assert client.application_id is not None
            return client.application_id


@discord_app.command("sync")
def sync(guild: Annotated[int | None, typer.Option(
        help="Register in this server only (visible at once); without it, globally.")] = None) -> None:
    """Register Podium's application commands with Discord."""
    names = _run(register(_discord_settings(), guild))
    where = f"in server {guild}" if guild is not None else "globally"
    typer.echo(f"registered {len(names)} commands {where}: {', '.join('/' + name for name in names)}")


@discord_app.command("invite-url")
def invite_url(client_id: Annotated[int | None, typer.Option(
        help="The application id; asked of Discord with DISCORD_TOKEN when left out.")] = None) -> None:
    """Print the link that adds the bot to a server, with exactly the permissions it needs."""
    from adapters.discord.invite import invite_url as url

    typer.echo(url(client_id if client_id is not None else _run(application_id(_discord_settings()))))
