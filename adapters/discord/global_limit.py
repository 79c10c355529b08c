"""Discord's global rate limit (50 requests per second per bot by default) kept by every process of the bot at
once: with REDIS_URL, the processes count their requests together in one-second windows of Redis's own clock;
without it, each process keeps to a fixed share (its shards out of SHARD_COUNT). Interaction callbacks and
webhooks are outside the global limit and are never held. The share is whole requests: a process whose share
is under one request a second still sends one per window.

The wait happens in aiohttp's request-start hook, which aiohttp awaits before it sends anything: every REST call
discord.py makes passes through it, whatever the route."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, Protocol

import aiohttp
import discord.http
import yarl

from bot.startup import StartupError

log = logging.getLogger(__name__)

# A sliding log: at most ``limit`` requests in any WINDOW, counted on Redis's own clock (TIME), so processes on
# different hosts agree. Returns 0 when the request may go, else the microseconds until a place frees up.
_ADMIT = """
local now = redis.call('TIME')
local t = tonumber(now[1]) * 1000000 + tonumber(now[2])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], t, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.floor(window / 1000) + 1000)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - t)
"""

# Discord counts its second from the request's arrival; a request admitted here arrives a little later (the
# network, the event loop). Counting over a slightly longer window keeps any second of arrivals within the limit.
WINDOW = 1.1


class Limit(Protocol):
    async def start(self) -> None: ...

    async def wait(self) -> None: ...

    async def close(self) -> None: ...


class SharedLimit:
    """Every process of the bot, counted together in Redis; while Redis is out of reach, this process keeps to
    ``fallback`` (its share) rather than stop talking to Discord."""

    def __init__(self, url: str, *, rate: int, key: str, fallback: ShareLimit) -> None:
        from redis.asyncio import Redis

        self.url = url
        self._redis = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        self._script = self._redis.register_script(_ADMIT)
        self.rate, self._key, self._fallback = rate, key, fallback
        self._me = f"{uuid.uuid4().hex}:"
        self._sent = itertools.count()
        self._turn = asyncio.Lock()  # this process's requests ask Redis one at a time, in arrival order
        self._warned = 0.0

    async def start(self) -> None:
        """Refuses to start with a Redis that cannot be reached (the admin's REDIS_URL is wrong)."""
        from redis.exceptions import RedisError

        try:
            await self._redis.ping()  # type: ignore[misc]  # redis-py types ping for both clients
        except (RedisError, OSError) as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            url = yarl.URL(self.url)
            shown = str(url.with_password("***")) if url.password else self.url
            raise StartupError("REDIS_URL", shown, f"cannot be reached ({reason})",
                               "a reachable Redis, or REDIS_URL left empty (each process then keeps its share)",
                               secret=False) from error

    async def wait(self) -> None:
        from redis.exceptions import RedisError

        async with self._turn:
            while True:
                member = f"{self._me}{next(self._sent)}"
                try:
                    left = int(await self._script(keys=[self._key], args=[self.rate, int(WINDOW * 1e6), member]))
                except (RedisError, OSError) as error:
                    if time.monotonic() - self._warned > 60:
                        self._warned = time.monotonic()
                        log.warning("Redis out of reach (%s): keeping to this process's share of Discord's "
                                    "global limit meanwhile", error)
                    await self._fallback.wait()
                    return
                if left == 0:
                    return
                await asyncio.sleep(left / 1_000_000)

    async def close(self) -> None:
        await self._redis.aclose()


class ShareLimit:
    """This process's fixed share of the global limit, without coordination: at most ``rate`` requests in any
    WINDOW of this process's clock."""

    def __init__(self, *, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self._clock = rate, clock
        self._admitted: deque[float] = deque()
        self._places = max(1, int(rate))
        self._turn = asyncio.Lock()

    async def start(self) -> None:
        return None

    async def wait(self) -> None:
        async with self._turn:
            while True:
                now = self._clock()
                while self._admitted and self._admitted[0] <= now - WINDOW:
                    self._admitted.popleft()
                if len(self._admitted) < self._places:
                    self._admitted.append(now)
                    return
                await asyncio.sleep(self._admitted[0] + WINDOW - now)

    async def close(self) -> None:
        return None


def build(*, rate: int, redis_url: str | None, shard_count: int | str | None, shard_ids: list[int],
          key: str) -> Limit:
    """Redis when it is configured; otherwise this process's shards' part of ``rate``."""
    share = len(shard_ids) / shard_count if isinstance(shard_count, int) and shard_ids else 1.0
    mine = ShareLimit(rate=rate * share)
    return SharedLimit(redis_url, rate=rate, key=key, fallback=mine) if redis_url else mine


def exempt(url: str) -> bool:
    path = url.split("?", 1)[0]
    return "/interactions/" in path or "/webhooks/" in path


def held(limit: Limit, config: aiohttp.TraceConfig | None = None) -> aiohttp.TraceConfig:
    """A trace config (``config`` when given) whose request start waits for ``limit``."""
    config = config or aiohttp.TraceConfig()

    async def starting(_: aiohttp.ClientSession, __: SimpleNamespace, params: Any) -> None:
        if str(params.url).startswith(discord.http.Route.BASE.rstrip("/")) and not exempt(str(params.url)):
            await limit.wait()

    config.on_request_start.append(starting)
    return config
