"""Each adapter reads its own settings (DISCORD_*, SLACK_*) from the same environment and `.env` as the core;
`podium run` serves the platforms whose settings ask for them and refuses wrong settings by their names."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from adapters.discord.settings import DiscordSettings
from adapters.platforms import PLATFORMS, read_settings
from adapters.runner import configured
from adapters.slack.settings import SlackSettings
from bot.cli import app
from bot.config import Settings

ENV = """\
DATABASE_URL=sqlite:///elsewhere.db
DISCORD_TOKEN=discord-token-1
DISCORD_MODERATOR_ROLES=Hosts, 1234 ,Crew
CUE_FLOOR_WAV=/sounds/floor.wav
SLACK_BOT_TOKEN=xoxb-1
SLACK_APP_TOKEN=xapp-1
SLACK_MODERATORS=U1,S2
"""


@pytest.fixture
def in_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "CUE_FLOOR_WAV", *(f"DISCORD_{n}" for n in ("TOKEN", "MODERATOR_ROLES")),
                 *(f"SLACK_{n}" for n in ("BOT_TOKEN", "APP_TOKEN", "SIGNING_SECRET", "MODERATORS"))):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_one_env_file_feeds_the_core_and_each_adapter_its_own(in_folder: Path) -> None:
    (in_folder / ".env").write_text(ENV, encoding="utf-8")

    core, discord, slack = Settings(), DiscordSettings(), SlackSettings()

    assert core.resolved_database_url == "sqlite:///elsewhere.db"
    assert not any(name.startswith(("discord", "slack", "cue")) for name in type(core).model_fields)
    assert discord.token is not None and discord.token.get_secret_value() == "discord-token-1"
    assert discord.moderator_roles == ["Hosts", "1234", "Crew"]
    assert discord.cue_floor_wav == Path("/sounds/floor.wav") and discord.cue_opened_wav is None
    assert slack.bot_token is not None and slack.bot_token.get_secret_value() == "xoxb-1"
    assert slack.moderators == ["U1", "S2"] and slack.signing_secret is None


def test_the_platforms_served_are_those_whose_token_is_set(in_folder: Path) -> None:
    (in_folder / ".env").write_text("SLACK_BOT_TOKEN=xoxb-1\nSLACK_SIGNING_SECRET=s3cr3t-value\n", encoding="utf-8")

    found = read_settings()

    assert set(found) == {platform.name for platform in PLATFORMS} == {"discord", "slack"}
    assert list(configured(found)) == ["slack"]
    (in_folder / ".env").write_text(ENV, encoding="utf-8")
    assert list(configured(read_settings())) == ["discord", "slack"]
    (in_folder / ".env").write_text("", encoding="utf-8")
    assert configured(read_settings()) == {}


@pytest.mark.parametrize(("kind", "values", "named"), [
    (DiscordSettings, {"token": "changeme"}, "DISCORD_TOKEN still holds a placeholder"),
    (SlackSettings, {"bot_token": "xoxb-1", "signing_secret": "secret"}, "SLACK_SIGNING_SECRET still holds a placeholder"),
    (SlackSettings, {"bot_token": "xoxb-1"},
     "SLACK_BOT_TOKEN is set alone; expected SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN"),
    (SlackSettings, {"bot_token": "xoxb-1", "app_token": "xapp-1", "port": 65536}, "less than or equal to 65535"),
])
def test_wrong_platform_settings_are_refused_by_their_names(
        in_folder: Path, kind: type[DiscordSettings | SlackSettings], values: dict[str, object], named: str) -> None:
    with pytest.raises(ValidationError) as refused:
        kind(_env_file=None, **values)  # type: ignore[call-arg, arg-type]
    assert named in str(refused.value)


def test_podium_run_names_a_wrong_platform_setting_and_starts_nothing(in_folder: Path) -> None:
    (in_folder / ".env").write_text("SLACK_BOT_TOKEN=xoxb-1\n", encoding="utf-8")

    result = CliRunner().invoke(app, ["run"])

    assert result.exit_code == 2
    assert result.output.splitlines() == ['podium: SLACK_BOT_TOKEN="…": is set alone',
                                          "  expected: SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode) "
                                          "beside it"]
    assert not (in_folder / "data").exists()  # no database was created
