"""`podium run`: the core and every configured adapter in one asyncio process."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Mapping

from adapters.platforms import PLATFORMS, PlatformSettings, Serve
from bot.bootstrap import build
from bot.config import Settings

log = logging.getLogger(__name__)


def configured(found: Mapping[str, PlatformSettings]) -> dict[str, tuple[Serve, PlatformSettings]]:
    """The platforms whose settings ask for them (a token set), each with how it serves and its settings."""
    return {platform.name: (platform.server(), found[platform.name])
            for platform in PLATFORMS if platform.name in found and found[platform.name].enabled}


async def run(settings: Settings, platforms: Mapping[str, PlatformSettings]) -> int:
    """Serves every configured platform (``platforms``: their settings by name, see adapters.platforms)."""
    adapters = configured(platforms)
    if not adapters:
        log.error("no adapter is configured: set DISCORD_TOKEN and/or SLACK_BOT_TOKEN (or try `podium console`)")
        return 2
    app = build(settings)
    await app.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tasks = {name: asyncio.create_task(serve(app, own, stop), name=f"adapter:{name}")
             for name, (serve, own) in adapters.items()}
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
