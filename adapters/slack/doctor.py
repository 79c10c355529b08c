"""`podium doctor`'s Slack checks: the bot token, the scopes the workspace granted against the manifest's, the
way in (Socket Mode's app token, or the Request URL answering a signed request), and this machine's clock
against Slack's (a signed request more than five minutes old is refused)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.cli import MANIFEST
from bot.doctor import Check, failed, passed, skipped

if TYPE_CHECKING:
    from adapters.slack.settings import SlackSettings
    from bot.config import Settings

APPS = "https://api.slack.com/apps"
SKEW_LIMIT = 60.0  # seconds; Slack refuses signatures older than 300 s, and a drifting clock keeps drifting


def manifest_scopes() -> set[str]:
    """The manifest's `oauth_config.scopes.bot` list (read by hand: PyYAML is no run-time dependency)."""
    scopes, inside = set(), False
    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        if line.strip() == "bot:":
            inside = True
        elif inside and line.strip().startswith("- "):
            scopes.add(line.strip()[2:].split("#")[0].strip())
        elif inside and line.strip():
            break
    return scopes


async def checks(settings: SlackSettings, core: Settings | None = None, *, slack_url: str | None = None,
                 **_: Any) -> list[Check]:
    """`slack_url`: the Request URL to send a signed challenge to (HTTP mode)."""
    if settings.bot_token is None:
        return [skipped("slack", "SLACK_BOT_TOKEN is empty: Slack is not served")]
    client = AsyncWebClient(token=settings.bot_token.get_secret_value(),
                            base_url=settings.api_url.rstrip("/") + "/", timeout=15)
    try:
        answer = await client.auth_test()
    except SlackApiError as error:
        reason = error.response.get("error")
        return [failed("slack token", f"refused by Slack ({reason})",
                       f"set SLACK_BOT_TOKEN to the Bot User OAuth Token ({APPS}, OAuth & Permissions)")]
    except (aiohttp.ClientError, OSError, TimeoutError) as error:
        return [failed("slack reachable", f"{settings.api_url}: {type(error).__name__}: {error}",
                       "let this host reach slack.com (network, DNS, proxy), or fix SLACK_API_URL")]
    results = [passed("slack token", f"the bot {answer.get('user')} in {answer.get('team')}"),
               _scopes(answer.headers), _clock(answer.headers)]
    results.append(await _way_in(client, settings, slack_url))
    return results


def _scopes(headers: Any) -> Check:
    granted = {s.strip() for s in str(_header(headers, "x-oauth-scopes") or "").split(",") if s.strip()}
    missing = sorted(manifest_scopes() - granted)
    if not missing:
        return passed("slack scopes", f"the {len(manifest_scopes())} scopes of the manifest are granted")
    return failed("slack scopes", "not granted: " + ", ".join(missing),
                  f"add them ({APPS}, OAuth & Permissions, or paste `podium slack manifest`), then Reinstall to "
                  "Workspace")


def _clock(headers: Any) -> Check:
    stamp = _header(headers, "date")
    if not stamp:
        return skipped("clock", "Slack sent no Date header to compare with")
    skew = parsedate_to_datetime(str(stamp)).timestamp() - time.time()
    if abs(skew) <= SKEW_LIMIT:
        return passed("clock", f"within {abs(skew):.0f} s of Slack's")
    return failed("clock", f"{abs(skew):.0f} s {'behind' if skew > 0 else 'ahead of'} Slack's",
                  "synchronise the clock (systemd-timesyncd or chrony): Slack refuses signatures 5 min old")


async def _way_in(client: AsyncWebClient, settings: SlackSettings, request_url: str | None) -> Check:
    if settings.app_token is not None:
        try:
            await client.apps_connections_open(app_token=settings.app_token.get_secret_value())
        except SlackApiError as error:
            return failed("slack socket mode", f"SLACK_APP_TOKEN refused ({error.response.get('error')})",
                          f"an app-level token with connections:write ({APPS}, Basic Information, App-Level "
                          "Tokens), and Socket Mode on")
        return passed("slack socket mode", "SLACK_APP_TOKEN opens a connection")
    if request_url is None:
        return skipped("slack request url", "not checked: pass --slack-url https://YOUR-HOST/slack/events")
    assert settings.signing_secret is not None
    return await _request_url(request_url, settings.signing_secret.get_secret_value())


async def _request_url(url: str, secret: str) -> Check:
    """Sends the url_verification Slack itself sends: the running bot, behind its TLS proxy, must answer it."""
    challenge = f"podium-doctor-{int(time.time())}"
    body = json.dumps({"token": "doctor", "challenge": challenge, "type": "url_verification"})
    stamp = str(int(time.time()))
    signature = "v0=" + hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp,
               "X-Slack-Signature": signature}
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session, \
                session.post(url, data=body, headers=headers) as response:
            text = await response.text()
    except (aiohttp.ClientError, OSError, TimeoutError) as error:
        return failed("slack request url", f"{url}: {type(error).__name__}",
                      "run podium run, and let the TLS proxy forward this URL to SLACK_PORT")
    if response.status == 200 and challenge in text:
        return passed("slack request url", f"{url} answers Slack's signed challenge")
    if response.status == 401:
        return failed("slack request url", f"{url} refused the signature (401)",
                      "SLACK_SIGNING_SECRET must be the app's Signing Secret (Basic Information)")
    return failed("slack request url", f"{url} answered {response.status}",
                  "the proxy must forward SLACK_PATH to Podium's SLACK_PORT unchanged")


def _header(headers: Any, name: str) -> Any:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value[0] if isinstance(value, list) else value
    return None
