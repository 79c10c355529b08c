"""Every REST call discord.py makes, counted by route and status (429s too), through aiohttp's tracing."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import aiohttp
import discord.http

from bot.metrics import Metrics


def trace(metrics: Metrics) -> aiohttp.TraceConfig:
    config = aiohttp.TraceConfig()

    async def ended(_: aiohttp.ClientSession, __: SimpleNamespace, params: Any) -> None:
        base = discord.http.Route.BASE.rstrip("/")
        url = str(params.url).split("?")[0]
        route = url[len(base):] if url.startswith(base) else params.url.path
        metrics.platform_call("discord", f"{params.method} {route}", params.response.status)

    config.on_request_end.append(ended)
    return config
