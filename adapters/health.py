"""The operator's HTTP listener (METRICS_PORT): /healthz (the process answers), /readyz (database reachable,
every adapter connected, platform work not stuck) and /metrics (Prometheus text format)."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from collections.abc import Iterable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from bot.bootstrap import App

log = logging.getLogger(__name__)

STUCK_AFTER = 60.0  # seconds: platform work older than this means deliveries are not getting through
DB_TIMEOUT = 3.0


async def readiness(app: App, adapters: Iterable[str]) -> tuple[bool, dict[str, str]]:
    checks: dict[str, str] = {}
    ready = True
    stored: tuple[int, datetime | None] = (0, None)
    try:
        stored = await asyncio.wait_for(app.db.run(_outbox, app), DB_TIMEOUT)
        checks["database"] = "ok"
    except Exception as error:  # any failure here is the answer, not a crash of the listener
        ready, checks["database"] = False, f"unreachable: {type(error).__name__}"
    for name in adapters:
        probe = app.links.get(name)
        up = probe is not None and probe()
        checks[name] = "connected" if up else "not connected"
        ready = ready and up
    # Every platform effect is written to the outbox with its command's commit and deleted once the platform
    # acknowledged it: the oldest row left says whether deliveries get through.
    pending, since = stored
    oldest = max(0.0, (app.clock.now() - _aware(since)).total_seconds()) if since is not None else 0.0
    stuck = pending > 0 and oldest > STUCK_AFTER
    checks["outbox"] = f"{'stuck' if stuck else 'ok'}: {pending} pending, oldest {oldest:.0f} s"
    return ready and not stuck, checks


def _outbox(app: App) -> tuple[int, datetime | None]:
    with app.db.engine.connect() as conn:
        count, oldest = conn.execute(text("SELECT count(*), min(created_at) FROM outbox")).one()
    if isinstance(oldest, str):  # SQLite hands timestamps back as text
        oldest = datetime.fromisoformat(oldest)
    return int(count), oldest


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)



def make_app(app: App, adapters: Iterable[str]) -> web.Application:
    names = tuple(adapters)

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(_: web.Request) -> web.Response:
        ready, checks = await readiness(app, names)
        return web.Response(text=json.dumps({"ready": ready, "checks": checks}) + "\n",
                            status=200 if ready else 503, content_type="application/json")

    async def metrics(_: web.Request) -> web.Response:
        body = app.metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    web_app = web.Application()
    web_app.add_routes([web.get("/healthz", healthz), web.get("/readyz", readyz), web.get("/metrics", metrics)])
    return web_app


async def start(app: App, adapters: Iterable[str], *, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Starts the listener; returns its runner (to clean up) and the port (useful with port 0)."""
    runner = web.AppRunner(make_app(app, adapters), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1]
    log.info("health and metrics on http://%s:%d (/healthz, /readyz, /metrics)", host, bound)
    return runner, bound
