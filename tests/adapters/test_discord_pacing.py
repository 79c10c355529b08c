"""Bulk Discord work is paced: a stage closing with many speakers draws no 429 from hidden limits."""

from __future__ import annotations

import asyncio
import time

from adapters.pacing import Pacer
from tests.support.discord import bot, podium_errors, world  # noqa: F401 - fixtures

VOICE_PATCH = "PATCH /guilds/{guild_id}/voice-states/{user_id}"


async def test_a_pacer_lets_a_burst_through_then_spaces_the_rest_per_key():
    pacer = Pacer(rate=50.0, burst=2)
    started = time.perf_counter()
    moments = []
    for _ in range(6):
        await pacer.wait("guild")
        moments.append(time.perf_counter() - started)
    await pacer.wait("another guild")  # its own bucket: no wait
    assert moments[1] < 0.01 and time.perf_counter() - started - moments[-1] < 0.01
    assert 0.07 <= moments[-1] < 0.2  # four calls beyond the burst, 20 ms apart
    waits = await asyncio.gather(*(_timed(pacer, "crowd") for _ in range(4)))
    assert waits[0] < 0.01 and waits[1] < 0.01 and 0.015 < waits[2] < waits[3]  # served in arrival order


async def _timed(pacer: Pacer, key: str) -> float:
    started = time.perf_counter()
    await pacer.wait(key)
    return time.perf_counter() - started


async def test_closing_a_stage_with_ten_speakers_stays_under_a_hidden_limit(world, bot):
    fake = world.fake
    crowd = [fake.add_member(world.guild, f"speaker{n}").user for n in range(10)]
    for user in crowd:
        fake.member_join_voice(world.guild, user, world.stage)
    await bot.command(world, world.alice, "stage", "open", title="Panel")
    await bot.command(world, world.bob, "stage", "rules", changes="max_speakers=10")
    for user in crowd:  # brought up with Discord's own controls: the core approves them, no call needed
        world.guild.voice_states[user.id].suppress = False
        fake.emit_voice_state(world.guild, world.guild.voice_states[user.id])
    await bot.settle()
    assert len((await bot.roster(world)).speakers) == 10
    fake.limit(VOICE_PATCH, 5, 1.0, hidden=True)  # a sub-limit Discord's headers do not reveal
    await bot.command(world, world.bob, "stage", "close")
    await fake.wait_for(lambda: all(fake.voice_state(world.guild, u).suppress for u in crowd), timeout=6)
    calls = fake.calls(VOICE_PATCH)
    assert len(calls) == 10 and not fake.calls(status=429)
