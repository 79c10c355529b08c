"""One board message per live stage, in the stage channel's chat; edits coalesced per stage.

However many commits arrive, a stage's board is edited at most once per INTERVAL, counted from Discord's answer
to the previous edit: the newest board waits for its turn and replaces any older one still waiting. The message
id is stored, so a restart edits the same one.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any

import discord

from adapters.discord.failures import Reporter
from adapters.discord.members import PLATFORM
from bot.bootstrap import App
from bot.i18n.markers import N_
from bot.i18n.message import Message
from bot.services.board import Board
from bot.services.platform_state import BoardMessage

log = logging.getLogger(__name__)

INTERVAL = 1.0
SEARCHED = 50  # recent messages looked through for a board posted but not recorded

#: A board as a message's content in a locale: the keyword arguments of `send` and `edit` (board_view.py).
Content = Callable[[Board, str], dict[str, Any]]


class BoardPublisher:
    def __init__(self, *, client: discord.Client, app: App, reporter: Reporter, content: Content,
                 interval: float = INTERVAL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._client, self._app, self._reporter, self._content = client, app, reporter, content
        self.interval, self._clock = interval, clock
        self._pending: dict[str, Board] = {}
        self._last: dict[str, float] = {}
        self._flushers: dict[str, asyncio.Task[None]] = {}

    async def post(self, board: Board) -> None:
        """A new board message (a stage opened, or its message is gone)."""
        channel = self._client.get_channel(int(board.ref.channel_id))
        if not isinstance(channel, discord.abc.Messageable):
            log.warning("stage %s: channel %s is not in the cache", board.ref.stage_id, board.ref.channel_id)
            return
        locale = await self._app.locales.for_space(PLATFORM, board.ref.space_id)
        kwargs = self._content(board, locale)
        sent: list[discord.Message] = []

        async def send() -> None:
            found = await self._posted_already(channel, board.ref.stage_id)
            if found is not None:  # posted before a crash or a lost answer, never recorded: that one it is
                await found.edit(**kwargs)
                sent.append(found)
                return
            # The nonce makes Discord answer a repeated post (discord.py retrying a 5xx) with the first one.
            sent.append(await channel.send(**kwargs, nonce=board_nonce(board.ref.stage_id)))

        action = Message.of(N_("post the board in {channel}"), channel=f"<#{board.ref.channel_id}>")
        if await self._reporter.guard(board.ref, action, send()):
            self._last[board.ref.stage_id] = self._clock()
            await self._app.boards.put(BoardMessage(stage_id=board.ref.stage_id, platform=PLATFORM,
                                                    channel_id=board.ref.channel_id, message_id=str(sent[0].id)))

    async def _posted_already(self, channel: discord.abc.Messageable, stage_id: str) -> discord.Message | None:
        """The bot's board of this stage among the channel's recent messages (its buttons name the stage)."""
        me = self._client.user
        suffix = f":{stage_id}"
        async for message in channel.history(limit=SEARCHED):
            if me is not None and message.author.id == me.id and any(
                    str(getattr(item, "custom_id", "") or "").endswith(suffix)
                    for row in message.components for item in getattr(row, "children", ())):
                return message
        return None

    def show(self, board: Board) -> None:
        """Schedules an edit; returns at once (the stage's other platform work does not wait for it)."""
        stage_id = board.ref.stage_id
        waiting = self._pending.get(stage_id)
        if waiting is None or (board.version, board.taken_at) >= (waiting.version, waiting.taken_at):
            self._pending[stage_id] = board
        if stage_id not in self._flushers:
            self._flushers[stage_id] = asyncio.create_task(self._flush(stage_id), name=f"board:{stage_id}")

    async def final(self, board: Board) -> None:
        """The last edit of a stage: waits for its turn and for the edit itself."""
        self.show(board)
        flusher = self._flushers.get(board.ref.stage_id)
        if flusher is not None:
            await asyncio.shield(flusher)
        self._last.pop(board.ref.stage_id, None)

    async def close(self) -> None:
        for task in list(self._flushers.values()):
            task.cancel()
        await asyncio.gather(*self._flushers.values(), return_exceptions=True)

    async def _flush(self, stage_id: str) -> None:
        try:
            while stage_id in self._pending:
                wait = self._last.get(stage_id, float("-inf")) + self.interval - self._clock()
                if wait > 0:
                    await asyncio.sleep(wait)
                board = self._pending.pop(stage_id)
                await self._edit(board)
        except Exception:
            log.exception("board of stage %s could not be shown", stage_id)
        finally:
            self._flushers.pop(stage_id, None)

    async def _edit(self, board: Board) -> None:
        stored = await self._app.boards.get(board.ref.stage_id)
        channel = self._client.get_channel(int(board.ref.channel_id))
        if stored is None or not isinstance(channel, discord.abc.Messageable):
            await self.post(board)
            return
        locale = await self._app.locales.for_space(PLATFORM, board.ref.space_id)
        message = channel.get_partial_message(int(stored.message_id))  # type: ignore[attr-defined]
        try:
            await message.edit(**self._content(board, locale))
        except discord.NotFound:  # someone deleted it: a board must be there
            await self.post(board)
        except (discord.HTTPException, OSError) as error:
            action = Message.of(N_("update the board in {channel}"), channel=f"<#{board.ref.channel_id}>")
            await self._reporter.report(board.ref, action, error)
        finally:
            # Counted from Discord's answer: an edit held back on its way (a busy loop, the network) reached
            # Discord late, and the next one, counted from when this one left, would follow it too closely.
            self._last[board.ref.stage_id] = self._clock()


def board_nonce(stage_id: str) -> str:
    return hashlib.sha256(f"board:{stage_id}".encode()).hexdigest()[:25]
