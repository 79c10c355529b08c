"""Discord's global limit (requests per second per bot, over every shard and process) held by two processes
at once: through Redis when REDIS_URL is set, by a fixed share per process otherwise; the fake Discord counts
every request of the bot and answers 429 `"global": true` past the limit, as Discord does."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.discord.settings import DiscordSettings
from tests.fakes.discord import FakeDiscord
from tests.support.discord import MOD_ROLE, Bot, World, make_world
from tests.support.discord import fake_discord, discord_errors  # noqa: F401 - fixtures
from tests.fakes.discord.gateway import shard_of

REDIS = "redis://127.0.0.1:6379/0"
RATE = 20  # the bot's global limit in these tests (Discord's is 50)
SENT = 30  # messages each process sends at once


@dataclass
class Process(Bot):
    shard: int = 0
    redis_url: str | None = None
    shared: bool = True  # False: each process believes the whole limit is its own

    @property
    def discord_settings(self) -> DiscordSettings:
        sharding = {"SHARD_COUNT": 2, "SHARD_IDS": str(self.shard)} if self.shared else {}
        return DiscordSettings(_env_file=None, token=self.fake.token, api_base=self.fake.api_base,
                               gateway_url=self.fake.gateway_url, moderator_roles=[MOD_ROLE],
                               global_rate=RATE, REDIS_URL=self.redis_url, **sharding)


def one_world_per_shard(fake: FakeDiscord) -> dict[int, World]:
    worlds: dict[int, World] = {}
    while len(worlds) < 2:
        world = make_world(fake)
        worlds.setdefault(shard_of(world.guild.id, 2), world)
    return worlds


async def burst(fake: FakeDiscord, tmp_path: Path, *, redis_url: str | None, shared: bool) -> float:
    """Both processes post SENT messages at once; returns how long it took."""
    worlds = one_world_per_shard(fake)
    processes = [Process(fake, tmp_path / f"p{shard}.db", shard=shard, redis_url=redis_url, shared=shared,
                         synced=shard > 0) for shard in (0, 1)]
    for process in processes:
        await process.start()
    fake.limit_global(RATE, 1.0)
    try:
        channels = [p.adapter.client.get_channel(worlds[p.shard if shared else 0].text.id)  # type: ignore[union-attr]
                    for p in processes]
        began = time.monotonic()
        await asyncio.gather(*(channel.send(f"message {n}") for channel in channels for n in range(SENT)))
        return time.monotonic() - began
    finally:
        for process in processes:
            await process.stop()


async def test_two_processes_sharing_the_limit_through_redis_are_never_refused(fake_discord, tmp_path: Path):
    took = await burst(fake_discord, tmp_path, redis_url=REDIS, shared=True)
    assert fake_discord.limiter.global_refusals == 0
    assert len(fake_discord.calls("POST /channels/{channel_id}/messages", status=200)) == 2 * SENT
    assert took >= (2 * SENT - RATE) / RATE - 0.5  # 60 requests at 20 a second: two windows at least


async def test_without_redis_each_process_keeps_to_its_shards_share(fake_discord, tmp_path: Path):
    await burst(fake_discord, tmp_path, redis_url=None, shared=True)
    assert fake_discord.limiter.global_refusals == 0
    assert len(fake_discord.calls("POST /channels/{channel_id}/messages", status=200)) == 2 * SENT


async def test_two_processes_each_taking_the_whole_limit_are_refused(fake_discord, tmp_path: Path):
    """The failure both ways above avoid: the fake refuses what Discord would."""
    await burst(fake_discord, tmp_path, redis_url=None, shared=False)
    assert fake_discord.limiter.global_refusals > 0


def test_interaction_callbacks_and_webhooks_are_never_held() -> None:
    from adapters.discord.global_limit import exempt

    assert exempt("https://discord.com/api/v10/interactions/1/tok/callback")
    assert exempt("https://discord.com/api/v10/webhooks/1/tok/messages/@original")
    assert not exempt("https://discord.com/api/v10/channels/1/messages")


@pytest.mark.parametrize("count, ids, share", [(None, [], 1.0), (4, [0, 1], 0.5), (4, [3], 0.25), (4, [], 1.0)])
def test_a_process_share_of_the_limit(count: int | None, ids: list[int], share: float) -> None:
    from adapters.discord.global_limit import ShareLimit, build

    limit = build(rate=50, redis_url=None, shard_count=count, shard_ids=ids, key="k")
    assert isinstance(limit, ShareLimit) and limit.rate == pytest.approx(50 * share)


async def test_a_redis_out_of_reach_at_start_names_redis_url_and_later_falls_back_to_the_share() -> None:
    from adapters.discord.global_limit import ShareLimit, SharedLimit
    from bot.startup import StartupError

    limit = SharedLimit("redis://:hunter2@127.0.0.1:1/0", rate=RATE, key="podium:test:down",
                        fallback=ShareLimit(rate=RATE))
    with pytest.raises(StartupError) as refused:
        await limit.start()
    lines = refused.value.lines()
    assert 'REDIS_URL="redis://:***@127.0.0.1:1/0"' in lines[0] and "cannot be reached" in lines[0] and "hunter2" not in lines[0]
    began = time.monotonic()
    for _ in range(RATE):  # requests still go, at this process's share
        await limit.wait()
    assert time.monotonic() - began < 1.0
    await limit.close()
