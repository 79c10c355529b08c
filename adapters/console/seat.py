"""The seat at the console a line is typed from: who types, in which channel, in which language, and the
running core and simulated space it acts on.

The session (session.py) is the seat; the lines' handlers (actions.py) act on any seat. Naming the seat here
keeps the two apart: the session runs the handlers, the handlers never need the session's module.
"""

from __future__ import annotations

from typing import Protocol

from adapters.console.space import Space
from bot.bootstrap import App
from bot.clock import ManualClock
from bot.i18n.message import Message


class Seat(Protocol):
    who: str  # the member typing (changed by /as)
    channel: str  # the channel they are in (changed by /channel)
    locale: str  # the language they read (changed by /locale)
    space: Space
    clock: ManualClock
    app: App | None

    def write(self, text: str) -> None: ...

    def say_text(self, message: Message) -> str: ...

    async def stage_id(self) -> str: ...

    async def restart(self) -> None: ...
