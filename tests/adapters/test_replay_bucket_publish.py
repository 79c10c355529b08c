"""Publishing a replay kept in an S3-compatible bucket on Discord: attached up to the upload limit, beyond it a
presigned link to the bucket (or Podium's own signed link, which sends on to the bucket); the local copy leaves
the disk once posted. The bucket is moto's S3 server on 127.0.0.1."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from adapters.discord.recording.publish import post
from adapters.web.replays import replay_app
from bot.services.recordings import Replay
from tests.support.bucket import BUCKET, bucket, keys, s3_server, s3_settings  # noqa: F401 - fixtures
from tests.support.discord import make_world
from tests.support.recording import RecordingBot

LIMIT = 10 * 2**20  # a server without boosts
SECRET = "a-long-secret-for-replay-links"


async def started(fake, tmp_path: Path, endpoint: str, **more) -> RecordingBot:  # type: ignore[no-untyped-def]
    bot = RecordingBot(fake, tmp_path / "podium.db")
    bot.replay_dir = tmp_path / "replays"
    bot.replay_settings = s3_settings(endpoint, **more)
    await bot.start()
    return bot


async def published(bot: RecordingBot, world, body: bytes) -> Replay:  # type: ignore[no-untyped-def]
    await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
    stage_id = await bot.stage_id(world)
    await bot.command(world, world.alice, "stage", "close")
    assert bot.replay_dir is not None
    bot.replay_dir.mkdir(parents=True, exist_ok=True)
    (bot.replay_dir / f"{stage_id}.ogg").write_bytes(body)
    return await bot.app.recordings.published(Replay(
        id=stage_id, stage_id=stage_id, platform="discord", space_id=str(world.guild.id),
        channel_id=str(world.stage.id), title="Weekly AMA", file=f"{stage_id}.ogg", bytes=len(body), seconds=600.0,
        speakers=(), chapters=(), created_at=bot.clock.now(), expires_at=bot.clock.now()))


async def posted(bot: RecordingBot, fake, replay: Replay):  # type: ignore[no-untyped-def]
    before = set(fake.store.messages)
    assert bot.replay_dir is not None
    await post(bot.adapter.ctx, replay, bot.replay_dir / replay.file)
    new = [m for i, m in fake.store.messages.items() if i not in before]
    assert len(new) == 1
    return new[0]


@pytest.mark.parametrize("size", [LIMIT, LIMIT + 1])
async def test_a_replay_in_the_bucket_is_attached_or_linked_there(fake_discord, bucket, s3_server, tmp_path, size):
    world = make_world(fake_discord)
    bot = await started(fake_discord, tmp_path, s3_server)
    try:
        body = (b"OggS" * (size // 4 + 1))[:size]
        replay = await published(bot, world, body)
        assert keys(bucket) == [f"replays/{replay.file}"]
        message = await posted(bot, fake_discord, replay)
        if size <= LIMIT:
            assert [a["size"] for a in message.attachments] == [size] and s3_server not in message.content
        else:
            assert message.attachments == []
            url = re.search(rf"{re.escape(s3_server)}/\S+", message.content)
            assert url is not None and f"/{BUCKET}/replays/{replay.file}?" in url.group()
            assert "X-Amz-Expires=604800" in url.group()  # a week: the most S3 signs for, said in the message
            assert "This link works until" in message.content
            async with aiohttp.ClientSession() as http, http.get(url.group()) as answer:
                assert answer.status == 200 and await answer.read() == body
        assert bot.replay_dir is not None and not (bot.replay_dir / replay.file).exists()  # in the bucket only
        assert keys(bucket) == [f"replays/{replay.file}"]
    finally:
        await bot.stop()


async def test_podiums_own_link_sends_on_to_the_bucket(fake_discord, bucket, s3_server, tmp_path):
    world = make_world(fake_discord)
    bot = await started(fake_discord, tmp_path, s3_server, replay_link_secret=SecretStr(SECRET),
                        replay_public_url="https://podium.example")
    try:
        body = b"O" * (LIMIT + 1)
        replay = await published(bot, world, body)
        message = await posted(bot, fake_discord, replay)
        link = re.search(r"https://podium\.example(/replays/\S+)", message.content)
        assert link is not None and s3_server not in message.content  # lasts as long as the replay
        server = TestServer(replay_app(bot.app.recordings, SECRET))
        await server.start_server()
        try:
            async with aiohttp.ClientSession() as http:
                async with http.get(server.make_url(link.group(1)), allow_redirects=False) as answer:
                    assert answer.status == 302 and answer.headers["Location"].startswith(f"{s3_server}/{BUCKET}/")
                async with http.get(server.make_url(link.group(1))) as answer:
                    assert answer.status == 200 and await answer.read() == body
        finally:
            await server.close()
    finally:
        await bot.stop()
