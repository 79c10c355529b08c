"""Settings read from the environment and `.env`. Build one with `Settings()`; nothing is read at import.

The core's settings know no platform: each adapter reads its own (DISCORD_*, SLACK_*) with a class of its own
derived from `EnvSettings`, from the same environment and `.env`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.rules import HandMode, QueueMode, Rules

_PLACEHOLDERS = {"changeme", "change-me", "xxx", "token", "secret", "your-token-here", "..."}


class RuleDefaults(BaseModel):
    """Every stage starts with these rules; moderators change them per stage."""

    max_speakers: int = Field(5, ge=1, le=100)
    speaking_time_limit: int = Field(0, ge=0, description="seconds; 0 means no limit")
    warn_before: int = Field(30, ge=0)
    hand_mode: HandMode = HandMode.EVERYONE
    hand_roles: tuple[str, ...] = ()
    queue_mode: QueueMode = QueueMode.FIFO
    auto_approve: tuple[str, ...] = ()
    hand_cooldown: int = Field(60, ge=0)
    max_queue_length: int = Field(500, ge=1)
    grace_period: int = Field(120, ge=0)
    must_be_present: bool = True
    cues: bool = False
    record: bool = False
    idle_close: int = Field(1800, ge=0, description="seconds; 0 means never")

    @field_validator("hand_roles", "auto_approve", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    def to_rules(self) -> Rules:
        rules = Rules(**self.model_dump())
        rules.check()
        return rules


def _split_list(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


# A comma-separated list in the environment (`A, B,C`), a list in code.
CommaList = Annotated[list[str], NoDecode, BeforeValidator(_split_list)]


class EnvSettings(BaseSettings):
    """What every settings class shares, the core's and each adapter's: read from the environment and `.env`
    (empty values count as unset), and a secret that still holds a placeholder is refused, by its name."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True,
    )

    @classmethod
    def env_name(cls, field: str) -> str:
        """The variable a field is read from (`token` of the Discord settings: DISCORD_TOKEN)."""
        alias = cls.model_fields[field].validation_alias
        if isinstance(alias, str):
            return alias.upper()
        return f"{cls.model_config.get('env_prefix', '')}{field}".upper()

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> Self:
        for name in type(self).model_fields:
            secret = getattr(self, name)
            if isinstance(secret, SecretStr) and secret.get_secret_value().strip().lower() in _PLACEHOLDERS:
                raise ValueError(f"{self.env_name(name)} still holds a placeholder; set the real value or leave it "
                                 "empty")
        return self


class Settings(EnvSettings):
    model_config = SettingsConfigDict(env_nested_delimiter="__")

    database_url: str | None = Field(None, description="SQLAlchemy URL; empty means SQLite at SQLITE_PATH")
    sqlite_path: Path = Path("data/podium.db")
    instance_name: str = Field("", max_length=60, description=(
        "this process among several on one database; empty means the host name. A restarted process takes "
        "back at once the platform work it left undelivered, another process's after a minute"))
    default_locale: str = "en"
    default_timezone: str = "UTC"
    log_level: str = "INFO"
    single_cpu: bool = Field(True, description="keep the bot's threads on one CPU (see bot/cpu.py)")
    rules: RuleDefaults = RuleDefaults()
    scheduler_misfire_grace: int = Field(
        300, ge=1, description="seconds; a job that comes due while the bot is down still runs this late")
    schedule_reminder_lead: int = Field(900, ge=0, description="seconds before a scheduled start; 0: none")
    schedule_reminder_grace: int = Field(600, ge=0, description="a reminder later than this is skipped")

    # Replays (Discord stages recorded with the speakers' consent): where they are kept, and for how long.
    replay_dir: Path = Path("data/replays")
    replay_retention_days: int = Field(30, ge=1, le=3650)
    replay_link_secret: SecretStr | None = Field(None, description="signs replay links; empty: links are off")
    replay_public_url: str = Field("", description="how members reach REPLAY_HTTP_PORT, e.g. https://podium.example")
    replay_http_port: int = Field(0, ge=0, le=65535, description="serves replays too big to attach; 0: off")

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        from bot.i18n.catalog import LOCALES

        if value not in LOCALES:
            raise ValueError(f"DEFAULT_LOCALE must be one of {', '.join(LOCALES)}")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"DEFAULT_TIMEZONE {value!r} is not a known time zone") from None
        return value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    @property
    def default_rules(self) -> Rules:
        return self.rules.to_rules()


def problems(error: ValidationError) -> list[str]:
    """What is wrong with the settings, a line each, for the operator (the command line prints them)."""
    return [f"configuration: {'.'.join(map(str, problem['loc'])) or 'settings'}: {problem['msg']}"
            for problem in error.errors()]
