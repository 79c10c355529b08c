"""Per-route rate-limit buckets, rate-limit headers, and scripted failures.

Every REST answer carries ``X-RateLimit-Limit/-Remaining/-Reset/-Reset-After/
-Bucket``. Buckets are fixed windows keyed, like Discord's, by route template
plus the major parameters (channel, guild, webhook/interaction id+token).
The default limit is generous so the fake never slows a benchmark by itself;
tests tighten a route with :meth:`RateLimiter.limit` or script failures with
:meth:`RateLimiter.fail_next`.

Discord's global limit (50 requests per second per bot, however many shards or processes send them;
interaction callbacks and webhooks are not counted) is switched on with :meth:`RateLimiter.limit_global`;
past it, a 429 with ``X-RateLimit-Global: true`` and ``"global": true``.

A 429 is answered with Discord's body and a ``Via: 1.1 google`` header:
discord.py treats a 429 *without* ``Via`` as a Cloudflare ban and raises
instead of retrying.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field
from typing import Any

MAJOR_PARAMS = ("channel_id", "guild_id", "webhook_id", "webhook_token", "interaction_id", "interaction_token")


@dataclass
class Limit:
    count: int
    per: float
    hidden: bool = False  # a sub-limit the headers do not reveal
    scope: str = "user"  # X-RateLimit-Scope on its 429s: user, shared or global


@dataclass
class _Window:
    start: float
    used: int = 0


@dataclass
class _Script:
    status: int
    times: int
    retry_after: float
    is_global: bool
    scope: str


@dataclass
class Refusal:
    """A canned answer that replaces the real one."""

    status: int
    body: Any  # dict → JSON, str → text/html
    headers: dict[str, str] = field(default_factory=dict)


def _exempt(route: str) -> bool:
    """Interaction callbacks and webhooks (an interaction's follow-ups) are outside the global limit."""
    return "/interactions/" in route or route.split(" ", 1)[-1].startswith("/webhooks/")


def bucket_hash(route: str) -> str:
    return hashlib.sha1(route.encode()).hexdigest()[:16]


class RateLimiter:
    def __init__(self, default: tuple[int, float] = (10_000, 1.0)) -> None:
        self.default = Limit(*default)
        self._limits: dict[str, Limit] = {}
        self._windows: dict[tuple[Any, ...], _Window] = {}
        self._scripts: dict[str, list[_Script]] = {}
        self._global: Limit | None = None
        self.global_refusals = 0
        self.clock = time.monotonic

    # -- configuration -------------------------------------------------
    def limit(self, route: str, count: int, per: float, *, hidden: bool = False, scope: str = "user") -> None:
        self._limits[route] = Limit(count, per, hidden, scope)

    def limit_global(self, count: int = 50, per: float = 1.0) -> None:
        """Discord's global limit per bot: ``count`` requests per ``per`` seconds over every route."""
        self._global = Limit(count, per, scope="global")

    def clear_limit(self, route: str) -> None:
        self._limits.pop(route, None)

    def clear_failures(self, route: str) -> None:
        """Scripted failures of ``route`` not yet served are dropped (the outage is over)."""
        self._scripts.pop(route, None)

    def fail_next(
        self,
        route: str,
        *,
        status: int = 429,
        times: int = 1,
        retry_after: float = 0.3,
        is_global: bool = False,
        scope: str = "user",
    ) -> None:
        self._scripts.setdefault(route, []).append(_Script(status, times, retry_after, is_global, scope))

    # -- per request -----------------------------------------------------
    def check(self, route: str, params: dict[str, str]) -> tuple[Refusal | None, dict[str, str]]:
        """Either a refusal, or None and the headers to put on the real answer."""
        major = tuple(params.get(name) for name in MAJOR_PARAMS)
        now = self.clock()
        scripted = self._take_script(route)
        if scripted is not None:
            return self._scripted(route, major, scripted, now), {}
        if self._global is not None and not _exempt(route):
            window = self._window(("global",), self._global, now)
            if window.used >= self._global.count:
                self.global_refusals += 1
                retry = max(window.start + self._global.per - now, 0.001)
                return self._too_many({}, retry, True, "global"), {}
            window.used += 1
        limit = self._limits.get(route)
        if limit is not None:
            window = self._window(("route", route, major), limit, now)
            if window.used >= limit.count:
                retry = max(window.start + limit.per - now, 0.001)
                shown = self.default if limit.hidden else limit
                shown_window = self._window(("shown", route, major), shown, now)
                headers = self._headers(route, shown, shown_window, now, remaining=0 if not limit.hidden else None)
                return self._too_many(headers, retry, False, limit.scope), {}
            window.used += 1
        shown = self.default if limit is None or limit.hidden else limit
        if limit is None or limit.hidden:
            shown_window = self._window(("shown", route, major), shown, now)
            shown_window.used += 1
        else:
            shown_window = self._window(("route", route, major), limit, now)
        return None, self._headers(route, shown, shown_window, now)

    def _take_script(self, route: str) -> _Script | None:
        queue = self._scripts.get(route)
        if not queue:
            return None
        script = queue[0]
        script.times -= 1
        if script.times <= 0:
            queue.pop(0)
        return script

    def _scripted(self, route: str, major: tuple[Any, ...], script: _Script, now: float) -> Refusal:
        if script.status == 429:
            window = self._window(("shown", route, major), self.default, now)
            headers = self._headers(route, self.default, window, now, remaining=0)
            return self._too_many(headers, script.retry_after, script.is_global, script.scope)
        if script.status == 502:
            html = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>"
            return Refusal(502, html, {"Via": "1.1 google"})
        return Refusal(script.status, {"message": f"{script.status}: Internal Server Error", "code": 0}, {})

    def _too_many(self, headers: dict[str, str], retry: float, is_global: bool, scope: str) -> Refusal:
        retry = round(math.ceil(retry * 1000) / 1000, 3)
        headers = dict(headers)
        headers["Retry-After"] = str(max(1, math.ceil(retry)))
        headers["X-RateLimit-Scope"] = "global" if is_global else scope
        headers["Via"] = "1.1 google"
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        body = {"message": "You are being rate limited.", "retry_after": retry, "global": is_global}
        return Refusal(429, body, headers)

    def _window(self, key: tuple[Any, ...], limit: Limit, now: float) -> _Window:
        window = self._windows.get(key)
        if window is None or now >= window.start + limit.per:
            window = self._windows[key] = _Window(now)
        return window

    def _headers(
        self, route: str, limit: Limit, window: _Window, now: float, remaining: int | None = None
    ) -> dict[str, str]:
        reset_after = max(window.start + limit.per - now, 0.0)
        left = max(limit.count - window.used, 0) if remaining is None else remaining
        return {
            "X-RateLimit-Limit": str(limit.count),
            "X-RateLimit-Remaining": str(left),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket_hash(route),
        }
