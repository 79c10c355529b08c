"""`podium console`: an interactive REPL, or a script whose first unexpected refusal fails the run."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterable
from pathlib import Path

from adapters.console.session import ConsoleSession
from bot.config import Settings
from bot.i18n.markers import N_
from bot.i18n.message import Message

EXPECT_REFUSAL = "!"


async def interactive(settings: Settings) -> int:
    session = ConsoleSession(settings)
    await session.start()
    session.say("", Message.of(N_("Podium console: you are {member} in #{channel}. Type /help, or /quit to leave."),
                               member=session.who, channel=session.channel))
    try:
        while True:
            if sys.stdin.isatty():
                sys.stdout.write(session.prompt)
                sys.stdout.flush()
            text = await asyncio.to_thread(sys.stdin.readline)
            if not text:
                return 0
            if not text.strip() or text.lstrip().startswith("#"):
                continue
            if not sys.stdin.isatty():
                print(session.prompt + text.rstrip())
            outcome = await session.execute(text.strip())
            if outcome.quit:
                return 0
    finally:
        await session.stop()


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
        return asyncio.run(interactive(settings))
    return asyncio.run(scripted(settings, script.read_text(encoding="utf-8").splitlines()))
