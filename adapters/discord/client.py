"""The discord.py client: gateway events in, to the voice sync, the reconciler and the command tree."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Collection
from typing import Any

import aiohttp
import discord
from discord import app_commands

from adapters.discord.unknown import UnknownComponent
from adapters.discord.buttons import BoardButton, QueuePicker
from adapters.discord.commands_table import install
from adapters.discord.context import Context, lane
from adapters.discord.invoke import attempt
from adapters.discord.members import PLATFORM, bot_actor
from adapters.discord.platform import DiscordPlatform
from adapters.discord.reconcile import Reconciler
from adapters.discord.scheduled_events import ScheduledEvents
from adapters.discord.translator import CatalogueTranslator
from adapters.discord.recording.consent import ConsentButton
from adapters.discord.voice import VoiceSync
from bot.domain import commands as c

log = logging.getLogger(__name__)


def intents() -> discord.Intents:
    """Servers, voice states, members and scheduled events. Members is privileged (enable "Server Members
    Intent" in the Developer Portal): without it a member's roles are read once and never again, and the rules
    that look at roles (moderator roles, hand_mode=role, auto_approve) would judge stale facts. Scheduled events
    bring the members who press "Interested". Message content is not needed."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.voice_states = True
    wanted.members = True
    wanted.guild_scheduled_events = True
    return wanted


class PodiumClient(discord.Client):
    def __init__(self, *, identify_delay: float = 5.0, guild_ready_timeout: float = 2.0,
                 http_trace: aiohttp.TraceConfig | None = None, **sharding: Any) -> None:
        wanted = intents()
        traced: dict[str, Any] = {"http_trace": http_trace} if http_trace is not None else {}
        super().__init__(intents=wanted, guild_ready_timeout=guild_ready_timeout, chunk_guilds_at_startup=False,
                         member_cache_flags=discord.MemberCacheFlags.from_intents(wanted), **traced, **sharding)
        self.tree = app_commands.CommandTree(self)
        install(self.tree)
        self.identify_delay = identify_delay
        # discord.py drops "Interested" for members or events not in its cache (members are not chunked):
        # the raw payload goes to the scheduled events first, then discord.py parses it as usual.
        parsers = self._connection.parsers
        for event, going in (("GUILD_SCHEDULED_EVENT_USER_ADD", True), ("GUILD_SCHEDULED_EVENT_USER_REMOVE", False)):
            parsers[event] = functools.partial(self._interest, parsers[event], going)
        self.podium: Context | None = None
        self.platform: DiscordPlatform | None = None
        self.voice: VoiceSync | None = None
        self.reconciler: Reconciler | None = None
        self.events: ScheduledEvents | None = None
        self._arrived: set[int] = set()  # guilds reconciled as they arrived, before this session's on_ready

    def attach(self, ctx: Context, platform: DiscordPlatform) -> None:
        self.podium, self.platform = ctx, platform
        self.events = platform.events
        self.voice = VoiceSync(ctx, platform)
        self.reconciler = Reconciler(ctx, platform)
        platform.reconcile = self.reconciler.stage

    async def setup_hook(self) -> None:
        await self.tree.set_translator(CatalogueTranslator())
        self.add_dynamic_items(BoardButton, QueuePicker, ConsentButton, UnknownComponent)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # Discord asks for a pause between identifies (5 s per max_concurrency bucket, shards included);
        # the delay is a setting so tests can shorten it.
        if not initial:
            await asyncio.sleep(self.identify_delay)

    async def on_guild_available(self, guild: discord.Guild) -> None:
        # discord.py says "ready" only once no server arrived for guild_ready_timeout (2 s): a server is
        # reconciled (its boards first) as soon as it arrives, not 2 s later. Effects stored in the outbox
        # still wait for on_ready, when every server this session serves is in the cache.
        self._arrived.add(guild.id)
        if self.reconciler is not None:
            self.reconciler.guild(guild)

    async def on_ready(self) -> None:
        log.info("connected to Discord as %s in %d servers", self.user, len(self.guilds))
        if self.podium is not None:
            await self.podium.app.connected(PLATFORM)  # platform work that waited for Discord goes out
        arrived, self._arrived = self._arrived, set()
        self._reconcile_all(skip=arrived)

    async def on_resumed(self) -> None:
        self._reconcile_all()

    async def on_guild_join(self, guild: discord.Guild) -> None:
        if self.reconciler is not None:
            self.reconciler.guild(guild)

    async def on_guild_update(self, before: discord.Guild, after: discord.Guild) -> None:
        if self.reconciler is not None and before.preferred_locale != after.preferred_locale:
            await self.reconciler.learn_language(after)

    async def on_voice_state_update(self, member: discord.Member, before: discord.VoiceState,
                                    after: discord.VoiceState) -> None:
        if self.voice is not None:
            self.voice.update(member, before, after)

    async def on_stage_instance_delete(self, instance: discord.StageInstance) -> None:
        """A moderator ended the stage in Discord: the core closes it too (the recap is posted)."""
        ctx, platform = self.podium, self.platform
        if ctx is None or platform is None or platform.ended_by_bot(instance.id):
            return

        async def close() -> None:
            stage_id = await ctx.directory.stage_in(str(instance.guild.id), str(instance.channel_id))
            if stage_id is not None:
                await attempt(ctx, c.CloseStage(actor=bot_actor(self), stage_id=stage_id))

        ctx.lanes.submit(lane(instance.guild.id, instance.channel_id), close)

    def _interest(self, parse: Callable[[dict[str, Any]], None], going: bool, data: dict[str, Any]) -> None:
        if self.events is not None:
            try:
                self.events.interest(data, going=going)
            except Exception:
                log.exception("could not take an RSVP from %r", data)
        parse(data)

    def _reconcile_all(self, *, skip: Collection[int] = ()) -> None:
        if self.reconciler is not None:
            for guild in self.guilds:
                if guild.id not in skip:
                    self.reconciler.guild(guild)


class ShardedPodiumClient(PodiumClient, discord.AutoShardedClient):
    """Several shards in one process (SHARD_COUNT, SHARD_IDS): discord.py opens one gateway session per shard and
    Discord sends each guild's events to its shard alone, so this process sees and serves its shards' guilds."""


def make_client(*, shard_count: int | None | str = None, shard_ids: list[int] | None = None,
                **options: Any) -> PodiumClient:
    """One plain client when unsharded; otherwise the shards asked for (``"auto"``: as many as Discord says)."""
    if shard_count is None:
        return PodiumClient(**options)
    count = None if shard_count == "auto" else int(shard_count)
    return ShardedPodiumClient(shard_count=count, shard_ids=list(shard_ids) if shard_ids else None, **options)
