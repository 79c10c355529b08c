"""`podium …` as a user runs it from a shell: a process of its own on a SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def podium(*args: str, database: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DEFAULT_LOCALE": "en", "LOG_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=120, cwd=database.parent)
