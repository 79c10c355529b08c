"""Serves a real slack-bolt AsyncApp over HTTP on 127.0.0.1 and an ephemeral port.

Bolt 1.x has no `AsyncSlackRequestHandler` for aiohttp (that name exists for Starlette, FastAPI,
Sanic...); `slack_bolt.adapter.aiohttp` only converts requests/responses, and `AsyncApp.start()`
blocks in `web.run_app` on a fixed port. `AsyncSlackAppServer(...).web_app` is the same aiohttp
application `start()` runs; we run it with an AppRunner on port 0 instead. (Not `app.web_app()`:
it caches one server per app, and an aiohttp Application cannot be run twice.)
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from aiohttp import web
from slack_bolt.app.async_server import AsyncSlackAppServer


@asynccontextmanager
async def serve_bolt_app(app: Any, path: str = "/slack/events") -> AsyncIterator[str]:
    """Yields the app's Request URL, e.g. http://127.0.0.1:40123/slack/events."""
    web_app = AsyncSlackAppServer(port=0, path=path, app=app, host="127.0.0.1").web_app
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}{path}"
    finally:
        await runner.cleanup()
