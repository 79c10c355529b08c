"""`make demo` on a fresh clone says nothing but the demo: the install step the Makefile runs (a new virtual
environment, `pip install --quiet -e .`) prints no setuptools warning block, and the console itself starts and
ends without a warning line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOISE = re.compile(r"deprecat|warning|setuptools|traceback", re.IGNORECASE)


def install_line() -> tuple[list[str], dict[str, str]]:
    """The Makefile's own editable install (its flags and PYTHONWARNINGS), without the dependencies."""
    line = next(text for text in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
                if "pip install" in text and " -e " in text)
    env = dict(os.environ)
    match = re.search(r'PYTHONWARNINGS="([^"]*)"', line)
    if match:
        env["PYTHONWARNINGS"] = match.group(1)
    flags = [word for word in line.split() if word.startswith("--")]
    return flags, env


def test_the_makefiles_install_step_prints_nothing(tmp_path: Path) -> None:
    venv.EnvBuilder(with_pip=True).create(tmp_path / "venv")
    pip = str(tmp_path / "venv" / "bin" / "pip")
    subprocess.run([pip, "install", "--quiet", "--upgrade", "pip"], capture_output=True, timeout=300, check=True)
    flags, env = install_line()  # a current pip shows the build backend's warnings, as make's does
    assert "--quiet" in flags
    result = subprocess.run([pip, "install", *flags, "--no-deps", "-e", str(ROOT)],
                            capture_output=True, text=True, env=env, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    output = (result.stdout + result.stderr).strip()
    assert not NOISE.search(output), output


def test_the_console_starts_and_ends_without_a_warning(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "bot", "console", "--fresh"], input="/quit\n", cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, check=False,
                            env={**os.environ, "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert not NOISE.search(result.stderr), result.stderr
    assert not NOISE.search(result.stdout), result.stdout
