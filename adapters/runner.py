"""`podium run`: the core and every configured adapter in one asyncio process."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable

from bot.bootstrap import App, build
from bot.config import Settings

log = logging.getLogger(__name__)

Serve = Callable[[App, Settings, asyncio.Event], Awaitable[None]]


def configured(settings: Settings) -> dict[str, Serve]:
    """The adapters whose settings are present; each serves until the stop event is set."""
    adapters: dict[str, Serve] = {}
    if settings.discord_token is not None:
        from adapters.discord.service import serve as serve_discord

        adapters["discord"] = serve_discord
    if settings.slack_bot_token is not None:
        from adapters.slack.service import serve as serve_slack

        adapters["slack"] = serve_slack
    return adapters


async def run(settings: Settings) -> int:
    adapters = configured(settings)
    if not adapters:
        log.error("no adapter is configured: set DISCORD_TOKEN and/or SLACK_BOT_TOKEN (or try `podium console`)")
        return 2
    app = build(settings)
    await app.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tasks = {name: asyncio.create_task(serve(app, settings, stop), name=f"adapter:{name}")
             for name, serve in adapters.items()}
    log.info("podium running with %s", ", ".join(tasks))
    try:
        done, _ = await asyncio.wait([*tasks.values(), asyncio.create_task(stop.wait())],
                                     return_when=asyncio.FIRST_COMPLETED)
        failed = [t for t in done if t in tasks.values() and t.exception() is not None]
        for task in failed:
            log.error("%s stopped: %s", task.get_name(), task.exception() or "")
        stop.set()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
        return 1 if failed else 0
    finally:
        await app.stop()
