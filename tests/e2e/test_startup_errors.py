"""What an admin sees when Podium cannot start: the real `podium` command in a subprocess, each case of issue
13 with its exact input, the one-to-three lines naming the setting, and exit status 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PODIUM = str(Path(sys.executable).with_name("podium"))


def podium(tmp_path: Path, *args: str, dotenv: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    if dotenv is not None:
        (tmp_path / ".env").write_text(dotenv, encoding="utf-8")
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SINGLE_CPU": "false"}
    return subprocess.run([PODIUM, *args], capture_output=True, text=True, cwd=tmp_path, env={**base, **env},
                          timeout=60)


def refused(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The admin's lines: stderr must hold nothing else, no traceback, and the status must be 2."""
    lines = result.stderr.splitlines()
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert 1 <= len(lines) <= 3 and "Traceback" not in result.stderr, result.stderr
    assert "Value error" not in result.stderr
    return lines


# ---- the database ----------------------------------------------------------------------------------------

def test_a_url_that_is_no_url(tmp_path: Path) -> None:
    assert refused(podium(tmp_path, "db", "upgrade", DATABASE_URL="nonsense")) == [
        'podium: DATABASE_URL="nonsense": is not a database URL',
        "  expected: postgresql://USER:PASSWORD@HOST:5432/DATABASE, sqlite:///PATH, or empty for SQLite at "
        "SQLITE_PATH"]


def test_a_database_podium_does_not_support(tmp_path: Path) -> None:
    assert refused(podium(tmp_path, "run", DATABASE_URL="mysql://podium@db/podium"))[0] == (
        'podium: DATABASE_URL="mysql://podium@db/podium": names a database Podium does not support (mysql)')


@pytest.mark.postgres
@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_the_urls_hosts_hand_out_are_accepted(tmp_path: Path, scheme: str) -> None:
    result = podium(tmp_path, "db", "current", DATABASE_URL=f"{scheme}://127.0.0.1:5432/test")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("database: ") and result.stderr == ""


def test_a_refused_connection_names_the_url_with_its_password_masked(tmp_path: Path) -> None:
    lines = refused(podium(tmp_path, "db", "upgrade", DATABASE_URL="postgres://podium:hunter2@127.0.0.1:1/podium"))
    assert lines[0].startswith('podium: DATABASE_URL="postgres://podium:***@127.0.0.1:1/podium": cannot use the '
                               "database (connection failed: ")
    assert "Connection refused" in lines[0] and "hunter2" not in "".join(lines)
    assert lines[1] == "  expected: a running PostgreSQL server and a role that may log in (see README, PostgreSQL)"


def test_a_refused_connection_stops_podium_run_alike(tmp_path: Path) -> None:
    lines = refused(podium(tmp_path, "run", DATABASE_URL="postgresql://podium:hunter2@127.0.0.1:1/podium",
                           DISCORD_TOKEN="abc.def.ghi", LOG_LEVEL="WARNING"))
    assert lines[0].startswith('podium: DATABASE_URL="postgresql://podium:***@127.0.0.1:1/podium": cannot use')


def test_a_sqlite_path_nobody_can_write(tmp_path: Path) -> None:
    assert refused(podium(tmp_path, "db", "upgrade", SQLITE_PATH="/proc/podium.db")) == [
        'podium: SQLITE_PATH="/proc/podium.db": cannot open the SQLite database (unable to open database file)',
        "  expected: a file in a directory Podium may write, e.g. data/podium.db"]


def test_a_traceback_only_with_log_level_debug(tmp_path: Path) -> None:
    result = podium(tmp_path, "db", "upgrade", SQLITE_PATH="/proc/podium.db", LOG_LEVEL="DEBUG")
    assert result.returncode == 2
    assert result.stderr.startswith('podium: SQLITE_PATH="/proc/podium.db"')
    assert "Traceback (most recent call last)" in result.stderr and "OperationalError" in result.stderr


# ---- rules -------------------------------------------------------------------------------------------------

def test_a_short_limit_moves_the_default_warning_and_says_so(tmp_path: Path) -> None:
    result = podium(tmp_path, "db", "upgrade", RULES__SPEAKING_TIME_LIMIT="20")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0].endswith(
        "WARNING bot.config: RULES__WARN_BEFORE: the default 30 s is not below RULES__SPEAKING_TIME_LIMIT=20; "
        "speakers are warned 10 s before the end (set RULES__WARN_BEFORE to choose)")


def test_a_warning_set_above_the_limit_names_the_pair_and_the_fix(tmp_path: Path) -> None:
    assert refused(podium(tmp_path, "run", RULES__SPEAKING_TIME_LIMIT="20", RULES__WARN_BEFORE="30")) == [
        'podium: RULES__WARN_BEFORE="30": is not below RULES__SPEAKING_TIME_LIMIT=20',
        "  expected: RULES__WARN_BEFORE below 20 (e.g. RULES__WARN_BEFORE=10) or a longer limit"]


def test_rules_read_durations_as_chat_does(tmp_path: Path) -> None:
    from bot.config import Settings

    result = podium(tmp_path, "db", "upgrade", RULES__SPEAKING_TIME_LIMIT="2m", RULES__HAND_COOLDOWN="1h")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    rules = Settings(_env_file=None, rules={"speaking_time_limit": "2m", "hand_cooldown": "1h"}).default_rules
    assert (rules.speaking_time_limit, rules.hand_cooldown, rules.warn_before) == (120, 3600, 30)


def test_an_unknown_rule_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    assert refused(podium(tmp_path, "run", RULES__COLOUR="blue"))[0].startswith(
        'podium: RULES__COLOUR="blue": is not a Podium setting')
    assert refused(podium(tmp_path, "run", RULES__MAX_SPEKAERS="3"))[0] == (
        'podium: RULES__MAX_SPEKAERS="3": is not a Podium setting (did you mean RULES__MAX_SPEAKERS?)')


def test_a_rule_error_names_the_variable_and_echoes_the_value(tmp_path: Path) -> None:
    assert refused(podium(tmp_path, "run", RULES__MAX_SPEAKERS="0")) == [
        'podium: RULES__MAX_SPEAKERS="0": is not accepted', "  expected: a whole number from 1 to 100"]
    assert refused(podium(tmp_path, "run", RULES__MAX_SPEAKERS="101"))[0] == (
        'podium: RULES__MAX_SPEAKERS="101": is not accepted')
    assert refused(podium(tmp_path, "run", RULES__MAX_SPEAKERS="٣"))[0] == (
        'podium: RULES__MAX_SPEAKERS="٣": is not accepted')


@pytest.mark.parametrize("rule", ["IDLE_CLOSE", "SPEAKING_TIME_LIMIT", "HAND_COOLDOWN"])
def test_unbounded_rule_defaults_are_refused(tmp_path: Path, rule: str) -> None:
    assert refused(podium(tmp_path, "run", **{f"RULES__{rule}": "100000000000000"})) == [
        f'podium: RULES__{rule}="100000000000000": is not accepted',
        "  expected: a duration such as 90s, 5m or 1h, at most 24 h"]


def test_rule_bounds_are_the_chat_bounds_at_the_limit(tmp_path: Path) -> None:
    from bot.config import Settings
    from bot.startup import StartupError, load

    assert Settings(_env_file=None, rules={"idle_close": "86400"}).default_rules.idle_close == 86400
    with pytest.raises(StartupError) as error:
        load(Settings, _env_file=None, rules={"idle_close": "86401"})
    assert error.value.variable == "RULES__IDLE_CLOSE" and error.value.value == '"86401"'
    assert Settings(_env_file=None, rules={"max_speakers": 100}).default_rules.max_speakers == 100


def test_hand_mode_role_without_roles_names_both(tmp_path: Path) -> None:
    assert refused(podium(tmp_path, "run", RULES__HAND_MODE="role")) == [
        'podium: RULES__HAND_MODE="role": needs RULES__HAND_ROLES, which is empty',
        "  expected: RULES__HAND_ROLES=role1,role2 or another RULES__HAND_MODE"]


# ---- keys and secrets -----------------------------------------------------------------------------------

def test_an_unknown_key_of_the_env_file_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    assert refused(podium(tmp_path, "run", dotenv="DISCORD_TOKN=abc\nLOG_LEVEL=INFO\n")) == [
        'podium: DISCORD_TOKN="abc": is not a Podium setting (did you mean DISCORD_TOKEN?)',
        "  expected: a setting listed in .env.example"]


def test_a_misspelt_variable_of_podiums_families_is_refused(tmp_path: Path) -> None:
    assert refused(podium(tmp_path, "run", SLACK_SIGNIN_SECRET="s3cr3t-value-here"))[0].startswith(
        "podium: SLACK_SIGNIN_SECRET=")
    assert "(did you mean SLACK_SIGNING_SECRET?)" in podium(tmp_path, "run", SLACK_SIGNIN_SECRET="x").stderr


@pytest.mark.parametrize("value", ["xoxb-your-token", "changeme", "<your-bot-token>"])
def test_placeholders_are_recognised(tmp_path: Path, value: str) -> None:
    assert refused(podium(tmp_path, "run", SLACK_BOT_TOKEN=value, SLACK_SIGNING_SECRET="0123456789abcdef")) == [
        f'podium: SLACK_BOT_TOKEN="{value}": still holds a placeholder',
        "  expected: the real value, or leave it empty"]


def test_a_secret_is_masked_when_echoed(tmp_path: Path) -> None:
    assert refused(podium(tmp_path, "run", SLACK_BOT_TOKEN="xoxb-1234567890-secretpart")) == [
        'podium: SLACK_BOT_TOKEN="xoxb…": is set alone',
        "  expected: SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode) beside it"]


def test_several_mistakes_are_counted_in_the_third_line(tmp_path: Path) -> None:
    assert refused(podium(tmp_path, "run", LOG_LEVEL="loud", DEFAULT_LOCALE="de")) == [
        'podium: DEFAULT_LOCALE="de": is not accepted', "  expected: one of en, fr", "  also wrong: LOG_LEVEL"]


def test_no_platform_configured(tmp_path: Path) -> None:
    assert refused(podium(tmp_path, "run")) == [
        "podium: DISCORD_TOKEN and SLACK_BOT_TOKEN are both empty: no platform to serve",
        "  expected: one of them set (or try `podium console`, which needs none)"]


# ---- platforms out of reach -------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["discord", "invite-url"], ["discord", "sync"]])
def test_discord_out_of_reach(tmp_path: Path, command: list[str]) -> None:
    lines = refused(podium(tmp_path, *command, DISCORD_TOKEN="abc.def.ghi",
                           DISCORD_API_BASE="http://127.0.0.1:9/api/v10"))
    assert lines[0].startswith('podium: DISCORD_API_BASE="http://127.0.0.1:9/api/v10": cannot be reached (')
    assert lines[1] == "  expected: Discord's API reachable from this host (network, DNS, proxy), or your proxy's URL"


def test_discord_commands_need_the_token(tmp_path: Path) -> None:
    assert refused(podium(tmp_path, "discord", "sync")) == [
        "podium: DISCORD_TOKEN is not set", "  expected: the bot token of your Discord application"]


def test_the_slack_manifest_needs_a_request_url(tmp_path: Path) -> None:
    assert refused(podium(tmp_path, "slack", "manifest")) == [
        "podium: --url is missing: Slack sends commands and clicks to your Request URL",
        "  expected: --url https://YOUR-HOST/slack/events (HTTP mode), or --socket-mode"]
    assert refused(podium(tmp_path, "slack", "manifest", "--url", "http://podium.example.org/slack/events"))[0] == (
        'podium: --url="http://podium.example.org/slack/events": is not an https:// address; Slack calls only TLS '
        "endpoints")
    ok = podium(tmp_path, "slack", "manifest", "--url", "https://podium.example.org/slack/events")
    assert ok.returncode == 0 and "request_url: https://podium.example.org/slack/events" in ok.stdout


def test_other_programs_variables_are_left_alone(tmp_path: Path) -> None:
    result = podium(tmp_path, "db", "upgrade", SLACK_CLIENT_ID="123.456", PODIUM_BENCH_POSTGRES="1",
                    LOG_DIR="/var/log/elsewhere")
    assert result.returncode == 0, result.stderr
