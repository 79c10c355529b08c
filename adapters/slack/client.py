"""The Web API client: Slack's address from the settings, and Slack's 429s and hiccups waited out.

A post is not retried here after a 5xx or a lost connection: Slack may have made it before failing, and a
plain retry would show it twice. The outbox retries it instead, looking first whether it went out
(posting.py). A 429 is always retried: Slack did nothing.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.metrics import CountingHandler
from adapters.slack.settings import SlackSettings
from bot.metrics import Metrics


_POSTS = ("chat.postMessage",)


def _not_posts(handler: Any) -> Any:
    """The same retry handler, declining to repeat a post."""
    class NotPosts(type(handler)):  # type: ignore[misc]
        async def _can_retry_async(self, *, request: Any, **rest: Any) -> bool:
            if request.url.rstrip("/").endswith(_POSTS):
                return False
            return bool(await super()._can_retry_async(request=request, **rest))

    copy = NotPosts.__new__(NotPosts)
    copy.__dict__.update(handler.__dict__)
    return copy


def web_client(settings: SlackSettings, *, rate_limit_retries: int = 10, metrics: Metrics | None = None
               ) -> AsyncWebClient:
    """A 429 is retried after its `Retry-After` (up to `rate_limit_retries` times): nothing is dropped."""
    token = settings.bot_token.get_secret_value() if settings.bot_token else None
    counting = [CountingHandler(metrics)] if metrics is not None else []
    return AsyncWebClient(token=token, base_url=settings.api_url.rstrip("/") + "/", timeout=30, retry_handlers=[
        *counting,
        AsyncRateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
        _not_posts(AsyncServerErrorRetryHandler(max_retry_count=2)),
        _not_posts(AsyncConnectionErrorRetryHandler(max_retry_count=2)),
    ])
