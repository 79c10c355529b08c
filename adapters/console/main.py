"""`podium console`: an interactive REPL, or a script whose first unexpected refusal fails the run."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, TypeVar
from pathlib import Path

from adapters.console.session import ConsoleSession
from bot.config import Settings
from bot.i18n.markers import N_
from bot.i18n.message import Message

EXPECT_REFUSAL = "!"
T = TypeVar("T")


def interactive(settings: Settings, *, history: Path | None = None) -> int:
    """The REPL. It reads in the main thread (readline: history, editing, Ctrl-C) and runs each command on an
    event loop kept between commands; the console's clock only moves on /clock, so nothing is due meanwhile."""
    tty = sys.stdin.isatty() and sys.stdout.isatty()
    with asyncio.Runner() as runner:
        session = ConsoleSession(settings)
        _quietly(runner, session.start())
        session.say("", Message.of(N_("Podium console: you are {member} in #{channel}. Type /help, or /quit to "
                                      "leave."), member=session.who, channel=session.channel))
        remember = _history(history) if tty else None
        try:
            while True:
                try:
                    text = input(session.prompt) if tty else sys.stdin.readline()
                except KeyboardInterrupt:  # Ctrl-C drops the line being typed, as a shell does
                    print()
                    continue
                except EOFError:  # Ctrl-D: end the prompt's line, then leave
                    print()
                    return 0
                if not tty and not text:
                    return 0
                if not text.strip() or text.lstrip().startswith("#"):
                    continue
                if not tty:
                    print(session.prompt + text.rstrip())
                try:
                    outcome = _quietly(runner, session.execute(text.strip()))
                except KeyboardInterrupt:  # pressed while the command ran: it finished; the prompt comes back
                    print()
                    continue
                if outcome.quit:
                    return 0
        finally:
            if remember is not None:
                remember()
            _quietly(runner, session.stop())


def _quietly(runner: asyncio.Runner, work: Coroutine[Any, Any, T]) -> T:
    """Runs `work` with SIGINT held back. The threads it starts (the database's) inherit the mask, so Ctrl-C
    always reaches the main thread, where readline waits: delivered to another thread, it would not wake the
    prompt until the next key. A Ctrl-C pressed meanwhile arrives when the work is done."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        return runner.run(work)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _history(path: Path | None) -> Callable[[], None] | None:
    """Up and Down walk the commands of this and earlier sessions (GNU readline, where Python has it)."""
    try:
        import readline
    except ImportError:
        return None
    if path is not None:
        with contextlib.suppress(OSError):
            readline.read_history_file(path)
    readline.set_history_length(1000)

    def save() -> None:
        if path is not None:
            with contextlib.suppress(OSError):
                path.parent.mkdir(parents=True, exist_ok=True)
                readline.write_history_file(path)
    return save


def fresh_start(database_url: str) -> None:
    """`--fresh`: the demo's SQLite file (and its WAL) go; the schema is built again at start."""
    from sqlalchemy.engine import make_url

    from bot.startup import StartupError

    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise StartupError("--fresh", url.render_as_string(), "only empties a SQLite demo database",
                           "no --database-url, or a sqlite:///PATH one")
    for suffix in ("", "-wal", "-shm"):
        Path(url.database + suffix).unlink(missing_ok=True)


async def scripted(settings: Settings, lines: Iterable[str]) -> int:
    """Lines starting with `!` must be refused; any other refusal stops the script with exit code 1."""
    session = ConsoleSession(settings)
    await session.start()
    try:
        for number, raw in enumerate(lines, start=1):
            text = raw.strip()
            if not text or text.startswith("#"):
                continue
            expect_refusal = text.startswith(EXPECT_REFUSAL)
            text = text.removeprefix(EXPECT_REFUSAL).strip()
            print(session.prompt + text)
            outcome = await session.execute(text)
            if outcome.ok == expect_refusal:
                expected = N_("refused") if expect_refusal else N_("accepted")
                session.say("", Message.of(N_("Script stopped at line {line}: the command was expected to be "
                                              "{expected}."), line=number, expected=Message(expected)))
                return 1
            if outcome.quit:
                break
        return 0
    finally:
        await session.stop()


def run(settings: Settings, script: Path | None) -> int:
    if script is None:
        return interactive(settings, history=_history_file(settings.resolved_database_url))
    return asyncio.run(scripted(settings, script.read_text(encoding="utf-8").splitlines()))


def _history_file(database_url: str) -> Path | None:
    """Beside the demo database, so `--fresh` keeps it and two checkouts keep theirs apart."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).parent / "console_history"
    return Path("data/console_history")
