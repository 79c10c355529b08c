"""The Discord adapter's settings: DISCORD_* and the voice cues' CUE_*_WAV, from the environment and `.env`
(the same file as the core's). Build one with `DiscordSettings()`; nothing is read at import."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from bot.config import CommaList, PlatformSettings


class DiscordSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="DISCORD_", populate_by_name=True)

    token: SecretStr | None = Field(None, description="the bot token; the adapter starts when it is set")
    api_base: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg/"
    moderator_roles: CommaList = []
    # Voice cues (RULES__CUES): a WAV file (48 kHz 16-bit) replaces a built-in sound; empty keeps it.
    # Their names predate the adapter's own settings and stay as they were.
    cue_opened_wav: Path | None = Field(None, validation_alias="CUE_OPENED_WAV")
    cue_floor_wav: Path | None = Field(None, validation_alias="CUE_FLOOR_WAV")
    cue_warning_wav: Path | None = Field(None, validation_alias="CUE_WARNING_WAV")
    cue_time_up_wav: Path | None = Field(None, validation_alias="CUE_TIME_UP_WAV")

    @property
    def enabled(self) -> bool:
        return self.token is not None
