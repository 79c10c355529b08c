"""`podium console` in a real terminal (a pty, as a person types): Up recalls the last command (readline
history, kept across runs), Ctrl-C drops the line being typed, Ctrl-D leaves cleanly with status 0; the demo
keeps its own database (data/demo.db), which `--fresh` empties; DATABASE_URL is never touched."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

PODIUM = str(Path(sys.executable).with_name("podium"))
PROMPT = "alice@stage> "


class Terminal:
    opened: list[Terminal] = []

    def __init__(self, folder: Path, *args: str, env: dict[str, str] | None = None) -> None:
        environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder), "TERM": "xterm",
                       "SINGLE_CPU": "false", "DEFAULT_LOCALE": "en", **(env or {})}
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: a session of its own with the pty as its controlling terminal
            # As a shell starts a command: signals at their defaults and none held back, whatever this test
            # process inherited or set (an ignored or blocked SIGINT would survive the exec).
            for number in (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP):
                signal.signal(number, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, set())
            os.chdir(folder)
            os.execve(PODIUM, [PODIUM, "console", *args], environment)
        self.screen = ""
        self.exited = False
        Terminal.opened.append(self)

    def signals(self) -> str:
        """How each of the console's threads takes signals (blocked, ignored, caught), for a failure's message."""
        lines = []
        for task in sorted(Path(f"/proc/{self.pid}/task").glob("*")):
            status = (task / "status").read_text().splitlines()
            lines.append(task.name + " " + " ".join(line.replace("\t", "=") for line in status
                                                    if line.startswith(("SigBlk", "SigIgn", "SigCgt"))))
        return "\n".join(lines)

    def read_until(self, text: str, *, after: int = 0, timeout: float = 60) -> str:
        """Everything printed so far, once `text` appears after position `after` (a hung console fails)."""
        deadline = time.monotonic() + timeout
        while text not in self.screen[after:]:
            left = deadline - time.monotonic()
            assert left > 0, f"never saw {text!r} in:\n{self.screen[-2000:]}\nsignals:\n{self.signals()}"
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.5))
            if ready:
                try:
                    self.screen += os.read(self.fd, 65536).decode(errors="replace")
                except OSError:  # the child closed the terminal
                    break
        return self.screen

    def type(self, keys: str) -> int:
        mark = len(self.screen)
        os.write(self.fd, keys.encode())
        return mark

    def wait(self, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.exited = True
                self.read_rest()
                return os.waitstatus_to_exitcode(status)
            self.read_rest()
            time.sleep(0.05)
        os.kill(self.pid, 9)
        raise AssertionError(f"the console did not exit:\n{self.screen[-2000:]}")

    def read_rest(self) -> None:
        while select.select([self.fd], [], [], 0)[0]:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.screen += chunk.decode(errors="replace")


@pytest.fixture(autouse=True)
def _no_console_left() -> Iterator[None]:
    """A test that failed half-way leaves no console running."""
    yield
    while Terminal.opened:
        terminal = Terminal.opened.pop()
        if not terminal.exited:
            os.kill(terminal.pid, signal.SIGKILL)
            os.waitpid(terminal.pid, 0)
        os.close(terminal.fd)


def test_history_ctrl_c_and_ctrl_d_behave_as_in_a_shell(tmp_path: Path) -> None:
    console = Terminal(tmp_path, env={"DATABASE_URL": "postgresql://never-used.invalid/podium"})
    console.read_until(PROMPT)
    mark = console.type('/stage open "Terminal test"\r')
    console.read_until("✓", after=mark)
    console.read_until(PROMPT, after=mark)
    mark = console.type("\x1b[A\r")  # Up, Enter: the same command again, refused this time
    console.read_until("A stage is already live in this channel", after=mark)
    console.read_until(PROMPT, after=mark)
    mark = console.type("/as bo")
    console.read_until("/as bo", after=mark)
    # A person's Ctrl-C comes a moment after the last key. One sent within microseconds of readline's echo can
    # land before Python's readline waits again, and is then seen only at the next key (a CPython limit).
    time.sleep(0.3)
    mark = console.type("\x03")  # Ctrl-C drops the half-typed line and gives a fresh prompt
    console.read_until(PROMPT, after=mark)
    mark = console.type("/queue\r")
    console.read_until(PROMPT, after=mark)
    assert "Unknown" not in console.screen[mark:] and "/as bo/queue" not in console.screen
    mark = console.type("\x04")  # Ctrl-D: leaves, ending the prompt's line
    assert console.wait() == 0
    assert console.screen[mark:].startswith("\r\n") or console.screen[mark:].startswith("\n")
    assert "Traceback" not in console.screen and "Error 130" not in console.screen
    assert (tmp_path / "data" / "demo.db").exists()
    history = (tmp_path / "data" / "console_history").read_text(encoding="utf-8")
    assert '/stage open "Terminal test"' in history and "/queue" in history and "/as bo" not in history

    again = Terminal(tmp_path)  # the history outlives the session: Up twice reaches the opening
    again.read_until(PROMPT)
    mark = again.type("\x1b[A\x1b[A\r")
    again.read_until("A stage is already live in this channel", after=mark)  # the same database, too
    again.type("/quit\r")
    assert again.wait() == 0


def test_the_demo_keeps_its_own_database_and_fresh_empties_it(tmp_path: Path) -> None:
    script = tmp_path / "open.txt"
    script.write_text('/stage open "Kept"\n', encoding="utf-8")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "SINGLE_CPU": "false",
           "DATABASE_URL": "postgresql://never-used.invalid/podium"}

    def console(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([PODIUM, "console", *args], capture_output=True, text=True, cwd=tmp_path, env=env,
                              timeout=120)

    first = console("--script", str(script))
    assert first.returncode == 0, first.stderr
    again = console("--script", str(script))  # the stage is still live in the demo's database
    assert again.returncode == 1 and "A stage is already live in this channel: “Kept”" in again.stdout
    fresh = console("--fresh", "--script", str(script))
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert sorted(p.name for p in (tmp_path / "data").iterdir() if p.suffix == ".db") == ["demo.db"]


def test_the_readmes_sample_script_runs_and_runs_again(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[2] / "docs" / "console-sample.txt"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "SINGLE_CPU": "false"}
    for _ in range(2):  # it closes its stage: the demo database is ready for it again
        run = subprocess.run([PODIUM, "console", "--script", str(sample)], capture_output=True, text=True,
                             cwd=tmp_path, env=env, timeout=120)
        assert run.returncode == 0 and run.stderr == "", run.stdout[-2000:] + run.stderr
        assert "✓ Stage “Weekly AMA” has ended." in run.stdout
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "podium console --script docs/console-sample.txt" in readme
