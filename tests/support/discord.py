"""The Discord adapter's test harness: Podium on the real discord.py, against the loopback fake Discord.

The `test_discord_*` modules import its fixtures (``fake_discord``, ``world``, ``bot``) and helpers;
tests/adapters/test_discord_harness.py checks the harness itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from adapters.discord.service import DiscordAdapter
from adapters.discord.settings import DiscordSettings
from bot.bootstrap import App, build
from bot.clock import ManualClock
from bot.config import Settings
from bot.domain.errors import StageError
from bot.i18n.catalog import render
from bot.i18n.message import Message as Message_
from tests.fakes.discord import FakeDiscord, InteractionRecord, pointed_at
from tests.fakes.discord.guild import Guild
from tests.fakes.discord.models import Channel, Message, Role, User
from tests.support.logs import failing_on_errors

LOADING = 1 << 7
MOD_ROLE = "Stage Crew"


@dataclass
class World:
    fake: FakeDiscord
    guild: Guild
    stage: Channel
    text: Channel
    crew: Role
    alice: User  # opens stages: their host
    bob: User  # has the configured moderator role
    carol: User
    dave: User
    erin: User  # not in the stage channel


def make_world(fake: FakeDiscord) -> World:
    guild = fake.add_guild("Podium Guild")
    crew = fake.add_role(guild, MOD_ROLE, 0)
    stage = fake.add_stage_channel(guild, "town-hall")
    text = fake.add_text_channel(guild, "general")
    alice, bob, carol, dave, erin = (fake.add_member(guild, name, roles=[crew] if name == "bob" else None).user
                                     for name in ("alice", "bob", "carol", "dave", "erin"))
    for user in (alice, bob, carol, dave):
        fake.member_join_voice(guild, user, stage)
    return World(fake, guild, stage, text, crew, alice, bob, carol, dave, erin)


@dataclass
class Bot:
    """Podium (core + Discord adapter) on one SQLite file; restartable, as a process would be."""

    fake: FakeDiscord
    database: Path
    clock: ManualClock = field(default_factory=ManualClock)
    rules: dict[str, Any] = field(default_factory=dict)
    board_interval: float = 0.2
    guild_ready_timeout: float = 0.05  # discord.py's quiet time after the last server arrived, before on_ready
    database_url: str | None = None  # another database than the SQLite file (several processes: PostgreSQL)
    instance_name: str = ""  # the process's name (several on one database each need their own)
    badge_roles: dict[str, str] = field(default_factory=dict)
    app: App | None = None
    adapter: DiscordAdapter | None = None
    synced: bool = False

    @property
    def settings(self) -> Settings:
        return Settings(_env_file=None, database_url=self.database_url or f"sqlite:///{self.database}",
                        instance_name=self.instance_name,
                        rules={"hand_cooldown": 0, "grace_period": 60, **self.rules})

    @property
    def discord_settings(self) -> DiscordSettings:
        return DiscordSettings(_env_file=None, token=self.fake.token, api_base=self.fake.api_base,
                               gateway_url=self.fake.gateway_url, moderator_roles=[MOD_ROLE],
                               badge_roles=self.badge_roles)

    async def start(self, *, ready: bool = True) -> Bot:
        """Starts; with ``ready=False`` returns once connecting, without waiting for discord.py's on_ready."""
        self.app = build(self.settings, clock=self.clock)
        await self.app.start()
        self.adapter = DiscordAdapter(self.app, self.discord_settings, identify_delay=0.05,
                                      guild_ready_timeout=self.guild_ready_timeout, board_interval=self.board_interval)
        await self.adapter.start(wait_ready=5.0 if ready else None)
        if not ready:
            return self
        if not self.synced:
            await self.adapter.client.tree.sync()
            self.synced = True
        await self.settle()
        return self

    async def stop(self) -> None:
        if self.adapter is not None:
            await self.adapter.close()
        if self.app is not None:
            await self.app.stop()
        self.adapter = self.app = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def settle(self, rounds: int = 3) -> None:
        """Waits until events in flight are applied: gateway → lanes → core → platform work → fake."""
        assert self.adapter is not None and self.app is not None
        quiet = 0
        while quiet < rounds:
            before = (len(self.fake.requests), sum(s.seq for s in self.fake.hub.sessions.values()))
            await asyncio.sleep(0.02)
            await self.adapter.ctx.lanes.drain()
            await self.app.settle()
            after = (len(self.fake.requests), sum(s.seq for s in self.fake.hub.sessions.values()))
            flushing = bool(self.adapter.ctx.boards._flushers)  # noqa: SLF001
            quiet = quiet + 1 if before == after and not flushing else 0

    async def advance(self, seconds: float) -> None:
        """Moves the core's clock (timers fire), then waits for what follows."""
        from datetime import timedelta

        self.clock.advance(timedelta(seconds=seconds))
        await self.settle()

    # -- members acting ---------------------------------------------------------------------------

    async def command(self, world: World, user: User, name: str, *sub: str, where: Channel | None = None,
                      locale: str = "en-US", **options: Any) -> InteractionRecord:
        """``user`` runs ``/name sub… option=value`` in ``where`` (the stage channel's chat by default)."""
        record = self.fake.run_slash_command(world.guild, where or world.stage, user, name, *sub,
                                             options=options, locale=locale)
        await self.fake.wait_response(record)
        await self.settle()
        return record

    async def press(self, world: World, user: User, custom_id: str, *, message: Message | None = None,
                    values: list[str] | None = None) -> InteractionRecord:
        record = self.fake.press_button(message or self.board(world), custom_id, user, values=values)
        await self.fake.wait_response(record)
        await self.settle()
        return record

    async def stage_id(self, world: World) -> str:
        assert self.app is not None
        return await self.app.queries.live_stage("discord", str(world.guild.id), str(world.stage.id))

    async def roster(self, world: World):  # type: ignore[no-untyped-def]
        assert self.app is not None
        return await self.app.queries.roster(await self.stage_id(world))

    # -- what the bot showed ------------------------------------------------------------------------

    def board(self, world: World) -> Message:
        stored = [m for m in self.fake.store.messages.values()
                  if m.channel_id == world.stage.id and m.author.id == self.fake.store.bot.id and m.embeds
                  and m.components]
        assert stored, "no board was posted"
        return stored[-1]

    def board_text(self, world: World) -> str:
        return embed_text(self.board(world).embeds[0])


def dms(fake: FakeDiscord, user: User) -> list[str]:
    """Direct messages the bot sent ``user``, oldest first."""
    channels = {c.id for c in fake.store.channels.values() if c.recipients and c.recipients[0].id == user.id}
    return [m.content for m in sorted(fake.store.messages.values(), key=lambda m: m.id) if m.channel_id in channels]


def channel_posts(fake: FakeDiscord, channel: Channel) -> list[Message]:
    """What the bot posted in a channel (not interaction answers), oldest first."""
    return [m for m in sorted(fake.store.messages.values(), key=lambda m: m.id)
            if m.channel_id == channel.id and m.author.id == fake.store.bot.id and m.webhook_id is None]


def reply(record: InteractionRecord) -> str:
    """What the member read: the answer, or the follow-up of a deferred one."""
    messages = ([record.original] if record.original is not None else []) + list(record.followups)
    texts = [m.content + "".join(embed_text(e) for e in m.embeds) for m in messages if not m.flags & LOADING]
    return "\n".join(t for t in texts if t)


def is_ephemeral(record: InteractionRecord) -> bool:
    messages = [m for m in [record.original, *record.followups] if m is not None]
    return bool(messages) and all(m.flags & 64 for m in messages)


def embed_text(embed: dict[str, Any]) -> str:
    parts = [embed.get("title") or "", embed.get("description") or ""]
    for f in embed.get("fields", []):
        parts += [f["name"], f["value"]]
    return "\n".join(p for p in parts if p)


def refusal(error: type[StageError], locale: str = "en", **params: object) -> str:
    """A refusal's sentence as a member reads it."""
    return render(Message_(error.message, params), locale, mention=lambda user_id: f"<@{user_id}>")


def mention(user: User) -> str:
    return f"<@{user.id}>"


@pytest.fixture
def discord_errors() -> Iterator[list[logging.LogRecord]]:
    """Fails the test if discord.py logs at ERROR (a payload it could not parse, a crashed handler)."""
    with failing_on_errors("discord.py", "discord") as records:
        yield records


@pytest.fixture
async def fake_discord(discord_errors: list[logging.LogRecord]) -> AsyncIterator[FakeDiscord]:
    """A started FakeDiscord with discord.py pointed at it.

    At teardown the test fails if any request broke the API description or a
    documented rule (``fake.spec_violations``), or hit a route the fake lacks.
    A test that provokes violations on purpose clears ``fake.spec_violations``.
    """
    async with FakeDiscord(heartbeat_interval_ms=500) as fake:
        with pointed_at(fake):
            yield fake
    fake.assert_no_spec_violations()


@pytest.fixture
def podium_errors() -> Iterator[list[logging.LogRecord]]:
    """Fails the test if Podium logs an ERROR (an unexpected failure); a test expecting one clears the list."""
    with failing_on_errors("Podium", "adapters", "bot", "scheduler") as records:
        yield records


@pytest.fixture
def world(fake_discord: FakeDiscord) -> World:
    return make_world(fake_discord)


@pytest.fixture
async def bot(world: World, tmp_path: Path, podium_errors: list[logging.LogRecord]) -> AsyncIterator[Bot]:
    running = Bot(world.fake, tmp_path / "podium.db")
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def voice(fake_discord: FakeDiscord, tmp_path: Path) -> AsyncIterator[Any]:
    """Discord's voice server, faked, for the bot to join (recording, cues); it checks what the bot sends."""
    from tests.fakes.discord_voice import FakeVoiceServer, make_certificate

    async with FakeVoiceServer(make_certificate(tmp_path)) as server:
        fake_discord.voice_endpoint, fake_discord.voice_token = server.endpoint, server.token
        bot_id = fake_discord.store.bot.id

        def deafened() -> bool:
            return any(g.voice_states.get(bot_id) is not None and g.voice_states[bot_id].self_deaf
                       for g in fake_discord.store.guilds.values())
        server.deafened = deafened
        yield server
    assert server.violations == []

