"""The Discord adapter's settings: DISCORD_* and the voice cues' CUE_*_WAV, from the environment and `.env`
(the same file as the core's). Build one with `DiscordSettings()`; nothing is read at import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, SecretStr, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from bot.config import CommaList, PlatformSettings
from bot.domain.badges import CATALOGUE

MAX_SHARDS = 4096  # far beyond what a bot in 10 million guilds needs (one shard per 1,000 to 2,500 guilds)


def shard_route(shard_id: int) -> str:
    return f"discord/{shard_id}"


def _shard_ids(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _badge_roles(value: object) -> object:
    """`first_stage=Speakers,top_speaker=1234567890`: a badge and the role (a name or an id) it grants."""
    if not isinstance(value, str):
        return value
    found: dict[str, str] = {}
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        badge, equals, role = (x.strip() for x in part.partition("="))
        if not equals or not role:
            raise ValueError(f"{part!r}: write BADGE=ROLE (a role's name or id), pairs separated by commas")
        found[badge.lower()] = role
    return found


class DiscordSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="DISCORD_", populate_by_name=True)

    token: SecretStr | None = Field(None, description="the bot token; the adapter starts when it is set")
    api_base: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg/"
    moderator_roles: CommaList = []
    # Sharding: SHARD_COUNT shards in all (`auto`: the count Discord recommends, every shard in this process);
    # SHARD_IDS: the shards this process serves (empty: all of them). Each process sees its shards' guilds only.
    shard_count: Literal["auto"] | Annotated[int, Field(ge=1, le=MAX_SHARDS)] | None = Field(
        None, validation_alias="SHARD_COUNT")
    shard_ids: Annotated[list[Annotated[int, Field(ge=0, lt=MAX_SHARDS)]], NoDecode,
                         BeforeValidator(_shard_ids)] = Field([], validation_alias="SHARD_IDS")
    # Discord's global limit for this bot (requests per second over every process); REDIS_URL lets the processes
    # share it exactly, otherwise each keeps to its shards' part of it.
    global_rate: int = Field(50, ge=1, le=100_000)
    # Direct messages to a stage's followers, per second (each is two requests: the DM channel, the message),
    # sent after the stages' own DMs: 10 a second keeps them at 40 % of the default global limit.
    dm_rate: float = Field(10.0, gt=0, le=1000)
    # Badges that grant a Discord role when earned (the bot needs Manage Roles and a role above those it gives).
    badge_roles: Annotated[dict[str, str], NoDecode, BeforeValidator(_badge_roles)] = Field(
        {}, validation_alias="BADGE_ROLES")
    redis_url: str | None = Field(None, validation_alias="REDIS_URL")
    # Voice cues (RULES__CUES): a WAV file (48 kHz 16-bit) replaces a built-in sound; empty keeps it.
    # Their names predate the adapter's own settings and stay as they were.
    cue_opened_wav: Path | None = Field(None, validation_alias="CUE_OPENED_WAV")
    cue_floor_wav: Path | None = Field(None, validation_alias="CUE_FLOOR_WAV")
    cue_warning_wav: Path | None = Field(None, validation_alias="CUE_WARNING_WAV")
    cue_time_up_wav: Path | None = Field(None, validation_alias="CUE_TIME_UP_WAV")

    @model_validator(mode="after")
    def _known_badges(self) -> DiscordSettings:
        unknown = sorted(set(self.badge_roles) - set(CATALOGUE))
        if unknown:
            raise ValueError(f"BADGE_ROLES names no badge {', '.join(unknown)}; the badges are {', '.join(CATALOGUE)}")
        return self

    @model_validator(mode="after")
    def _shards_fit(self) -> DiscordSettings:
        if self.shard_ids and not isinstance(self.shard_count, int):
            raise ValueError("SHARD_IDS needs SHARD_COUNT, the number of shards in all (e.g. SHARD_COUNT=4)")
        if isinstance(self.shard_count, int) and any(i >= self.shard_count for i in self.shard_ids):
            raise ValueError(f"SHARD_IDS must be below SHARD_COUNT ({self.shard_count}): shards count from 0")
        if len(set(self.shard_ids)) != len(self.shard_ids):
            raise ValueError("SHARD_IDS names a shard twice")
        return self

    @property
    def sharded(self) -> bool:
        return self.shard_count is not None

    @property
    def routes(self) -> frozenset[str]:
        """The shards this process serves, as outbox routes; empty when it serves them all."""
        if not isinstance(self.shard_count, int) or not self.shard_ids or len(self.shard_ids) == self.shard_count:
            return frozenset()
        return frozenset(shard_route(i) for i in self.shard_ids)

    def route(self, guild_id: str) -> str:
        """The shard Discord sends this guild's events to, as Discord routes them."""
        count = self.shard_count if isinstance(self.shard_count, int) else 1
        return shard_route((int(guild_id) >> 22) % count)

    @property
    def enabled(self) -> bool:
        return self.token is not None
