"""`podium run` with SLACK_BOT_TOKEN: the Slack adapter in the same asyncio process as the core.

HTTP mode (SLACK_SIGNING_SECRET): Slack's signed requests on SLACK_PORT at SLACK_PATH; bolt refuses a bad
or missing signature, or a timestamp more than five minutes off, with 401. Socket Mode (SLACK_APP_TOKEN):
a WebSocket opened to Slack, nothing to expose; its envelopes checked as the HTTP requests are (socket_gate.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import web

from adapters.slack.adapter import SlackAdapter
from adapters.slack.assembly import assemble
from adapters.slack.gate import gate
from bot.bootstrap import App
from adapters.slack.settings import SlackSettings
from bot.startup import StartupError

log = logging.getLogger(__name__)


async def start_http(adapter: SlackAdapter, *, host: str, port: int, path: str) -> tuple[web.AppRunner, int]:
    """Serves the adapter's bolt app behind the gate (gate.py: authenticated before parsed); returns the
    runner (to clean up) and the port it listens on (port 0: any)."""
    secret = adapter.settings.signing_secret
    web_app = gate(adapter.bolt, path=path, secret=secret.get_secret_value() if secret else "",
                   locale=lambda: adapter.app.settings.default_locale)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    return runner, runner.addresses[0][1]


class SlackTokenRefused(StartupError):
    """A token in `.env` that Slack refuses: nothing can work until the operator fixes it."""


# What Slack answers for a token it will never take; anything else (ratelimited, fatal_error, a 5xx) may pass.
_REFUSALS = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive",
                       "not_allowed_token_type", "invalid_token", "missing_scope"})


async def check_tokens(adapter: SlackAdapter, settings: SlackSettings) -> None:
    """Asks Slack once whether it takes the tokens, so a wrong one stops the adapter with its name rather
    than failing every request (HTTP mode) or retrying for ever (Socket Mode). Slack out of reach or in
    trouble is not a refusal: the adapter starts and the clients retry."""
    from slack_sdk.errors import SlackApiError

    checks: list[tuple[str, Callable[[], Awaitable[object]]]] = [("SLACK_BOT_TOKEN", adapter.client.auth_test)]
    if settings.app_token is not None:
        app_token = settings.app_token.get_secret_value()
        checks.append(("SLACK_APP_TOKEN", lambda: adapter.client.apps_connections_open(app_token=app_token)))
    for setting, check in checks:
        try:
            await check()
        except SlackApiError as error:
            reason = error.response.get("error")
            if reason in _REFUSALS:
                token = settings.app_token if setting == "SLACK_APP_TOKEN" else settings.bot_token
                raise SlackTokenRefused(setting, token, f"is refused by Slack ({reason})",
                                        "the token from your app's page at api.slack.com/apps (OAuth & Permissions "
                                        "for xoxb-, Basic Information for xapp-)") from None
            log.warning("slack: could not check %s (%s, HTTP %s); starting anyway", setting, reason,
                        error.response.status_code)
        except (aiohttp.ClientError, OSError) as error:
            log.warning("slack: could not check %s (%r); starting anyway", setting, error)


async def serve(app: App, settings: SlackSettings, stop: asyncio.Event) -> None:
    adapter = assemble(app, settings)
    await check_tokens(adapter, settings)
    await adapter.start()
    try:
        if settings.app_token is not None:
            await _socket_mode(adapter, settings, stop)
        else:
            try:
                runner, port = await start_http(adapter, host="0.0.0.0", port=settings.port,
                                                path=settings.path)
            except OSError as error:
                raise StartupError("SLACK_PORT", settings.port,
                                   f"cannot be listened on ({os.strerror(error.errno or 0).lower()})",
                                   "a free port (another process holds this one)") from error
            log.info("slack: listening for signed requests on port %d at %s", port, settings.path)
            app.links["slack"] = lambda: True  # Slack calls us: listening is being connected
            try:
                await stop.wait()
            finally:
                app.links.pop("slack", None)
                await runner.cleanup()
    finally:
        await adapter.stop()


async def _socket_mode(adapter: SlackAdapter, settings: SlackSettings, stop: asyncio.Event) -> None:
    from adapters.slack.socket_gate import GatedSocketModeHandler

    assert settings.app_token is not None
    handler = GatedSocketModeHandler(adapter.bolt, settings.app_token.get_secret_value(), web_client=adapter.client,
                                     locale=lambda: adapter.app.settings.default_locale)
    await handler.connect_async()
    log.info("slack: connected in Socket Mode")
    link = handler.client  # the Socket Mode connection, not the Web API client
    adapter.app.links["slack"] = lambda: link.current_session is not None and not link.current_session.closed
    try:
        await stop.wait()
    finally:
        adapter.app.links.pop("slack", None)
        await handler.close_async()
