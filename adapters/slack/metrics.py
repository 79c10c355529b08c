"""Every Web API answer counted by method and status (429s too): slack_sdk shows each response, retried or
not, to its retry handlers in order, so a first one that never retries sees them all."""

from __future__ import annotations

from typing import Any

from slack_sdk.http_retry.async_handler import AsyncRetryHandler

from bot.metrics import Metrics


class CountingHandler(AsyncRetryHandler):
    def __init__(self, metrics: Metrics) -> None:
        super().__init__(max_retry_count=0)
        self.metrics = metrics

    async def can_retry_async(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
        if response is not None:
            method = str(request.url).rstrip("/").rsplit("/", 1)[-1].split("?")[0]
            self.metrics.platform_call("slack", method, int(response.status_code))
        return False
