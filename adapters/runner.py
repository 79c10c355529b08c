"""`podium run`: the core and every configured adapter in one asyncio process."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Mapping
from typing import Any

from adapters.platforms import PLATFORMS, Serve
from bot.bootstrap import App, build
from bot.config import PlatformSettings, Settings
from bot.startup import StartupError

log = logging.getLogger(__name__)


def configured(found: Mapping[str, PlatformSettings]) -> dict[str, tuple[Serve, PlatformSettings]]:
    """The platforms whose settings ask for them (a token set), each with how it serves and its settings."""
    return {platform.name: (platform.server(), found[platform.name])
            for platform in PLATFORMS if platform.name in found and found[platform.name].enabled}


STOP_WITHIN = 8.0  # seconds for the adapters to finish in-flight work on SIGTERM; the whole stop stays under 10


async def run(settings: Settings, platforms: Mapping[str, PlatformSettings]) -> int:
    """Serves every configured platform (``platforms``: their settings by name, see adapters.platforms)."""
    adapters = configured(platforms)
    if not adapters:
        raise StartupError("DISCORD_TOKEN", None, "and SLACK_BOT_TOKEN are both empty: no platform to serve",
                           "one of them set (or try `podium console`, which needs none)")
    app = build(settings)
    await app.start()
    listener = None
    try:
        if settings.metrics_port is not None:
            listener = await _listen(app, adapters, settings)
        return await _serve(app, settings, adapters)
    finally:
        if listener is not None:
            await listener.cleanup()
        try:
            await asyncio.wait_for(app.stop(), 10.0 - STOP_WITHIN)
        except TimeoutError:
            log.warning("platform work still pending at stop; the next start repairs it")


async def _listen(app: App, adapters: dict[str, tuple[Serve, PlatformSettings]], settings: Settings) -> Any:
    from adapters.health import start

    assert settings.metrics_port is not None
    try:
        runner, _ = await start(app, adapters, host=settings.metrics_host, port=settings.metrics_port)
    except OSError as error:
        raise StartupError("METRICS_PORT", settings.metrics_port,
                           f"cannot be listened on ({os.strerror(error.errno or 0).lower()})",
                           "a free port, or leave METRICS_PORT empty") from error
    return runner


async def _serve(app: App, settings: Settings, adapters: dict[str, tuple[Serve, PlatformSettings]]) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tasks = {name: asyncio.create_task(serve(app, own, stop), name=f"adapter:{name}")
             for name, (serve, own) in adapters.items()}
    log.info("podium running with %s", ", ".join(tasks))
    done, _ = await asyncio.wait([*tasks.values(), asyncio.create_task(stop.wait())],
                                 return_when=asyncio.FIRST_COMPLETED)
    failed = [t for t in done if t in tasks.values() and t.exception() is not None]
    refused = [t.exception() for t in failed if isinstance(t.exception(), StartupError)]
    for task in failed:
        if not isinstance(task.exception(), StartupError):
            log.error("%s stopped: %s", task.get_name(), task.exception() or "")
    if stop.is_set():
        log.info("stopping: finishing in-flight commands and platform work (at most %.0f s)", STOP_WITHIN)
    stop.set()
    # Each adapter finishes what was committed, then disconnects (and leaves voice); one that hangs is cut.
    _, late = await asyncio.wait(tasks.values(), timeout=STOP_WITHIN)
    for task in late:
        log.warning("%s did not stop in %.0f s; cancelled", task.get_name(), STOP_WITHIN)
        task.cancel()
    await asyncio.gather(*tasks.values(), return_exceptions=True)
    if refused:  # a setting the platform refused: the admin's three lines, exit status 2 (bot.cli)
        raise refused[0]  # type: ignore[misc]
    return 1 if failed else 0
