"""The platforms Podium can serve, and the one line each takes to wire in.

Adding a platform touches its package under adapters/ (settings.py with a settings class that says whether
the platform is `enabled`, service.py with `serve`, cli.py with its `podium <name> …` commands, and its tables
if it keeps any), its fake under tests/fakes/, and one line in PLATFORMS. Everything is named by
"module:attribute" and imported only when used, so `podium --help` does not load discord.py or slack-bolt.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from bot.config import PlatformSettings

if TYPE_CHECKING:
    import typer

    from bot.bootstrap import App


Serve = Callable[["App", Any, asyncio.Event], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Platform:
    name: str
    settings: str  # a PlatformSettings class (bot/config.py): `enabled` when its token is set
    serve: str  # async serve(app, settings, stop): serves until stop is set
    commands: str  # a Typer app: `podium <name> …`
    doctor: str  # async checks(own settings, core settings, **options) -> list[bot.doctor.Check]
    tables: str | None = None  # a module declaring SQLModel tables (migrated by Alembic, see migrations/env.py)

    def settings_class(self) -> type[PlatformSettings]:
        return cast("type[PlatformSettings]", _load(self.settings))

    def read_settings(self) -> PlatformSettings:
        """The platform's settings from the environment and `.env` (pydantic's ValidationError if wrong)."""
        return self.settings_class()()

    def server(self) -> Serve:
        return cast(Serve, _load(self.serve))

    def typer_app(self) -> typer.Typer:
        return cast("typer.Typer", _load(self.commands))

    def doctor_checks(self) -> Callable[..., Awaitable[list[Any]]]:
        return cast("Callable[..., Awaitable[list[Any]]]", _load(self.doctor))


PLATFORMS: tuple[Platform, ...] = (
    Platform("discord", "adapters.discord.settings:DiscordSettings", "adapters.discord.service:serve",
             "adapters.discord.cli:discord_app", "adapters.discord.doctor:checks"),
    Platform("slack", "adapters.slack.settings:SlackSettings", "adapters.slack.service:serve",
             "adapters.slack.cli:slack_app", "adapters.slack.doctor:checks", tables="adapters.slack.tables"),
)


def read_settings() -> dict[str, PlatformSettings]:
    """Every platform's settings, by name (pydantic's ValidationError for the first that is wrong)."""
    return {platform.name: platform.read_settings() for platform in PLATFORMS}


def load_tables() -> None:
    """Imports every platform's tables, so they are on SQLModel.metadata next to the core's."""
    for platform in PLATFORMS:
        if platform.tables is not None:
            importlib.import_module(platform.tables)


def _load(reference: str) -> object:
    module, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module), attribute)
