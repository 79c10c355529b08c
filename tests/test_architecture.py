"""House rules that keep the shape of the code, beyond what `make test` checks first with import-linter (the
layers, no platform library in the core, no cycles; contracts in pyproject.toml) and mypy: the domain imports
only plain Python (an allow-list, which a contract cannot state), nothing runs at import, the settings are
documented, and tests share support only through tests/fakes and tests/support."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest

if TYPE_CHECKING:
    from bot.config import EnvSettings

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_domain_is_pure() -> None:
    allowed = {"__future__", "dataclasses", "datetime", "enum", "typing", "collections", "math", "re",
               "functools", "bot", "sortedcontainers", "zoneinfo", "unicodedata"}
    offenders = {str(p.relative_to(ROOT)): sorted(imported_modules(p) - allowed)
                 for p in (ROOT / "bot" / "domain").rglob("*.py") if imported_modules(p) - allowed}
    assert offenders == {}


def test_importing_everything_starts_nothing() -> None:
    """No engine, client, settings or task is created at import time: importing needs no .env nor network."""
    code = (
        "import importlib, pkgutil, sys, threading\n"
        "import bot, adapters, scheduler\n"
        "for package in (bot, adapters, scheduler):\n"
        "    for info in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        "        if info.name in ('bot.__main__',) or '.migrations' in info.name:\n"
        "            continue\n"
        "        importlib.import_module(info.name)\n"
        "assert threading.active_count() == 1, threading.enumerate()\n"
        "import sqlalchemy.pool\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/",
                            env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgresql://nowhere.invalid/x"})
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def every_settings_class() -> list[type[EnvSettings]]:
    from adapters.platforms import PLATFORMS
    from bot.config import Settings

    return [Settings, *(cast("type[EnvSettings]", platform.settings_class()) for platform in PLATFORMS)]


def test_env_example_documents_every_setting() -> None:
    from bot.config import RuleDefaults

    documented = set(re.findall(r"^([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M))
    expected = {kind.env_name(name) for kind in every_settings_class() for name in kind.model_fields
                if name != "rules"}
    expected |= {f"RULES__{name.upper()}" for name in RuleDefaults.model_fields}
    assert documented == expected


def test_env_example_defaults_match_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text(encoding="utf-8"), encoding="utf-8")
    for kind in every_settings_class():
        assert kind() == kind(_env_file=None)  # type: ignore[call-arg]


def test_the_core_settings_know_no_platform() -> None:
    """DISCORD_* and SLACK_* are read by the adapters' own settings, not the core's, from the same `.env`."""
    from adapters.discord.settings import DiscordSettings
    from adapters.slack.settings import SlackSettings
    from bot.config import Settings

    core = {Settings.env_name(name) for name in Settings.model_fields}
    assert not {name for name in core if name.startswith(("DISCORD_", "SLACK_", "CUE_"))}
    assert {DiscordSettings.env_name(name) for name in DiscordSettings.model_fields} == {
        "DISCORD_TOKEN", "DISCORD_API_BASE", "DISCORD_GATEWAY_URL", "DISCORD_MODERATOR_ROLES",
        "CUE_OPENED_WAV", "CUE_FLOOR_WAV", "CUE_WARNING_WAV", "CUE_TIME_UP_WAV", "SHARD_COUNT", "SHARD_IDS",
        "DISCORD_GLOBAL_RATE", "DISCORD_DM_RATE", "REDIS_URL", "BADGE_ROLES"}
    assert all(SlackSettings.env_name(name).startswith("SLACK_") for name in SlackSettings.model_fields)


def test_tests_share_support_only_through_tests_fakes_and_tests_support() -> None:
    """A test module never imports another test module (nor a conftest): what tests share lives in
    tests/fakes (fakes of platforms and ports) and tests/support (builders, harnesses, fixtures)."""
    shared = ("tests.fakes", "tests.support")
    offenders = {}
    for path in (ROOT / "tests").rglob("*.py"):
        package = list(path.relative_to(ROOT).with_suffix("").parts[:-1])
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = package[:len(package) - node.level + 1] if node.level else []
                names.add(".".join([*base, *([node.module] if node.module else [])]))
        wrong = sorted(name for name in names if name.split(".")[0] == "tests" and name != "tests"
                       and not name.startswith(shared))
        if wrong:
            offenders[str(path.relative_to(ROOT))] = wrong
    assert offenders == {}


def test_no_import_cycle_is_excused() -> None:
    """Cycles are removed, not silenced: the acyclic contract lists no ignored import (issue 10: the console's
    session and its command handlers)."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"][
        "contracts"]
    acyclic = [c for c in contracts if c["type"] == "acyclic_siblings"]
    assert acyclic and all(not c.get("ignore_imports") for c in acyclic)
