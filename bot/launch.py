"""What every `podium` command does first: read the core's settings (or say in three lines what is wrong and
exit 2), then set up logging. Adapters' commands use it too, so it lives below the command line."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from pydantic_settings import BaseSettings

from bot import startup
from bot.config import Settings
from bot.logs import configure as configure_logging
from bot.startup import EXIT_CODE, SettingError, StartupError, check_keys, load


def debugging() -> bool:
    """Tracebacks are for LOG_LEVEL=DEBUG; read raw, since the settings may be what failed."""
    from dotenv import dotenv_values

    level = os.environ.get("LOG_LEVEL") or dotenv_values(".env").get("LOG_LEVEL") or ""
    return level.strip().upper() == "DEBUG"


def fail(error: StartupError, cause: BaseException | None = None) -> NoReturn:
    for line in error.lines():
        print(line, file=sys.stderr)
    if debugging():
        import traceback

        traceback.print_exception(cause or error)
    raise SystemExit(EXIT_CODE)


def core_settings(database_url: str | None = None, *, one_shot: bool = False,
                  classes: Sequence[type[BaseSettings]] = ()) -> Settings:
    """The settings, or the admin's three lines and exit status 2. A one-shot command (db, discord, doctor)
    logs warnings and worse only, unless LOG_LEVEL=DEBUG: its own output is the answer."""
    from dotenv import dotenv_values

    try:
        env_file = Path(".env")
        if classes:  # every key of the environment and `.env` must belong to one of them
            check_keys(classes, dotenv=dotenv_values(env_file) if env_file.is_file() else {})
        settings: Settings = load(Settings)
        if database_url:
            startup.database_url(database_url)
            settings = settings.model_copy(update={"database_url": database_url})
    except StartupError as error:
        fail(error)
    except SettingError as error:  # the --database-url option
        fail(StartupError("--database-url", error.value, error.problem, error.expected))
    level = settings.log_level
    if one_shot and level != "DEBUG":
        level = "ERROR" if level in {"ERROR", "CRITICAL"} else "WARNING"
        logging.getLogger("discord").setLevel(logging.ERROR)  # discord.py's intent notices are no news here
    configure_logging(level, settings.log_format)
    for note in settings.notes:
        logging.getLogger("bot.config").warning("%s", note)
    return settings


