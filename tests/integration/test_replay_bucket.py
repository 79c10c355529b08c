"""Replays kept in an S3-compatible bucket (REPLAY_S3_BUCKET): published there, linked there with presigned,
expiring URLs, deleted there on request and at the end of their retention. The bucket is a real S3 server on
127.0.0.1 (moto's), spoken to by boto3 as it would speak to AWS or MinIO."""

from __future__ import annotations

import urllib.parse
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.bootstrap import App
from bot.clock import ManualClock
from bot.domain import commands as c
from bot.services.recordings import Replay
from tests.support.apps import T0
from tests.support.bucket import BUCKET, KEYS, bucket, keys, s3_server, s3_settings  # noqa: F401 - fixtures
from tests.support.stages import HOST, PLATFORM, SPACE, open_live



async def published(app: App, folder: Path, body: bytes = b"OggS replay", channel: str = "chan-1") -> Replay:
    stage_id = await open_live(app, channel)
    await app.bus.handle(c.SetRules(actor=HOST, stage_id=stage_id, changes={"record": "on"}))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stage_id}.ogg").write_bytes(body)
    (folder / "sources" / stage_id).mkdir(parents=True, exist_ok=True)
    (folder / "sources" / stage_id / "carol.spool").write_bytes(b"frames")
    return await app.recordings.published(Replay(
        id=stage_id, stage_id=stage_id, platform=PLATFORM, space_id=SPACE, channel_id="chan-1", title="Town hall",
        file=f"{stage_id}.ogg", bytes=len(body), seconds=60.0, speakers=("carol",), chapters=(), created_at=T0,
        expires_at=T0))


async def test_a_published_replay_goes_to_the_bucket_and_leaves_the_disk_once_posted(apps, bucket, s3_server,
                                                                                   tmp_path) -> None:
    app = await apps.start(settings=s3_settings(s3_server, replay_dir=tmp_path))
    replay = await published(app, tmp_path, b"OggS the whole town hall")
    assert keys(bucket) == [f"replays/{replay.file}"]
    got = bucket.get_object(Bucket=BUCKET, Key=f"replays/{replay.file}")
    assert got["Body"].read() == b"OggS the whole town hall" and got["ContentType"] == "audio/ogg"
    assert (tmp_path / replay.file).exists()  # still there to be attached to the recap
    await app.recordings.release(replay)
    assert not (tmp_path / replay.file).exists()
    assert (tmp_path / "sources" / replay.stage_id / "carol.spool").exists()  # kept to mix it again after a strike


async def test_a_presigned_link_fetches_the_replay_for_the_time_asked(apps, bucket, s3_server, tmp_path) -> None:
    app = await apps.start(settings=s3_settings(s3_server, replay_dir=tmp_path))
    replay = await published(app, tmp_path, b"OggS linked")
    url = await app.recordings.store.link(replay.file, seconds=3600)
    assert url is not None and url.startswith(f"{s3_server}/{BUCKET}/replays/{replay.file}?")
    # The bucket enforces the signature and the end (moto's server does not check them, so the test reads what the
    # link asks for: signed with the replay's keys for an hour).
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["3600"] and len(query["X-Amz-Signature"][0]) == 64
    assert query["X-Amz-Credential"][0].startswith(f"{KEYS['aws_access_key_id']}/")
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as answer:
            assert answer.status == 200 and await answer.read() == b"OggS linked"
    # S3 signs links for a week at most: a longer retention gets a week.
    longest = await app.recordings.store.link(replay.file, seconds=30 * 86400)
    assert longest is not None and "X-Amz-Expires=604800" in longest


@pytest.mark.parametrize("days,kept", [(29, True), (30, False)])
async def test_retention_deletes_the_replay_from_the_bucket(apps, bucket, s3_server, tmp_path, days, kept) -> None:
    clock = ManualClock(T0)
    app = await apps.start(clock=clock, settings=s3_settings(s3_server, replay_dir=tmp_path))
    replay = await published(app, tmp_path)
    await app.recordings.release(replay)
    clock.advance(timedelta(days=days) - timedelta(seconds=1 if kept else 0))
    assert await app.recordings.purge() == ([] if kept else [replay.id])
    assert keys(bucket) == ([f"replays/{replay.file}"] if kept else [])
    assert (tmp_path / "sources" / replay.stage_id / "carol.spool").exists() is kept


async def test_deleting_a_replay_deletes_it_from_the_bucket(apps, bucket, s3_server, tmp_path) -> None:
    app = await apps.start(settings=s3_settings(s3_server, replay_dir=tmp_path))
    first = await published(app, tmp_path, b"OggS first")
    second = await published(app, tmp_path, b"OggS second", channel="chan-2")
    assert keys(bucket) == sorted([f"replays/{first.file}", f"replays/{second.file}"])
    await app.recordings.delete(first.id, HOST)
    assert keys(bucket) == [f"replays/{second.file}"]  # the other one stays
    assert not (tmp_path / first.file).exists()


async def test_a_bucket_that_refuses_keeps_the_replay_unpublished(apps, s3_server, tmp_path) -> None:
    app = await apps.start(settings=s3_settings(s3_server, replay_dir=tmp_path, replay_s3_bucket="no-such-bucket"))
    with pytest.raises(Exception, match="NoSuchBucket"):
        await published(app, tmp_path)
    assert await app.recordings.replays(PLATFORM, SPACE) == []  # nothing listed that cannot be fetched


def test_a_bucket_needs_both_keys_or_neither() -> None:
    from pydantic import ValidationError

    from bot.config import Settings

    with pytest.raises(ValidationError, match="REPLAY_S3_SECRET_ACCESS_KEY"):
        Settings(_env_file=None, replay_s3_bucket="b", replay_s3_access_key_id="id")
    assert Settings(_env_file=None, replay_s3_bucket="b").replay_s3_bucket == "b"  # AWS_* or the instance's role
