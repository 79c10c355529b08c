"""`podium discord …`: register the application commands, print the invitation. discord.py is imported only
inside the commands, so `podium --help` stays light."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from pydantic import ValidationError

from adapters.discord.settings import DiscordSettings
from bot.config import problems

discord_app = typer.Typer(help="Discord: register the commands, invite the bot.", no_args_is_help=True)


def _discord_settings() -> DiscordSettings:
    try:
        settings = DiscordSettings()
    except ValidationError as error:
        for line in problems(error):
            typer.echo(line, err=True)
        raise typer.Exit(2) from None
    if settings.token is None:
        typer.echo("configuration: DISCORD_TOKEN is not set", err=True)
        raise typer.Exit(2)
    return settings


async def register(settings: DiscordSettings, guild_id: int | None = None) -> list[str]:
    """Registers every Podium command (with their French names) globally, or in one server at once."""
    import discord
    from discord import app_commands

    from adapters.discord.commands_floor import install
    from adapters.discord.endpoints import pointed_at
    from adapters.discord.translator import CatalogueTranslator

    assert settings.token is not None
    with pointed_at(settings.api_base, settings.gateway_url):
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

    assert settings.token is not None
    with pointed_at(settings.api_base, settings.gateway_url):
        async with discord.Client(intents=discord.Intents.none()) as client:
            await client.login(settings.token.get_secret_value())
            assert client.application_id is not None
            return client.application_id


@discord_app.command("sync")
def sync(guild: Annotated[int | None, typer.Option(
        help="Register in this server only (visible at once); without it, globally.")] = None) -> None:
    """Register Podium's application commands with Discord."""
    names = asyncio.run(register(_discord_settings(), guild))
    where = f"in server {guild}" if guild is not None else "globally"
    typer.echo(f"registered {len(names)} commands {where}: {', '.join('/' + name for name in names)}")


@discord_app.command("invite-url")
def invite_url(client_id: Annotated[int | None, typer.Option(
        help="The application id; asked of Discord with DISCORD_TOKEN when left out.")] = None) -> None:
    """Print the link that adds the bot to a server, with exactly the permissions it needs."""
    from adapters.discord.invite import invite_url as url

    typer.echo(url(client_id if client_id is not None else asyncio.run(application_id(_discord_settings()))))
