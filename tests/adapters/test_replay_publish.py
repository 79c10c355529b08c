"""Publishing a replay on Discord: attached up to the server's upload limit, else a signed, expiring link served
by Podium's HTTP listener; a link tampered with, expired, or to a deleted replay gives nothing."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from adapters.discord.recording.publish import post
from adapters.web.replays import replay_app
from bot.domain.members import Actor
from bot.services.recordings import Replay
from bot.services.replay_links import signed_url, valid
from tests.support.recording import RecordingBot
from tests.support.discord import make_world

LIMIT = 10 * 2**20  # a server without boosts
SECRET = "a-long-secret-for-replay-links"


async def started(fake, tmp_path: Path) -> RecordingBot:  # type: ignore[no-untyped-def]
    bot = RecordingBot(fake, tmp_path / "podium.db")
    bot.replay_dir = tmp_path / "replays"
    bot.replay_settings = {"replay_link_secret": SecretStr(SECRET), "replay_public_url": "https://podium.example"}
    await bot.start()
    return bot


async def published(bot: RecordingBot, world, size: int) -> Replay:  # type: ignore[no-untyped-def]
    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    stage_id = await bot.stage_id(world)
    await bot.command(world, world.alice, "stage", "close")
    folder = bot.replay_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stage_id}.ogg").write_bytes(b"O" * size)
    return await bot.app.recordings.published(Replay(
        id=stage_id, stage_id=stage_id, platform="discord", space_id=str(world.guild.id),
        channel_id=str(world.stage.id), title="Weekly AMA", file=f"{stage_id}.ogg", bytes=size, seconds=600.0,
        speakers=(), chapters=(), created_at=bot.clock.now(), expires_at=bot.clock.now()))


@pytest.mark.parametrize("size,attached", [(LIMIT - 1, True), (LIMIT, True), (LIMIT + 1, False)])
async def test_a_replay_is_attached_up_to_the_upload_limit_and_linked_beyond(fake_discord, tmp_path, size, attached):
    world = make_world(fake_discord)
    bot = await started(fake_discord, tmp_path)
    try:
        replay = await published(bot, world, size)
        before = set(fake_discord.store.messages)
        await post(bot.adapter.ctx, replay, bot.replay_dir / replay.file)
        new = [m for i, m in fake_discord.store.messages.items() if i not in before]
        assert len(new) == 1 and new[0].channel_id == world.stage.id
        assert f"Replay {replay.id} of “Weekly AMA” (10 min" in new[0].content
        if attached:
            assert [a["size"] for a in new[0].attachments] == [size]
            assert "https://podium.example/replays/" not in new[0].content
        else:
            assert new[0].attachments == []
            assert f"https://podium.example/replays/{replay.id}.ogg?expires=" in new[0].content
        kept = await bot.app.recordings.replay(replay.id)
        assert kept.posted_message_id == str(new[0].id)
    finally:
        await bot.stop()


async def test_the_fake_refuses_an_upload_over_the_limit_as_discord_does(fake_discord, tmp_path):
    import discord

    world = make_world(fake_discord)
    bot = await started(fake_discord, tmp_path)
    try:
        channel = bot.adapter.client.get_channel(world.text.id)
        big = tmp_path / "big.ogg"
        big.write_bytes(b"O" * (LIMIT + 1))
        with pytest.raises(discord.HTTPException) as refused:
            await channel.send("too big", file=discord.File(big))
        assert refused.value.status == 413 and refused.value.code == 40005
    finally:
        await bot.stop()


async def test_a_signed_link_serves_the_replay_until_it_expires(fake_discord, tmp_path):
    world = make_world(fake_discord)
    bot = await started(fake_discord, tmp_path)
    try:
        replay = await published(bot, world, 4096)
        expires = int(replay.expires_at.timestamp())
        now = [expires - 1.0]
        server = TestServer(replay_app(bot.app.recordings, SECRET, now=lambda: now[0]))
        await server.start_server()
        base = str(server.make_url(""))
        try:
            async with aiohttp.ClientSession() as http:
                url = signed_url(base, replay.id, expires, SECRET)
                async with http.get(url) as answer:
                    assert answer.status == 200 and answer.headers["Content-Type"] == "audio/ogg"
                    assert await answer.read() == (bot.replay_dir / replay.file).read_bytes()
                tampered = url.replace(replay.id, "0" * len(replay.id))
                async with http.get(tampered) as answer:
                    assert answer.status == 403
                longer = signed_url(base, replay.id, expires, SECRET).replace(f"expires={expires}",
                                                                            f"expires={expires + 86400}")
                async with http.get(longer) as answer:
                    assert answer.status == 403  # the end is signed too
                now[0] = float(expires)
                async with http.get(url) as answer:
                    assert answer.status == 403  # expired at its end, to the second
                now[0] = expires - 1.0
                await bot.app.recordings.delete(replay.id, Actor(str(world.alice.id), platform_moderator=True))
                async with http.get(url) as answer:
                    assert answer.status == 404  # deleted: gone for good
        finally:
            await server.close()
    finally:
        await bot.stop()


@pytest.mark.parametrize("offset,ok", [(-1, False), (0, False), (1, True)])
def test_a_link_is_valid_strictly_before_its_end(offset: int, ok: bool) -> None:
    from bot.services.replay_links import signature

    assert valid("abc", "1000", signature("abc", 1000, SECRET), SECRET, now=1000 - offset) is ok
    assert not valid("abc", "1000", signature("abc", 1000, "another-secret"), SECRET, now=0)
    assert not valid("abc", "soon", "x", SECRET, now=0)


def test_links_need_their_own_secret_not_a_placeholder() -> None:
    from pydantic import ValidationError

    from bot.config import Settings

    with pytest.raises(ValidationError, match="REPLAY_LINK_SECRET"):
        Settings(_env_file=None, replay_link_secret="changeme")
    assert Settings(_env_file=None, replay_retention_days=30).replay_retention_days == 30
    for days in (0, 3651):
        with pytest.raises(ValidationError):
            Settings(_env_file=None, replay_retention_days=days)
