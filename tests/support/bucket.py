"""A real S3-compatible server on 127.0.0.1 (moto's), and an empty bucket on it for each test."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from pydantic import SecretStr
from moto.server import ThreadedMotoServer

BUCKET = "podium-replays"
KEYS = {"aws_access_key_id": "podium-test", "aws_secret_access_key": "podium-test-secret"}


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_server: str) -> Iterator[Any]:
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1", **KEYS)
    client.create_bucket(Bucket=BUCKET)
    try:
        yield client
    finally:
        for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=item["Key"])
        client.delete_bucket(Bucket=BUCKET)


def s3_settings(endpoint: str, **more: Any) -> dict[str, Any]:
    """REPLAY_S3_* pointing at the test's bucket, with explicit keys."""
    return {"replay_s3_bucket": BUCKET, "replay_s3_endpoint_url": endpoint, "replay_s3_region": "us-east-1",
            "replay_s3_access_key_id": KEYS["aws_access_key_id"],
            "replay_s3_secret_access_key": SecretStr(KEYS["aws_secret_access_key"]), **more}


def keys(client: Any) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))
