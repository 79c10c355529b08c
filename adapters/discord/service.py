"""`podium run` with DISCORD_TOKEN: the Discord adapter in the same asyncio process as the core."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging

from adapters.discord.board_view import board_content
from adapters.discord.client import make_client
from adapters.discord.context import Context
from adapters.discord import global_limit
from adapters.discord.cues.player import CuePlayer
from adapters.discord.endpoints import pointed_at
from adapters.discord.members import PLATFORM
from adapters.discord.metrics import trace
from adapters.discord.platform import DiscordPlatform
from adapters.discord.recording.recorder import Recorder
from adapters.discord.startup import reported
from bot.bootstrap import App
from adapters.discord.settings import DiscordSettings

log = logging.getLogger(__name__)

DRAIN_SECONDS = 5.0


class DiscordAdapter:
    """The client, its context and the platform, wired for one run; `serve` is the usual way in."""

    def __init__(self, app: App, settings: DiscordSettings, *, identify_delay: float = 5.0,
                 guild_ready_timeout: float = 2.0, board_interval: float = 1.0) -> None:
        if settings.token is None:
            raise ValueError("DISCORD_TOKEN is not set")
        self.app, self.settings = app, settings
        token = settings.token.get_secret_value()
        self.limit = global_limit.build(rate=settings.global_rate, redis_url=settings.redis_url,
                                        shard_count=settings.shard_count, shard_ids=settings.shard_ids,
                                        key="podium:discord:" + hashlib.sha256(token.encode()).hexdigest()[:16])
        self.client = make_client(shard_count=settings.shard_count, shard_ids=settings.shard_ids,
                                  identify_delay=identify_delay, guild_ready_timeout=guild_ready_timeout,
                                  http_trace=global_limit.held(self.limit, trace(app.metrics)))
        self.ctx = Context.build(app, settings, self.client, board_content=board_content,
                                 board_interval=board_interval)
        self.platform = DiscordPlatform(self.ctx)
        self.client.attach(self.ctx, self.platform)
        self.platform.cues = CuePlayer.build(self.ctx, settings)  # a bad CUE_*_WAV stops the start here
        self.platform.recorder = Recorder(self.ctx, self.platform.cues, app.recordings, self.platform)
        self._task: asyncio.Task[None] | None = None
        self._links: object | None = None  # the HTTP listener serving replays too large to attach

    async def start(self, *, wait_ready: float | None = None) -> None:
        """Logs in and connects; with ``wait_ready``, returns once the first READY was handled."""
        await self.limit.start()  # a REDIS_URL that cannot be reached stops the start here
        self.app.register(self.platform, connected=False)  # effects go out once the gateway is ready
        core = self.app.settings
        if core.replay_http_port and core.replay_link_secret is not None:
            from adapters.web import replays

            self._links = await replays.start(self.app.recordings, core.replay_link_secret.get_secret_value(),
                                              core.replay_http_port)
        assert self.settings.token is not None  # checked when built
        token = self.settings.token.get_secret_value()
        self._task = asyncio.create_task(self.client.start(token), name="discord:client")
        if wait_ready is not None:
            deadline = asyncio.get_running_loop().time() + wait_ready
            while not self.client.is_ready():
                if self._task.done():
                    self._task.result()
                    raise RuntimeError("the Discord client stopped before it was ready")
                if asyncio.get_running_loop().time() > deadline:
                    raise TimeoutError("Discord did not become ready in time")
                await asyncio.sleep(0.01)

    async def run_until(self, stop: asyncio.Event) -> None:
        """Serves until ``stop`` is set; a client that dies (a refused token) ends it with its error."""
        assert self._task is not None
        stopping = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({self._task, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if self._task in done:
            self._task.result()

    async def close(self) -> None:
        """Finishes what was committed (platform work, direct messages, boards), then disconnects."""
        ctx = self.ctx
        if self.client.reconciler is not None:
            await self.client.reconciler.close()
        try:  # member events already received are applied; what is left is reconciled at the next start
            await asyncio.wait_for(ctx.lanes.close(), DRAIN_SECONDS)
        except TimeoutError:
            log.warning("voice events still queued after %.0f s; the next start reconciles them", DRAIN_SECONDS)
        try:
            await asyncio.wait_for(self.app.dispatcher.drain(), DRAIN_SECONDS)
        except TimeoutError:
            log.warning("platform work still running after %.0f s; stopping anyway", DRAIN_SECONDS)
        await ctx.direct.drain(DRAIN_SECONDS)
        await ctx.boards.close()
        if self.platform.recorder is not None:
            await self.platform.recorder.close()  # replays being mixed are finished and posted
        if self._links is not None:
            await self._links.cleanup()  # type: ignore[attr-defined]
        if self.platform.cues is not None:
            await self.platform.cues.close()
        await ctx.direct.close()
        if self.app.platforms.get(PLATFORM) is self.platform:
            self.app.disconnected(PLATFORM)
            del self.app.platforms[PLATFORM]
        await self.client.close()
        await self.limit.close()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task


async def serve(app: App, settings: DiscordSettings, stop: asyncio.Event, *, identify_delay: float = 5.0,
                guild_ready_timeout: float = 2.0) -> None:
    with reported(settings), pointed_at(settings.api_base, settings.gateway_url):
        adapter = DiscordAdapter(app, settings, identify_delay=identify_delay,
                                 guild_ready_timeout=guild_ready_timeout)
        await adapter.start()
        client = adapter.client
        app.links[PLATFORM] = lambda: client.is_ready() and not client.is_closed()
        try:
            await adapter.run_until(stop)
        finally:
            app.links.pop(PLATFORM, None)
            await adapter.close()
