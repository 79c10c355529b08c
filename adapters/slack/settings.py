"""The Slack adapter's settings: SLACK_*, from the environment and `.env` (the same file as the core's).
Build one with `SlackSettings()`; nothing is read at import."""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from bot.config import CommaList, PlatformSettings
from bot.startup import SettingError


class SlackSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="SLACK_")

    bot_token: SecretStr | None = Field(None, description="xoxb-...; the adapter starts when it is set")
    signing_secret: SecretStr | None = Field(None, description="HTTP mode: checks Slack's signed requests")
    app_token: SecretStr | None = Field(None, description="Socket Mode instead of HTTP: xapp-...")
    api_url: str = "https://slack.com/api/"
    port: int = Field(3000, ge=1, le=65535)
    path: str = "/slack/events"
    moderators: CommaList = []
    # Direct messages to a stage's followers, per second. chat.postMessage allows about one message a second per
    # conversation (each follower's is their own) under a workspace-wide limit Slack does not publish: 5 a
    # second (300 a minute) stays well inside what apps observe.
    dm_rate: float = Field(5.0, gt=0, le=1000)

    @model_validator(mode="after")
    def _a_way_in(self) -> Self:
        if self.bot_token and not (self.signing_secret or self.app_token):
            raise SettingError("SLACK_BOT_TOKEN", self.bot_token, "is set alone",
                               "SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode) beside it")
        return self

    @property
    def enabled(self) -> bool:
        return self.bot_token is not None
