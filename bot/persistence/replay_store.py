"""Where published replays are kept: REPLAY_DIR on the bot's disk (the default), or an S3-compatible bucket.

REPLAY_DIR stays the working folder either way: the capture spools each voice there and the mix is written there,
because a strike after publication mixes the replay again from those spools. With a bucket, the mixed file is
uploaded when it is published, the local copy is dropped once it has been posted, and links point at the bucket.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Protocol

PRESIGN_MAX = 7 * 86400  # SigV4 presigned URLs are valid for a week at most


class ReplayStore(Protocol):
    remote: bool  # the published file lives elsewhere than REPLAY_DIR

    async def keep(self, name: str, path: Path) -> None:
        """Publishes the file written at ``path`` under ``name`` (replacing one of that name)."""

    async def drop(self, name: str) -> None:
        """Deletes ``name``; nothing happens if it is already gone."""

    async def link(self, name: str, *, seconds: int) -> str | None:
        """A URL anyone may fetch ``name`` from for ``seconds`` (capped by the store), or None when only Podium's
        own listener can serve it."""


class FolderReplayStore:
    """Replays kept where they were mixed, in REPLAY_DIR (which the recordings service cleans up itself); served
    by Podium's HTTP listener."""

    remote = False

    async def keep(self, name: str, path: Path) -> None:
        return None

    async def drop(self, name: str) -> None:
        return None

    async def link(self, name: str, *, seconds: int) -> str | None:
        return None


class BucketReplayStore:
    """Replays kept in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2...), under ``prefix``.

    boto3 is the maintained reference client for S3 and what every S3-compatible service documents; its calls
    block, so each runs in a worker thread, never on the event loop. The client is made on first use (nothing
    connects at start-up or import); credentials come from the settings or boto3's usual chain (AWS_* variables,
    ~/.aws, the instance's role)."""

    remote = True

    def __init__(self, bucket: str, *, prefix: str = "replays/", endpoint_url: str | None = None,
                 region: str | None = None, access_key_id: str | None = None,
                 secret_access_key: str | None = None) -> None:
        self.bucket, self.prefix = bucket, prefix
        self._options = {"endpoint_url": endpoint_url or None, "region_name": region or None,
                         "aws_access_key_id": access_key_id or None,
                         "aws_secret_access_key": secret_access_key or None}
        self._client: Any = None

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def _s3(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            # A custom endpoint (MinIO, a local server) rarely has a DNS name per bucket: path-style addresses.
            style = "path" if self._options["endpoint_url"] else "auto"
            self._client = boto3.session.Session().client(
                "s3", config=Config(signature_version="s3v4", s3={"addressing_style": style},
                                    retries={"max_attempts": 4, "mode": "standard"}), **self._options)
        return self._client

    async def keep(self, name: str, path: Path) -> None:
        def upload() -> None:
            self._s3().upload_file(str(path), self.bucket, self.key(name),
                                   ExtraArgs={"ContentType": "audio/ogg",
                                              "ContentDisposition": f'inline; filename="replay-{name}"'})
        await asyncio.to_thread(upload)

    async def drop(self, name: str) -> None:
        await asyncio.to_thread(lambda: self._s3().delete_object(Bucket=self.bucket, Key=self.key(name)))

    async def link(self, name: str, *, seconds: int) -> str | None:
        def presign() -> str:
            return str(self._s3().generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": self.key(name)},
                ExpiresIn=max(1, min(seconds, PRESIGN_MAX))))
        return await asyncio.to_thread(presign)
