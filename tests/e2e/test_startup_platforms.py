"""`podium run` in a subprocess against the fake platforms, with a token each refuses: three lines naming the
setting, exit status 2, no traceback; the Slack port already taken alike."""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path

from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import FakeSlack

PODIUM = str(Path(sys.executable).with_name("podium"))


async def podium_run(tmp_path: Path, **env: str) -> tuple[int, list[str]]:
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SINGLE_CPU": "false", "LOG_LEVEL": "WARNING"}
    process = await asyncio.create_subprocess_exec(
        PODIUM, "run", cwd=tmp_path, env={**base, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, err.decode().splitlines()


def last_three(lines: list[str]) -> list[str]:
    assert not any("Traceback" in line for line in lines), lines
    start = next(i for i, line in enumerate(lines) if line.startswith("podium: "))
    assert len(lines) - start <= 3, lines
    return lines[start:]


async def test_a_discord_token_discord_refuses(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        code, lines = await podium_run(tmp_path, DISCORD_TOKEN="MTIz.not.this-one", DISCORD_API_BASE=fake.api_base,
                                       DISCORD_GATEWAY_URL=fake.gateway_url)
    assert code == 2
    assert last_three(lines) == [
        'podium: DISCORD_TOKEN="MTIz…": is refused by Discord (401 Unauthorized)',
        "  expected: the bot token of your application (https://discord.com/developers/applications, Bot, "
        "Reset Token)"]


async def test_a_slack_token_slack_refuses(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        code, lines = await podium_run(tmp_path, SLACK_BOT_TOKEN="xoxb-0000000001-not-this-one",
                                       SLACK_SIGNING_SECRET="8f742231b10e8888abcd99yyyzzz85a5", SLACK_API_URL=fake.api_url)
    assert code == 2
    assert last_three(lines) == [
        'podium: SLACK_BOT_TOKEN="xoxb…": is refused by Slack (invalid_auth)',
        "  expected: the token from your app's page at api.slack.com/apps (OAuth & Permissions for xoxb-, Basic "
        "Information for xapp-)"]


async def test_a_slack_port_already_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with FakeSlack() as fake:
            code, lines = await podium_run(tmp_path, SLACK_BOT_TOKEN=fake.token, SLACK_API_URL=fake.api_url,
                                           SLACK_SIGNING_SECRET="8f742231b10e8888abcd99yyyzzz85a5", SLACK_PORT=str(port))
    assert code == 2
    assert last_three(lines) == [
        f'podium: SLACK_PORT="{port}": cannot be listened on (address already in use)',
        "  expected: a free port (another process holds this one)"]


async def test_discord_out_of_reach_at_podium_run(tmp_path: Path) -> None:
    code, lines = await podium_run(tmp_path, DISCORD_TOKEN="MTIz.abc.def", DISCORD_API_BASE="http://127.0.0.1:9/api/v10")
    assert code == 2
    shown = last_three(lines)
    assert shown[0].startswith('podium: DISCORD_API_BASE="http://127.0.0.1:9/api/v10": cannot be reached (')
    assert shown[1] == "  expected: Discord's API reachable from this host (network, DNS, proxy), or your proxy's URL"


async def test_the_metrics_port_already_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with FakeDiscord() as fake:
            code, lines = await podium_run(tmp_path, DISCORD_TOKEN=fake.token, DISCORD_API_BASE=fake.api_base,
                                           DISCORD_GATEWAY_URL=fake.gateway_url, METRICS_PORT=str(port))
    assert code == 2
    assert last_three(lines) == [f'podium: METRICS_PORT="{port}": cannot be listened on (address already in use)',
                                 "  expected: a free port, or leave METRICS_PORT empty"]
