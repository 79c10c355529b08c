"""Shards: SHARD_COUNT and SHARD_IDS split a bot's guilds between processes as Discord routes them
(``(guild_id >> 22) % shard_count``); each process answers the interactions of its own guilds, once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import discord
import pytest
from pydantic import ValidationError

from adapters.discord.client import ShardedPodiumClient
from adapters.discord.settings import DiscordSettings
from adapters.discord.startup import explain
from bot.clock import ManualClock
from tests.fakes.discord import FakeDiscord
from tests.fakes.discord.gateway import shard_of
from tests.support.discord import MOD_ROLE, Bot, World, dms, make_world, reply
from tests.support.databases import pg_url  # noqa: F401 - fixture
from tests.support.discord import fake_discord, discord_errors  # noqa: F401 - fixtures

SHARDS = 4


@dataclass
class ShardBot(Bot):
    """One process of a sharded bot: the shards it serves out of SHARD_COUNT."""

    shard_ids: list[int] = field(default_factory=list)

    @property
    def discord_settings(self) -> DiscordSettings:
        return DiscordSettings(_env_file=None, token=self.fake.token, api_base=self.fake.api_base,
                               gateway_url=self.fake.gateway_url, moderator_roles=[MOD_ROLE],
                               SHARD_COUNT=SHARDS, SHARD_IDS=",".join(map(str, self.shard_ids)))


def worlds_on_every_shard(fake: FakeDiscord) -> dict[int, World]:
    """A guild (with its stage and members) on each shard; guild ids follow the clock, as Discord's do."""
    worlds: dict[int, World] = {}
    while len(worlds) < SHARDS:
        world = make_world(fake)
        worlds.setdefault(shard_of(world.guild.id, SHARDS), world)
    return worlds


def stages_opened(bot: Bot) -> float:
    assert bot.app is not None
    return sum(sample.value for metric in bot.app.metrics.commands.collect() for sample in metric.samples
               if sample.name == "podium_commands_total" and sample.labels["kind"] == "OpenStage")


async def test_four_shards_over_two_processes_answer_each_interaction_once_from_its_guilds_owner(fake_discord,
                                                                                                tmp_path: Path):
    fake = fake_discord
    worlds = worlds_on_every_shard(fake)
    low = ShardBot(fake, tmp_path / "podium.db", shard_ids=[0, 1])
    high = ShardBot(fake, tmp_path / "podium.db", shard_ids=[2, 3], synced=True)
    await low.start()
    await high.start()
    try:
        assert isinstance(low.adapter.client, ShardedPodiumClient)  # type: ignore[union-attr]
        assert sorted(s.shard for s in fake.hub.sessions.values()) == [(i, SHARDS) for i in range(SHARDS)]
        assert {shard_of(g.id, SHARDS) for g in low.adapter.client.guilds} == {0, 1}  # type: ignore[union-attr]
        assert {shard_of(g.id, SHARDS) for g in high.adapter.client.guilds} == {2, 3}  # type: ignore[union-attr]
        records = {}
        for shard, world in worlds.items():
            records[shard] = fake.run_slash_command(world.guild, world.stage, world.alice, "stage", "open",
                                                    options={"title": f"Shard {shard}"})
        for record in records.values():
            await fake.wait_response(record, timeout=10)
        await asyncio.gather(low.settle(), high.settle())
        for shard, record in records.items():
            assert len(record.responses) == 1 and not record.refused, (shard, record.refused)
            assert f"Shard {shard}" in reply(record)
        # two interactions each, by the process whose shards hold their guilds
        assert stages_opened(low) == 2 and stages_opened(high) == 2
        for shard, world in worlds.items():
            owner = low if shard < 2 else high
            assert await owner.stage_id(world)
        fake.assert_no_spec_violations()
    finally:
        await high.stop()
        await low.stop()


async def test_a_timer_fired_in_another_process_is_delivered_once_by_the_process_owning_the_guild(
        fake_discord, tmp_path: Path, pg_url: str):
    # The scheduler leader runs the timers of every guild. Its effects on a guild of another process's shard
    # (a speaker moved back at the speaking limit, told, the board redrawn) are handed to that process: only it
    # has the guild in its cache.
    fake = fake_discord
    world = worlds_on_every_shard(fake)[2]
    start = datetime.now(UTC).replace(microsecond=0)
    leader = ShardBot(fake, tmp_path / "unused.db", clock=ManualClock(start), database_url=pg_url,
                      instance_name="low", shard_ids=[0, 1])
    owner = ShardBot(fake, tmp_path / "unused.db", clock=ManualClock(start), database_url=pg_url,
                     instance_name="high", shard_ids=[2, 3], synced=True)
    await leader.start()
    await owner.start()
    try:
        await owner.command(world, world.alice, "stage", "open", title="Timed")
        changed = await owner.command(world, world.bob, "stage", "rules",
                                      changes="speaking_time_limit=2m warn_before=30s")
        assert reply(changed).startswith("Rules updated")
        fake.member_request_to_speak(world.guild, world.carol)
        await owner.settle()
        await owner.command(world, world.bob, "speaker", "next")
        assert not fake.voice_state(world.guild, world.carol).suppress
        assert leader.app is not None and owner.app is not None
        await leader.app.rearm()  # the leader arms the stage's timer from the database; only its clock runs
        await leader.advance(95)
        await leader.advance(30)
        up = "Your speaking time on “Timed” is up; you are back in the audience."
        await fake.wait_for(lambda: fake.voice_state(world.guild, world.carol).suppress and up in dms(fake, world.carol)
                            and "⏳" not in owner.board_text(world), timeout=10)
        for _ in range(500):  # every effect handed over was taken and delivered (a hung test fails on its own)
            if not await owner.app.outbox.pending():
                break
            await asyncio.sleep(0.02)
        await owner.settle()
        assert not await owner.app.outbox.pending()
        assert dms(fake, world.carol).count(up) == 1
        assert dms(fake, world.carol).count("Speaking time left on “Timed”: 25 s.") == 1
        assert leader.app.dispatcher.handed_off >= 3  # the warning, the move back, its notice, the board
        assert (await owner.roster(world)).speakers == set()
        fake.assert_no_spec_violations()
    finally:
        await owner.stop()
        await leader.stop()


async def test_a_shard_opened_twice_shows_up_as_double_handling(fake_discord, tmp_path: Path):
    """What the deployment must avoid, as Discord does it: both sessions of shard 0 receive its guilds' events."""
    fake = fake_discord
    world = next(w for shard, w in worlds_on_every_shard(fake).items() if shard == 0)
    first = ShardBot(fake, tmp_path / "one.db", shard_ids=[0])
    second = ShardBot(fake, tmp_path / "two.db", shard_ids=[0], synced=True)
    await first.start()
    await second.start()
    try:
        record = fake.run_slash_command(world.guild, world.stage, world.alice, "stage", "status")
        await fake.wait_response(record, timeout=10)
        await fake.wait_for(lambda: record.refused, timeout=10)
        assert len(record.responses) == 1 and record.refused  # the second answer: already acknowledged
    finally:
        await second.stop()
        await first.stop()


async def test_the_fake_refuses_an_invalid_shard_and_asks_for_sharding_past_its_limit(fake_discord, tmp_path: Path):
    fake = fake_discord
    worlds_on_every_shard(fake)
    fake.hub.max_guilds_per_shard = 2  # four guilds or more on one shard: Discord closes with 4011
    alone = Bot(fake, tmp_path / "podium.db")
    with pytest.raises(discord.ConnectionClosed) as refused:
        await alone.start()
    await alone.stop()
    assert refused.value.code == 4011
    explained = explain(refused.value, alone.discord_settings)
    assert explained is not None and explained.variable == "SHARD_COUNT" and "auto" in " ".join(explained.lines())
    async with aiohttp.ClientSession() as session, session.ws_connect(fake.gateway_url) as ws:
        await ws.receive_json()  # HELLO
        await ws.send_json({"op": 2, "d": {"token": fake.token, "intents": 1, "shard": [4, 4],
                                           "properties": {}}})
        closed = await ws.receive()
    assert closed.type == aiohttp.WSMsgType.CLOSE and closed.data == 4010


@pytest.mark.parametrize("env, fault", [
    ({"SHARD_IDS": "0,1"}, "SHARD_IDS needs SHARD_COUNT"),
    ({"SHARD_COUNT": "2", "SHARD_IDS": "0,2"}, "below SHARD_COUNT"),
    ({"SHARD_COUNT": "2", "SHARD_IDS": "1,1"}, "twice"),
    ({"SHARD_COUNT": "0"}, "greater than or equal to 1"),
    ({"SHARD_COUNT": "many"}, "SHARD_COUNT"),
])
def test_shard_settings_that_cannot_work_are_refused(env: dict[str, str], fault: str) -> None:
    with pytest.raises(ValidationError) as refused:
        DiscordSettings(_env_file=None, **env)
    assert fault.lower() in str(refused.value).lower() or fault in str(refused.value)


def test_auto_sharding_and_an_explicit_split_are_accepted() -> None:
    assert DiscordSettings(_env_file=None, SHARD_COUNT="auto").shard_count == "auto"
    split = DiscordSettings(_env_file=None, SHARD_COUNT="4", SHARD_IDS="2, 3")
    assert split.shard_count == 4 and split.shard_ids == [2, 3] and split.sharded
