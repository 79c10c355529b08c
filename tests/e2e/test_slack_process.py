"""`podium run` as a separate process, reaching the fake Slack through SLACK_API_URL and serving signed
requests on SLACK_PORT: a stage opened, a hand raised, a restart, and the same board edited after it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

from tests.support.slack import PATH, SECRET, eventually, populate
from tests.fakes.slack import FakeSlack, SlackSender


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def start_podium(fake: FakeSlack, folder: Path, port: int) -> asyncio.subprocess.Process:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DISCORD_", "SLACK_"))}
    env.update({"SLACK_BOT_TOKEN": fake.token, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
                "SLACK_PORT": str(port), "SLACK_PATH": PATH, "DATABASE_URL": f"sqlite:///{folder / 'podium.db'}",
                "LOG_LEVEL": "WARNING", "RULES__MUST_BE_PRESENT": "false", "RULES__HAND_COOLDOWN": "0"})
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", env=env, cwd=folder,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    for _ in range(300):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return process
        except OSError:
            assert process.returncode is None, (await process.stderr.read()).decode()[-2000:]
            await asyncio.sleep(0.05)
    raise AssertionError("podium run never listened")


async def stop_podium(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, stderr.decode()[-3000:]
    return stderr.decode()


async def test_podium_run_serves_slack_across_a_restart(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        people, room = populate(fake)
        port = free_port()
        url = f"http://127.0.0.1:{port}{PATH}"
        process = await start_podium(fake, tmp_path, port)
        try:
            async with SlackSender(url, SECRET, fake) as slack:
                opened = await slack.slash_command("/stage", 'open "Out of process"', user=people["alice"],
                                                   channel=room)
                assert opened.status == 200 and opened.in_time
                [post] = await fake.wait_for("chat.postMessage", channel=room.id, timeout=10)
                raised = await slack.slash_command("/stage", "raise", user=people["bob"], channel=room)
                assert raised.status == 200
                await eventually(lambda: any("#1" in p.get("text", "") for p in fake.responses), timeout=10)
        finally:
            stderr = await stop_podium(process)
        assert "Traceback" not in stderr

        process = await start_podium(fake, tmp_path, port)
        try:
            async with SlackSender(url, SECRET, fake) as slack:
                await slack.slash_command("/stage", "raise", user=people["carol"], channel=room)
                await fake.wait_for("chat.update", ts=post.response["ts"], count=2, timeout=10)
                forged = await slack.slash_command("/stage", "close", user=people["alice"], channel=room,
                                                   forge="bad_signature")
                assert forged.status == 401
        finally:
            stderr = await stop_podium(process)
        assert "Traceback" not in stderr
        board = fake.messages(room.id)[0]
        assert people["carol"].id in str(board.blocks) and people["bob"].id in str(board.blocks)
        fake.assert_no_spec_violations()
