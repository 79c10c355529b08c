"""`podium run` as an operator runs it, against the fake Discord: the health listener answers from the real
process, /readyz turns ready once Discord is connected, /metrics counts the REST calls, and SIGTERM stops the
process cleanly (status 0) well within 10 s."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from tests.fakes.discord import FakeDiscord

PODIUM = str(Path(sys.executable).with_name("podium"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def get(port: int, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}{path}") as response:
        return response.status, await response.text()


async def test_health_metrics_and_a_clean_stop_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    async with FakeDiscord(heartbeat_interval_ms=500) as fake:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "SINGLE_CPU": "false",
               "DISCORD_TOKEN": fake.token, "DISCORD_API_BASE": fake.api_base,
               "DISCORD_GATEWAY_URL": fake.gateway_url, "METRICS_PORT": str(port), "LOG_FORMAT": "json"}
        process = await asyncio.create_subprocess_exec(PODIUM, "run", cwd=tmp_path, env=env,
                                                       stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            ready: tuple[int, str] = (0, "")
            for _ in range(300):  # the process starts, migrates and connects; each try waits 0.1 s
                try:
                    ready = await get(port, "/readyz")
                except aiohttp.ClientConnectionError:
                    ready = (0, "")
                if ready[0] == 200:
                    break
                await asyncio.sleep(0.1)
            assert ready[0] == 200, ready
            assert json.loads(ready[1])["checks"]["discord"] == "connected"
            assert await get(port, "/healthz") == (200, "ok\n")
            status, metrics = await get(port, "/metrics")
            assert status == 200 and 'podium_platform_calls_total{platform="discord",route="GET /users/@me",' \
                                      'status="200"} 1.0' in metrics
            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), 10)  # the stop is bounded: 8 s for the adapters
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        assert process.stderr is not None
        lines = (await process.stderr.read()).decode().splitlines()
    assert code == 0, lines[-20:]
    records = [json.loads(line) for line in lines]
    assert any(r["message"].startswith("stopping: finishing in-flight commands") for r in records)
    assert not any(r["level"] in {"ERROR", "CRITICAL"} for r in records), records
