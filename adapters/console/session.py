"""A console session: one terminal playing every member of a simulated space against the real core."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from adapters.console.actions import run
from adapters.console.grammar import GRAMMAR
from adapters.console.platform import ConsolePlatform
from adapters.console.space import Space, demo_space
from bot.bootstrap import App, build
from bot.clock import ManualClock
from bot.config import Settings
from bot.domain.errors import StageError, Unexpected
from bot.i18n.catalog import render
from bot.i18n.message import Message
from bot.ports import StageRef

log = logging.getLogger(__name__)

PLATFORM = "console"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    quit: bool = False


class ConsoleSession:
    def __init__(self, settings: Settings, *, write: Callable[[str], None] = print,
                 clock: ManualClock | None = None, space: Space | None = None) -> None:
        self.settings, self.write = settings, write
        self.clock = clock or ManualClock()
        self.space = space or demo_space()
        self.who, self.channel, self.locale = "alice", "stage", settings.default_locale
        self.app: App | None = None

    async def start(self) -> None:
        self.app = build(self.settings, clock=self.clock)
        platform = ConsolePlatform(self.write, lambda: self.locale, self._disconnected)
        platform.marks = self.app.community.marks
        self.app.register(platform)
        await self.app.migrate()
        latest = await self.app.queries.latest_activity()
        if latest is not None and latest > self.clock.now():
            # A previous run moved its clock ahead; time here never runs backwards.
            self.clock.advance(latest - self.clock.now())
        await self.app.start(migrate=False)
        await self.app.settle()
        await self._refresh_locale()

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.stop()
            self.app = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    @property
    def prompt(self) -> str:
        return f"{self.who}@{self.channel}> "

    async def execute(self, text: str) -> Outcome:
        """Runs one line; a refusal is shown and changes nothing, and the session always goes on."""
        try:
            parsed = GRAMMAR.parse(text)
            result = await run(self, parsed)
            assert self.app is not None
            await self.app.settle()
            if isinstance(result, Message):
                self.say("✓ ", result)
            return Outcome(ok=True, quit=parsed.row.effect == "quit")
        except StageError as refusal:
            await self._settle_quietly()
            self.say("✗ ", Message(refusal.message, refusal.params))
            return Outcome(ok=False)
        except Exception:
            log.exception("console command %r failed", text)
            self.say("✗ ", Message(Unexpected.message))
            return Outcome(ok=False)
        finally:
            await self._refresh_locale()

    def say(self, prefix: str, message: Message) -> None:
        self.write(prefix + render(message, self.locale))

    def say_text(self, message: Message) -> str:
        return render(message, self.locale)

    async def stage_id(self) -> str:
        assert self.app is not None
        return await self.app.queries.live_stage(PLATFORM, self.space.id, self.channel)

    async def _refresh_locale(self) -> None:
        if self.app is not None:
            self.locale = await self.app.locales.for_member(PLATFORM, self.space.id, self.who)

    async def _settle_quietly(self) -> None:
        if self.app is not None:
            await self.app.settle()

    def _disconnected(self, stage: StageRef, user_id: str) -> None:
        self.space.room(stage.channel_id).discard(user_id)
