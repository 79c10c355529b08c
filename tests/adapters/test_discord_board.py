"""The board: one message per live stage, edited at most once a second, with buttons that outlive restarts."""

from __future__ import annotations

import asyncio
from pathlib import Path

import discord
import pytest

from tests.support.discord import (  # noqa: F401 - fixtures
    Bot, bot, channel_posts, dms, embed_text, mention, podium_errors, reply, world)

EDIT = "PATCH /channels/{channel_id}/messages/{message_id}"


@pytest.fixture
async def paced_bot(world, tmp_path: Path, podium_errors):
    running = Bot(world.fake, tmp_path / "podium.db", board_interval=1.0)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


def boards(world) -> list:
    return [m for m in channel_posts(world.fake, world.stage) if m.embeds and "Queue" in embed_text(m.embeds[0])]


async def test_edits_are_coalesced_to_one_a_second_however_many_events_arrive(world, paced_bot):
    fake, bot = world.fake, paced_bot
    members = [fake.add_member(world.guild, f"member{n:02d}").user for n in range(40)]
    for user in members:
        fake.member_join_voice(world.guild, user, world.stage)
    await bot.command(world, world.alice, "stage", "open", title="Busy")
    for user in members:
        fake.member_request_to_speak(world.guild, user)
        await asyncio.sleep(0.05)  # 40 hands over two seconds
    await fake.wait_for(lambda: "Queue (40)" in bot.board_text(world), timeout=5)
    await bot.settle()
    edits = [c.at for c in fake.calls(EDIT)]
    assert 2 <= len(edits) <= 5
    assert min(later - earlier for earlier, later in zip(edits, edits[1:])) >= 0.95
    assert len(boards(world)) == 1


async def test_buttons_keep_working_after_a_restart_on_the_same_board(world, bot):
    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    stage_id = await bot.stage_id(world)
    board = bot.board(world)
    await bot.restart()
    pressed = await bot.press(world, world.carol, f"podium:raise:{stage_id}", message=board)
    assert reply(pressed) == "Hand raised, you are #1."
    await world.fake.wait_for(lambda: mention(world.carol) in bot.board_text(world))
    assert [m.id for m in boards(world)] == [board.id]


async def test_closing_ends_the_discord_stage_returns_speakers_and_posts_the_recap(world, bot):
    fake = world.fake
    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    for user in (world.carol, world.dave):
        fake.member_request_to_speak(world.guild, user)
    await bot.settle()
    await bot.command(world, world.bob, "speaker", "next")
    assert not fake.voice_state(world.guild, world.carol).suppress
    closed = await bot.command(world, world.bob, "stage", "close")
    assert reply(closed) == "Stage “Weekly AMA” has ended."
    assert fake.voice_state(world.guild, world.carol).suppress
    assert world.stage.id not in world.guild.stage_instances
    board = boards(world)[-1]
    assert board.components == [] and "This stage has ended." in embed_text(board.embeds[0])
    recap = [m for m in channel_posts(fake, world.stage) if m.embeds and "Recap of" in embed_text(m.embeds[0])]
    assert len(recap) == 1 and "1 served, 1 still waiting" in embed_text(recap[0].embeds[0])
    assert "The stage “Weekly AMA” has ended; your hand was lowered." in dms(fake, world.dave)


async def test_a_stage_ended_in_discord_closes_in_podium(world, bot):
    fake = world.fake
    from tests.fakes.discord.rest_voice import close_stage

    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    close_stage(fake, world.guild, world.guild.stage_instances[world.stage.id])  # a moderator clicks "End stage"
    await bot.settle()
    recap = [m for m in channel_posts(fake, world.stage) if m.embeds and "Recap of" in embed_text(m.embeds[0])]
    assert len(recap) == 1
    assert "no live stage" in reply(await bot.command(world, world.carol, "hand", "raise")).lower()


async def test_a_board_posted_but_not_recorded_before_a_crash_is_found_not_posted_twice(world, bot):
    # The process died between Discord's answer to the post and the record of its id: at the next start the
    # board is looked for among the channel's recent messages (its buttons name the stage), not posted anew.
    from sqlalchemy import text

    await bot.command(world, world.alice, "stage", "open", title="Crash")
    stage_id = await bot.stage_id(world)
    board = bot.board(world)
    with bot.app.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM board_message WHERE stage_id = :id"), {"id": stage_id})
    await bot.restart()
    await bot.settle()
    assert [m.id for m in boards(world)] == [board.id]
    stored = await bot.app.boards.get(stage_id)
    assert stored is not None and stored.message_id == str(board.id)
    await bot.command(world, world.carol, "hand", "raise")
    await world.fake.wait_for(lambda: mention(world.carol) in bot.board_text(world))
    assert [m.id for m in boards(world)] == [board.id]


async def test_a_repeated_post_with_the_same_nonce_is_answered_with_the_first(world, bot):
    # What Discord does with enforce_nonce, which the bot sets on every post it may repeat.
    from tests.support.fake_discord_world import raw

    path = f"/channels/{world.stage.id}/messages"
    first = await raw(world.fake, "POST", path, json={"content": "once", "nonce": "n-1", "enforce_nonce": True})
    again = await raw(world.fake, "POST", path, json={"content": "once", "nonce": "n-1", "enforce_nonce": True})
    other = await raw(world.fake, "POST", path, json={"content": "once", "nonce": "n-1"})
    assert first[0] == again[0] == other[0] == 200
    assert first[2]["id"] == again[2]["id"] != other[2]["id"]


class _SlowToArrive(discord.abc.Messageable):
    """A channel whose edits reach Discord after the delays given, one per edit in turn (a busy loop or network
    holding a request back), each answered as soon as it arrives."""

    def __init__(self, delays: list[float]) -> None:
        self.delays, self.arrived = delays, []

    async def _get_channel(self):  # pragma: no cover - discord.abc.Messageable requires it; never sent through
        return self

    def get_partial_message(self, message_id: int):
        channel = self

        class Partial:
            async def edit(self, **_: object) -> None:
                await asyncio.sleep(channel.delays.pop(0) if channel.delays else 0.0)
                channel.arrived.append(asyncio.get_running_loop().time())

        return Partial()


async def test_edits_reach_discord_a_full_interval_apart_however_long_each_took_to_get_there() -> None:
    from types import SimpleNamespace

    from adapters.discord.boards import BoardPublisher

    channel = _SlowToArrive([0.3, 0.0, 0.0])
    client = SimpleNamespace(get_channel=lambda _id: channel)
    async def stored(_stage_id: str):
        return SimpleNamespace(message_id="1")
    async def locale(*_: object) -> str:
        return "en"
    app = SimpleNamespace(boards=SimpleNamespace(get=stored), locales=SimpleNamespace(for_space=locale))
    publisher = BoardPublisher(client=client, app=app, reporter=None, content=lambda board, locale: {},
                               interval=0.5)
    ref = SimpleNamespace(stage_id="s1", channel_id="10", space_id="g1")
    for version in range(1, 4):
        publisher.show(SimpleNamespace(ref=ref, version=version, taken_at=version))
        while channel.delays and len(channel.arrived) < version:
            await asyncio.sleep(0.01)
    await publisher.final(SimpleNamespace(ref=ref, version=9, taken_at=9))
    gaps = [later - earlier for earlier, later in zip(channel.arrived, channel.arrived[1:])]
    assert gaps and min(gaps) >= 0.5 - 0.01, gaps  # one edit held back 0.3 s on its way: the next still waits
