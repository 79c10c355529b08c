"""`podium doctor` against the fake Discord and the fake Slack: a healthy set-up passes, then each fault an admin
meets is injected into the fakes and named with its fix; the real command exits non-zero on any ✗."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from adapters.discord import doctor as discord_doctor
from adapters.discord.cli import register
from adapters.discord.settings import DiscordSettings
from adapters.slack import doctor as slack_doctor
from adapters.slack.assembly import assemble
from adapters.slack.service import start_http
from adapters.slack.settings import SlackSettings
from bot.bootstrap import build
from bot.clock import ManualClock
from bot.config import Settings
from bot.doctor import Check, table
from tests.fakes.discord import FakeDiscord, permissions
from tests.fakes.slack import FakeSlack

PODIUM = str(Path(sys.executable).with_name("podium"))
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {check.name: check for check in checks}


def failures(checks: list[Check]) -> dict[str, tuple[str, str]]:
    return {c.name: (c.detail, c.fix) for c in checks if c.ok is False}


# ---- Discord ---------------------------------------------------------------------------------------------

def discord_settings(fake: FakeDiscord, **values: Any) -> DiscordSettings:
    return DiscordSettings(_env_file=None, **{"token": fake.token, "api_base": fake.api_base,
                                              "gateway_url": fake.gateway_url, **values})


def core(**rules: Any) -> Settings:
    return Settings(_env_file=None, rules=rules)


@pytest.fixture
async def discord_world() -> Any:
    async with FakeDiscord() as fake:
        guild = fake.add_guild("Podium Guild")
        stage = fake.add_stage_channel(guild, "town-hall")
        fake.add_text_channel(guild, "general")
        yield fake, guild, stage


async def test_a_healthy_discord_set_up_passes(discord_world: Any) -> None:
    fake, guild, _ = discord_world
    await register(discord_settings(fake))
    checks = await discord_doctor.checks(discord_settings(fake), core(cues=True), opus=lambda: True)
    assert failures(checks) == {}
    assert [c.name for c in checks] == ["discord token", "discord members intent", "discord server Podium Guild",
                                        "discord stage #town-hall", "discord commands", "libopus"]
    assert by_name(checks)["discord commands"].detail.endswith("registered and current")


async def test_a_token_discord_refuses(discord_world: Any) -> None:
    fake, _, _ = discord_world
    checks = await discord_doctor.checks(discord_settings(fake, token="MTIz.wrong.token"), core())
    assert failures(checks) == {"discord token": (
        "refused by Discord (401 Unauthorized)",
        "set DISCORD_TOKEN to the bot token (https://discord.com/developers/applications, Bot, Reset Token)")}


async def test_the_members_intent_switched_off(discord_world: Any) -> None:
    fake, _, _ = discord_world
    await register(discord_settings(fake))
    fake.store.privileged_intents.discard("members")
    found = failures(await discord_doctor.checks(discord_settings(fake), core()))
    assert list(found) == ["discord members intent"]
    assert found["discord members intent"][1].endswith("Bot, Privileged Gateway Intents")


async def test_permissions_missing_in_the_server_and_in_a_stage_channel(discord_world: Any) -> None:
    fake, guild, stage = discord_world
    await register(discord_settings(fake))
    bot_role = next(role for role in guild.roles.values() if role.name == fake.store.bot.username)
    bot_role.permissions &= ~permissions.MANAGE_ROLES
    guild.roles[guild.id].permissions &= ~permissions.EMBED_LINKS  # @everyone loses it, and the bot with it
    fake.set_overwrite(stage, bot_role.id, type=0, deny=permissions.CONNECT | permissions.MUTE_MEMBERS)
    found = failures(await discord_doctor.checks(discord_settings(fake), core()))
    assert found["discord server Podium Guild"][0] == "missing embed links, manage roles"
    assert found["discord stage #town-hall"] == (
        "missing embed links, connect, mute members, manage roles",
        "in the channel's settings, Permissions: allow these for Podium's role")


async def test_a_server_without_a_stage_channel(discord_world: Any) -> None:
    fake, guild, stage = discord_world
    other = fake.add_guild("Quiet Guild")
    fake.add_text_channel(other, "general")
    await register(discord_settings(fake))
    found = failures(await discord_doctor.checks(discord_settings(fake), core()))
    assert list(found) == ["discord server Quiet Guild stages"]


async def test_commands_missing_then_out_of_date(discord_world: Any) -> None:
    fake, _, _ = discord_world
    found = failures(await discord_doctor.checks(discord_settings(fake), core()))
    assert found["discord commands"][0].startswith("missing: /")
    assert found["discord commands"][1] == "podium discord sync"
    await register(discord_settings(fake))
    stored = next(iter(fake.store.global_commands.values()))
    stored["description"] = "an older description"
    found = failures(await discord_doctor.checks(discord_settings(fake), core()))
    assert found["discord commands"][0] == f"out of date: /{stored['name']}"


async def test_libopus_missing_while_cues_are_on(discord_world: Any) -> None:
    fake, _, _ = discord_world
    await register(discord_settings(fake))
    found = failures(await discord_doctor.checks(discord_settings(fake), core(cues=True), opus=lambda: False))
    assert found == {"libopus": ("not found: voice cues stay silent",
                                 "apt-get install libopus0 (the container image has it), or RULES__CUES=false")}
    off = by_name(await discord_doctor.checks(discord_settings(fake), core(), opus=lambda: False))
    assert off["libopus"].ok is None


async def test_discord_out_of_reach() -> None:
    settings = DiscordSettings(_env_file=None, token="MTIz.a.b", api_base="http://127.0.0.1:9/api/v10")
    found = failures(await discord_doctor.checks(settings, core()))
    assert list(found) == ["discord reachable"] and "ClientConnectorError" in found["discord reachable"][0]


# ---- Slack -----------------------------------------------------------------------------------------------

def slack_settings(fake: FakeSlack, **values: Any) -> SlackSettings:
    return SlackSettings(_env_file=None, **{"bot_token": fake.token, "signing_secret": SECRET,
                                            "api_url": fake.api_url, **values})


async def test_a_healthy_slack_set_up_passes_with_its_request_url(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        settings = slack_settings(fake)
        app = build(core(), clock=ManualClock(), database_url=f"sqlite:///{tmp_path / 'podium.db'}")
        await app.start()
        adapter = assemble(app, settings)
        runner, port = await start_http(adapter, host="127.0.0.1", port=0, path="/slack/events")
        try:
            url = f"http://127.0.0.1:{port}/slack/events"
            checks = await slack_doctor.checks(settings, slack_url=url)
            wrong = await slack_doctor.checks(slack_settings(fake, signing_secret="0" * 32), slack_url=url)
            missing = await slack_doctor.checks(settings, slack_url=f"http://127.0.0.1:{port}/elsewhere")
        finally:
            await runner.cleanup()
            await app.stop()
    assert failures(checks) == {} and [c.name for c in checks] == [
        "slack token", "slack scopes", "clock", "slack request url"]
    assert failures(wrong)["slack request url"][0].endswith("refused the signature (401)")
    assert failures(missing)["slack request url"][0].endswith("answered 404")


async def test_a_slack_token_slack_refuses() -> None:
    async with FakeSlack() as fake:
        found = failures(await slack_doctor.checks(slack_settings(fake, bot_token="xoxb-1-not-this-one")))
    assert found == {"slack token": (
        "refused by Slack (invalid_auth)",
        "set SLACK_BOT_TOKEN to the Bot User OAuth Token (https://api.slack.com/apps, OAuth & Permissions)")}


async def test_a_scope_the_workspace_did_not_grant() -> None:
    async with FakeSlack() as fake:
        fake.scopes.remove("groups:write")
        fake.scopes.remove("usergroups:read")
        found = failures(await slack_doctor.checks(slack_settings(fake)))
    assert found["slack scopes"][0] == "not granted: groups:write, usergroups:read"
    assert found["slack scopes"][1].endswith("then Reinstall to Workspace")


@pytest.mark.parametrize(("skew", "ok"), [(59, True), (61, False), (-400, False)])
async def test_a_clock_out_of_step_with_slacks(skew: float, ok: bool) -> None:
    async with FakeSlack() as fake:
        fake.clock_skew = skew
        clock = by_name(await slack_doctor.checks(slack_settings(fake)))["clock"]
    assert clock.ok is ok
    if not ok:  # the Date header counts whole seconds: the skew read is within one second of the one set
        side = "behind" if skew > 0 else "ahead of"
        assert clock.detail in {f"{abs(skew) + d} s {side} Slack's" for d in (-1, 0, 1)}


async def test_socket_mode_with_a_refused_app_token() -> None:
    async with FakeSlack() as fake:
        good = by_name(await slack_doctor.checks(slack_settings(fake, app_token=fake.app_token)))
        bad = failures(await slack_doctor.checks(slack_settings(fake, app_token="xapp-1-A0-000-not-this")))
    assert good["slack socket mode"].ok is True
    assert bad["slack socket mode"][0] == "SLACK_APP_TOKEN refused (invalid_auth)"


async def test_the_request_url_unchecked_without_slack_url() -> None:
    async with FakeSlack() as fake:
        unchecked = by_name(await slack_doctor.checks(slack_settings(fake)))["slack request url"]
    assert unchecked.ok is None and "--slack-url" in unchecked.detail


# ---- the command ---------------------------------------------------------------------------------------

async def test_podium_doctor_prints_the_table_and_fails_on_any_cross(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        guild = fake.add_guild("Podium Guild")
        fake.add_stage_channel(guild, "town-hall")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "DISCORD_TOKEN": fake.token,
               "DISCORD_API_BASE": fake.api_base, "DISCORD_GATEWAY_URL": fake.gateway_url}

        async def doctor() -> subprocess.CompletedProcess[str]:
            process = await asyncio.create_subprocess_exec(PODIUM, "doctor", cwd=tmp_path, env=env,
                                                           stdout=asyncio.subprocess.PIPE,
                                                           stderr=asyncio.subprocess.PIPE)
            out, err = await asyncio.wait_for(process.communicate(), 60)
            return subprocess.CompletedProcess([], process.returncode or 0, out.decode(), err.decode())

        first = await doctor()  # a fresh machine: no schema yet, commands never synced
        upgrade = subprocess.run([PODIUM, "db", "upgrade"], cwd=tmp_path, env=env, capture_output=True, timeout=60)
        assert upgrade.returncode == 0
        await register(discord_settings(fake))
        second = await doctor()
    assert first.returncode == 1 and first.stderr == ""
    lines = first.stdout.splitlines()
    assert lines[0].startswith("✓ settings") and lines[-1] == "2 problems found"
    assert any(line.startswith("✗ database migrated") for line in lines)
    assert "fix: podium db upgrade (podium run also upgrades at start)" in first.stdout
    assert "fix: podium discord sync" in first.stdout
    assert second.returncode == 0 and second.stdout.splitlines()[-1] == "all good", second.stdout
    assert "✗" not in second.stdout


def test_the_table_marks_and_fixes() -> None:
    rows = table([Check("settings", True, "fine"), Check("libopus", False, "not found", "apt-get install libopus0"),
                  Check("slack", None, "not served")])
    assert rows == ["✓ settings  fine", "✗ libopus   not found", "            fix: apt-get install libopus0",
                    "– slack     not served"]
