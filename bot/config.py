"""Settings read from the environment and `.env`. Build one with `Settings()`; nothing is read at import.

The core's settings know no platform: each adapter reads its own (DISCORD_*, SLACK_*) with a class of its own
derived from `EnvSettings`, from the same environment and `.env`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Self

import difflib
from abc import abstractmethod
from enum import StrEnum

from pydantic import (BaseModel, BeforeValidator, Field, PrivateAttr, SecretStr, ValidationError, ValidationInfo,
                      field_validator, model_validator)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.errors import InvalidRule
from bot.domain.rules import HandMode, QueueMode, Rules, parse_rule
from bot.i18n.catalog import render
from bot.startup import SettingError, database_url, refuse_placeholder


_D = Rules()


class RuleDefaults(BaseModel):
    """Every stage starts with these rules; moderators change them per stage. A value is read exactly as
    `/stage rules` reads it (bot.domain.rules.parse_rule: same forms such as `2m`, same bounds)."""

    max_speakers: int = _D.max_speakers
    speaking_time_limit: int = Field(_D.speaking_time_limit, description="seconds; 0 means no limit")
    warn_before: int = _D.warn_before
    hand_mode: HandMode = _D.hand_mode
    hand_roles: tuple[str, ...] = _D.hand_roles
    queue_mode: QueueMode = _D.queue_mode
    auto_approve: tuple[str, ...] = _D.auto_approve
    hand_cooldown: int = _D.hand_cooldown
    max_queue_length: int = _D.max_queue_length
    grace_period: int = _D.grace_period
    must_be_present: bool = _D.must_be_present
    cues: bool = _D.cues
    record: bool = _D.record
    idle_close: int = Field(_D.idle_close, description="seconds; 0 means never")

    _adjusted: list[str] = PrivateAttr(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        parsed: dict[str, Any] = {}
        for key, raw in data.items():
            name = str(key).lower()
            variable = f"RULES__{name.upper()}"
            if name not in Rules.names():
                close = difflib.get_close_matches(name, Rules.names(), n=1, cutoff=0.6)
                hint = f" (did you mean RULES__{close[0].upper()}?)" if close else ""
                raise SettingError(variable, raw, f"is not a rule{hint}",
                                   "one of " + ", ".join(f"RULES__{n.upper()}" for n in Rules.names()))
            try:
                parsed[name] = parse_rule(name, _as_text(raw))
            except InvalidRule as error:
                raise SettingError(variable, raw, "is not accepted",
                                   render(error.params["expected"], "en")) from None
        return parsed

    @model_validator(mode="after")
    def _consistent(self) -> RuleDefaults:
        limit, warn = self.speaking_time_limit, self.warn_before
        if limit and warn >= limit:
            if "warn_before" in self.model_fields_set:
                raise SettingError(
                    "RULES__WARN_BEFORE", warn, f"is not below RULES__SPEAKING_TIME_LIMIT={limit}",
                    f"RULES__WARN_BEFORE below {limit} (e.g. RULES__WARN_BEFORE={limit // 2}) or a longer limit")
            self.warn_before = limit // 2
            self._adjusted.append(
                f"RULES__WARN_BEFORE: the default {warn} s is not below RULES__SPEAKING_TIME_LIMIT={limit}; "
                f"speakers are warned {limit // 2} s before the end (set RULES__WARN_BEFORE to choose)")
        if self.hand_mode is HandMode.ROLE and not self.hand_roles:
            raise SettingError("RULES__HAND_MODE", "role", "needs RULES__HAND_ROLES, which is empty",
                               "RULES__HAND_ROLES=role1,role2 or another RULES__HAND_MODE")
        return self

    @property
    def adjusted(self) -> list[str]:
        """What was changed from a default that conflicted with a set value, for the start-up log."""
        return list(self._adjusted)

    def to_rules(self) -> Rules:
        rules = Rules(**{name: getattr(self, name) for name in Rules.names()})
        rules.check()
        return rules


def _as_text(raw: Any) -> str:
    """Values given in code or JSON (tests, `RULES='{...}'`) are read like the text of an env file."""
    if isinstance(raw, bool):
        return "on" if raw else "off"
    if isinstance(raw, (list, tuple)):
        return ",".join(map(str, raw))
    if isinstance(raw, StrEnum):
        return raw.value
    return str(raw)


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
            if isinstance(secret, SecretStr):
                refuse_placeholder(self.env_name(name), secret)
        return self


class PlatformSettings(EnvSettings):
    """A platform adapter's own settings (adapters/<name>/settings.py), from the same environment and `.env`:
    whether they ask `podium run` to serve the platform (its token is set)."""

    @property
    @abstractmethod
    def enabled(self) -> bool:
        """Each platform says what turns it on; pydantic's metaclass is an ABCMeta, so one that forgets cannot be
        built at all."""


class Settings(EnvSettings):
    model_config = SettingsConfigDict(env_nested_delimiter="__")

    database_url: str | None = Field(None, description="SQLAlchemy URL; empty means SQLite at SQLITE_PATH")
    sqlite_path: Path = Path("data/podium.db")
    instance_name: str = Field("", max_length=60, description=(
        "this process among several on one database; empty means the host name. A restarted process takes "
        "back at once the platform work it left undelivered, another process's after a minute"))
    default_locale: str = "en"
    default_timezone: str = "UTC"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["text", "json"] = Field("text", description="json: one JSON object a line")
    metrics_port: int | None = Field(None, ge=1, le=65535, description="/healthz, /readyz and /metrics")
    metrics_host: str = "127.0.0.1"
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
    replay_s3_bucket: str = Field("", max_length=63, description="keep replays in this S3-compatible bucket; "
                                  "empty: in REPLAY_DIR")
    replay_s3_prefix: str = Field("replays/", max_length=200, description="the replays' keys start with this")
    replay_s3_endpoint_url: str = Field("", description="another S3-compatible service (MinIO...); empty: AWS")
    replay_s3_region: str = Field("", description="the bucket's region; empty: boto3's (AWS_DEFAULT_REGION)")
    replay_s3_access_key_id: str = Field("", description="empty: boto3's chain (AWS_* variables, the role)")
    replay_s3_secret_access_key: SecretStr | None = None

    # Badges and regulars: what each asks by default; a space's moderators change them with /badges.
    badge_first_stage: int = Field(1, ge=1, le=100_000, description="times on stage for the first-stage badge")
    badge_attended: int = Field(10, ge=1, le=100_000, description="stages attended for the listener badge")
    badge_minutes_spoken: int = Field(60, ge=1, le=100_000, description="minutes spoken for the speaker badge")
    badge_hosted: int = Field(5, ge=1, le=100_000, description="stages hosted for the host badge")
    regular_stages: int = Field(5, ge=1, le=100_000, description="stages attended in 30 days to be a regular")

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _case(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str):
            return value
        known = value.strip().upper() if info.field_name == "log_level" else value.strip().lower()
        return known if known in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "text", "json"} else value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value is not None:
            database_url(value)  # refuses what cannot work; the admin's own spelling is kept for messages
        return value

    @model_validator(mode="after")
    def _bucket_keys(self) -> Self:
        given = (bool(self.replay_s3_access_key_id), self.replay_s3_secret_access_key is not None)
        if given == (True, False):
            raise SettingError("REPLAY_S3_SECRET_ACCESS_KEY", None, "is empty while REPLAY_S3_ACCESS_KEY_ID is set",
                               "both, or neither (boto3 then reads AWS_* or the instance's role)")
        if given == (False, True):
            raise SettingError("REPLAY_S3_ACCESS_KEY_ID", "", "is empty while REPLAY_S3_SECRET_ACCESS_KEY is set",
                               "both, or neither (boto3 then reads AWS_* or the instance's role)")
        return self

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        from bot.i18n.catalog import LOCALES

        if value not in LOCALES:
            raise ValueError(f"one of {', '.join(LOCALES)}")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("an IANA time zone such as UTC or Europe/Paris") from None
        return value

    @property
    def notes(self) -> list[str]:
        """Defaults adjusted at load, to be logged once logging is set up."""
        return self.rules.adjusted

    @property
    def resolved_database_url(self) -> str:
        return database_url(self.database_url) if self.database_url else f"sqlite:///{self.sqlite_path}"

    @property
    def default_rules(self) -> Rules:
        return self.rules.to_rules()


def problems(error: ValidationError) -> list[str]:
    """What is wrong with the settings, a line each, for the operator (the command line prints them)."""
    return [f"configuration: {'.'.join(map(str, problem['loc'])) or 'settings'}: {problem['msg']}"
            for problem in error.errors()]
