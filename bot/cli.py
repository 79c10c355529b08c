"""The `podium` command line (Typer): run the bot, play it in a console, manage the database."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import ValidationError

from adapters.platforms import PLATFORMS
from bot.config import Settings, problems

T = TypeVar("T")

app = typer.Typer(help="Podium: live audio stages with a fair hand queue.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
for _platform in PLATFORMS:  # `podium discord …`, `podium slack …`
    app.add_typer(_platform.typer_app(), name=_platform.name)


def validated(read: Callable[[], T]) -> T:
    """Settings read from the environment and `.env`; what is wrong is told in a line each, then exit 2."""
    try:
        return read()
    except ValidationError as error:
        for line in problems(error):
            typer.echo(line, err=True)
        raise typer.Exit(2) from None


def _settings(database_url: str | None = None) -> Settings:
    settings = validated(Settings)
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return settings


def _serving(settings: Settings) -> Settings:
    """What a process that serves commands does before it starts: its threads go on one CPU."""
    if settings.single_cpu:
        from bot.cpu import keep_on_one_cpu

        logging.getLogger(__name__).debug("threads kept on CPU %s", keep_on_one_cpu())
    return settings


@app.command()
def run() -> None:
    """Run the bot: the Discord adapter when DISCORD_TOKEN is set, Slack when SLACK_BOT_TOKEN is set."""
    import asyncio

    from adapters.platforms import read_settings
    from adapters.runner import run as run_adapters

    settings = _settings()
    platforms = validated(read_settings)
    raise typer.Exit(asyncio.run(run_adapters(_serving(settings), platforms)))


@app.command()
def console(
    script: Annotated[Path | None, typer.Option(help="Run these commands instead of a prompt.",
                                                exists=True, dir_okay=False)] = None,
    database_url: Annotated[str | None, typer.Option(help="Overrides DATABASE_URL.")] = None,
) -> None:
    """Play a stage in the terminal as several members of a simulated space."""
    from adapters.console.main import run

    settings = _serving(_settings(database_url))
    if not settings.log_level.upper() == "DEBUG":
        logging.getLogger().setLevel(logging.WARNING)
    raise typer.Exit(run(settings, script))


@db_app.command("upgrade")
def db_upgrade(database_url: Annotated[str | None, typer.Option(help="Overrides DATABASE_URL.")] = None) -> None:
    """Apply every migration the database lacks."""
    from bot.persistence import schema
    from bot.persistence.database import Database

    settings = _settings(database_url)
    db = Database(settings.resolved_database_url)
    schema.upgrade(db)
    typer.echo(f"database at revision {schema.current(db)}")
    db.engine.dispose()


@db_app.command("current")
def db_current(database_url: Annotated[str | None, typer.Option(help="Overrides DATABASE_URL.")] = None) -> None:
    """Show the schema revision of the database and the newest one known."""
    from bot.persistence import schema
    from bot.persistence.database import Database

    settings = _settings(database_url)
    db = Database(settings.resolved_database_url)
    typer.echo(f"database: {schema.current(db) or 'empty'}; newest: {schema.head()}")
    db.engine.dispose()


def main() -> None:
    app()
