"""`podium run`: the core and every configured adapter in one asyncio process."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable

from bot.bootstrap import App, build
from bot.config import Settings
from bot.startup import StartupError

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
        raise StartupError("DISCORD_TOKEN", None, "and SLACK_BOT_TOKEN are both empty: no platform to serve",
                           "one of them set (or try `podium console`, which needs none)")
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
        refused = [t.exception() for t in failed if isinstance(t.exception(), StartupError)]
        for task in failed:
            if not isinstance(task.exception(), StartupError):
                log.error("%s stopped: %s", task.get_name(), task.exception() or "")
        stop.set()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
        if refused:  # a setting the platform refused: the admin's three lines, exit status 2 (bot.cli)
            raise refused[0]  # type: ignore[misc]
        return 1 if failed else 0
    finally:
        await app.stop()
