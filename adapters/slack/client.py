"""The Web API client: Slack's address from the settings, and Slack's 429s and hiccups waited out."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.metrics import CountingHandler
from adapters.slack.settings import SlackSettings
from bot.metrics import Metrics


def web_client(settings: SlackSettings, *, rate_limit_retries: int = 10, metrics: Metrics | None = None
               ) -> AsyncWebClient:
    """A 429 is retried after its `Retry-After` (up to `rate_limit_retries` times): nothing is dropped."""
    token = settings.bot_token.get_secret_value() if settings.bot_token else None
    counting = [CountingHandler(metrics)] if metrics is not None else []
    return AsyncWebClient(token=token, base_url=settings.api_url.rstrip("/") + "/", timeout=30, retry_handlers=[
        *counting,
        AsyncRateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
        AsyncServerErrorRetryHandler(max_retry_count=2),
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
    ])
