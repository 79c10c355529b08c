"""The `podium` command line (Typer): run the bot, play it in a console, manage the database."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic_settings import BaseSettings

from adapters.platforms import PLATFORMS
from bot.config import PlatformSettings, Settings
from bot.logs import configure as configure_logging
from bot.launch import core_settings, fail
from bot.startup import SettingError, StartupError, check_keys, explain, load

app = typer.Typer(help="Podium: live audio stages with a fair hand queue.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
for _platform in PLATFORMS:  # `podium discord …`, `podium slack …`
    app.add_typer(_platform.typer_app(), name=_platform.name)


def settings_classes() -> list[type[BaseSettings]]:
    """Every settings class of the process, the core's and each platform's, so a misspelt key of any of them
    is caught."""
    return [Settings, *(platform.settings_class() for platform in PLATFORMS)]


def platform_settings() -> dict[str, PlatformSettings]:
    """Each platform's settings, or the admin's three lines and exit status 2."""
    try:
        return {platform.name: load(platform.settings_class()) for platform in PLATFORMS}
    except StartupError as error:
        fail(error)


@contextmanager
def reported(variable: str, value: str) -> Iterator[None]:
    """Failures at start (database, platform) become the admin's three lines and exit status 2."""
    try:
        yield
    except (typer.Exit, SystemExit, KeyboardInterrupt):
        raise
    except Exception as error:
        known = explain(error, variable=variable, value=value)
        if known is None:
            raise
        fail(known, error)


def database_setting(settings: Settings, override: str | None = None) -> tuple[str, str]:
    """Which setting an admin changes when the database fails, and its value."""
    if override:
        return "--database-url", override
    if settings.database_url:
        return "DATABASE_URL", settings.database_url
    return "SQLITE_PATH", str(settings.sqlite_path)


def _settings(database_url: str | None = None, *, one_shot: bool = False) -> Settings:
    """The core's settings, every key of the environment and `.env` checked against every settings class."""
    return core_settings(database_url, one_shot=one_shot, classes=settings_classes())


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

    from adapters.runner import run as run_adapters

    settings = _settings()
    platforms = platform_settings()
    with reported(*database_setting(settings)):
        raise typer.Exit(asyncio.run(run_adapters(_serving(settings), platforms)))


@app.command()
def doctor(slack_url: Annotated[str | None, typer.Option(
        help="Your Slack Request URL (HTTP mode): checked with a signed request, as Slack sends.")] = None) -> None:
    """Check the settings, the database and each configured platform: a ✓/✗ table, a fix for each ✗."""
    import asyncio

    from bot.doctor import Check, database_checks, failed, passed, table

    checks: list[Check] = []
    try:
        from dotenv import dotenv_values

        check_keys(settings_classes(), dotenv=dotenv_values(".env") if Path(".env").is_file() else {})
        settings: Settings = load(Settings)
        platforms = {platform.name: load(platform.settings_class()) for platform in PLATFORMS}
    except (StartupError, SettingError) as error:
        problem = error if isinstance(error, StartupError) else StartupError(
            error.variable, error.value, error.problem, error.expected)
        more = f" (also wrong: {', '.join(problem.more)})" if problem.more else ""
        checks.append(failed("settings", problem.lines()[0].removeprefix("podium: ") + more,
                             f"expected {problem.expected}"))
    else:
        configure_logging("DEBUG" if settings.log_level == "DEBUG" else "ERROR", settings.log_format)
        checks.append(passed("settings", "the environment and .env are valid"))
        checks += database_checks(settings, *database_setting(settings))
        checks += asyncio.run(_platform_checks(settings, platforms, slack_url=slack_url))
    for line in table(checks):
        typer.echo(line)
    failures = sum(check.ok is False for check in checks)
    typer.echo(f"{failures} problem{'s' if failures != 1 else ''} found" if failures else "all good")
    raise typer.Exit(1 if failures else 0)


async def _platform_checks(settings: Settings, platforms: dict[str, Any], **options: Any) -> list[Any]:
    checks: list[Any] = []
    for platform in PLATFORMS:
        checks += await platform.doctor_checks()(platforms[platform.name], settings, **options)
    return checks


DEMO_DATABASE = Path("data/demo.db")


@app.command()
def console(
    script: Annotated[Path | None, typer.Option(help="Run these commands instead of a prompt.",
                                                exists=True, dir_okay=False)] = None,
    database_url: Annotated[str | None, typer.Option(
        help=f"The console's database; default: SQLite at {DEMO_DATABASE}, never the bot's DATABASE_URL.")] = None,
    fresh: Annotated[bool, typer.Option("--fresh", help="Start from an empty demo database.")] = False,
) -> None:
    """Play a stage in the terminal as several members of a simulated space."""
    from adapters.console.main import fresh_start, run

    settings = _serving(_settings(database_url or f"sqlite:///{DEMO_DATABASE}"))
    if not settings.log_level.upper() == "DEBUG":
        logging.getLogger().setLevel(logging.WARNING)
    with reported(*database_setting(settings, database_url or f"sqlite:///{DEMO_DATABASE}")):
        if fresh:
            fresh_start(settings.resolved_database_url)
        raise typer.Exit(run(settings, script))


@db_app.command("upgrade")
def db_upgrade(database_url: Annotated[str | None, typer.Option(help="Overrides DATABASE_URL.")] = None) -> None:
    """Apply every migration the database lacks."""
    from bot.persistence import schema
    from bot.persistence.database import Database

    settings = _settings(database_url, one_shot=True)
    with reported(*database_setting(settings, database_url)):
        db = Database(settings.resolved_database_url)
        schema.upgrade(db)
        typer.echo(f"database at revision {schema.current(db)}")
        db.engine.dispose()


@db_app.command("current")
def db_current(database_url: Annotated[str | None, typer.Option(help="Overrides DATABASE_URL.")] = None) -> None:
    """Show the schema revision of the database and the newest one known."""
    from bot.persistence import schema
    from bot.persistence.database import Database

    settings = _settings(database_url, one_shot=True)
    with reported(*database_setting(settings, database_url)):
        db = Database(settings.resolved_database_url)
        typer.echo(f"database: {schema.current(db) or 'empty'}; newest: {schema.head()}")
        db.engine.dispose()


def main() -> None:
    app()
