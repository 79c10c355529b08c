"""The fake Discord guild the fake's own tests share, and a logged-in discord.py client on it."""

from __future__ import annotations

from types import SimpleNamespace

import aiohttp
import discord
import pytest
from discord import app_commands

from tests.fakes.discord import FakeDiscord, running


@pytest.fixture
def world(fake_discord: FakeDiscord) -> SimpleNamespace:
    fake = fake_discord
    guild = fake.add_guild("Podium Guild")
    stage = fake.add_stage_channel(guild, "town-hall")
    text = fake.add_text_channel(guild, "general")
    alice = fake.add_member(guild, "alice").user
    bob = fake.add_member(guild, "bob").user
    fake.member_join_voice(guild, alice, stage)
    return SimpleNamespace(fake=fake, guild=guild, stage=stage, text=text, alice=alice, bob=bob)


@pytest.fixture
async def client(world: SimpleNamespace):
    intents = discord.Intents.default()
    intents.members = True
    bot = discord.Client(intents=intents, guild_ready_timeout=0.05)
    bot.tree = app_commands.CommandTree(bot)
    async with running(bot, world.fake):
        yield bot


async def raw(fake: FakeDiscord, method: str, path: str, *, auth: bool = True, **kw) -> tuple[int, dict, object]:
    headers = {"Authorization": f"Bot {fake.token}"} if auth else {}
    async with aiohttp.ClientSession() as session:
        async with session.request(method, fake.api_base + path, headers=headers, **kw) as resp:
            body = await resp.json(content_type=None) if resp.status != 204 else None
            return resp.status, dict(resp.headers), body
