"""`podium run` in a process of its own, as an operator starts and stops it (SIGTERM), for the e2e tests."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

from tests.fakes.slack import FakeSlack
from tests.support.slack import PATH, SECRET


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def start_slack_podium(fake: FakeSlack, folder: Path, port: int, *, database_url: str | None = None,
                             name: str = "podium") -> asyncio.subprocess.Process:
    """`python -m bot run` serving signed Slack requests on `port`, its database in `folder` (or at
    `database_url`, which several such processes may share: `name` is then each one's INSTANCE_NAME)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DISCORD_", "SLACK_"))}
    env.update({"SLACK_BOT_TOKEN": fake.token, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
                "SLACK_PORT": str(port), "SLACK_PATH": PATH, "INSTANCE_NAME": name,
                "DATABASE_URL": database_url or f"sqlite:///{folder / 'podium.db'}",
                "LOG_LEVEL": "WARNING", "RULES__MUST_BE_PRESENT": "false", "RULES__HAND_COOLDOWN": "0"})
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", env=env, cwd=folder,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    for _ in range(300):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return process
        except OSError:
            if process.returncode is not None:
                assert process.stderr is not None
                raise AssertionError((await process.stderr.read()).decode()[-2000:])
            await asyncio.sleep(0.05)
    raise AssertionError("podium run never listened")


async def stop_podium(process: asyncio.subprocess.Process, *, within: float = 20) -> str:
    """SIGTERM, then the process's stderr once it exited with status 0 within `within` seconds."""
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), within)
    assert process.returncode == 0, stderr.decode()[-3000:]
    return stderr.decode()
