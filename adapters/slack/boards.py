"""Board messages: posted when a stage opens (in the channel, and in the huddle's thread when one is
running), edited as the stage changes, and turned into the recap when it ends.

Edits are coalesced: `show` only keeps the newest board of a stage, and one task per stage edits the
stage's messages with whatever is newest, never more than one `chat.update` per `interval` per stage
(Slack allows about one edit per second in a channel; the thread is in the same channel).

Replicas on one database (`turns`, board_turns.py) edit a stage's boards one at a time, `interval` apart
whichever replica edits, and each edit shows the board as the database has it then (`fresh`): a replica
that committed an older change must not draw its older board over a newer one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from adapters.slack.board_turns import BoardTurns
from adapters.slack.blocks import board_blocks, board_summary, closed_blocks, recap_lines
from adapters.slack.directory import PLATFORM
from adapters.slack.posting import post_once
from adapters.slack.state import SlackState
from adapters.slack.text import sayer
from bot.domain.members import Recap
from bot.services.board import Board
from bot.services.locales import Locales
from bot.services.platform_state import BoardMessage, BoardMessages

log = logging.getLogger(__name__)

Rendered = tuple[list[dict[str, Any]], str, int]  # blocks, notification text, sequence number shown


async def post_in_channel(client: Any, channel_id: str, *, marker: dict[str, str] | None = None,
                          search: bool | None = None, **content: Any) -> str:
    """Posts in a channel (once: see posting.py); the message's ts."""
    try:
        return await post_once(client, channel=channel_id, marker=marker, search=search, **content)
    except SlackApiError as error:
        if error.response.get("error") != "not_in_channel":
            raise
    # A public channel the app was not added to: it may join it (channels:join) and post.
    await client.conversations_join(channel=channel_id)
    return await post_once(client, channel=channel_id, marker=marker, search=False, **content)


@dataclass(frozen=True, slots=True)
class Target:
    channel_id: str
    ts: str


class BoardKeeper:
    def __init__(self, *, client: Any, boards: BoardMessages, state: SlackState, locales: Locales,
                 interval: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._client, self._boards, self._state, self._locales = client, boards, state, locales
        self.interval, self._clock = interval, clock
        self._latest: dict[str, tuple[int, Board]] = {}  # stage id -> (sequence number, newest board)
        self._seq = 0
        self._shown: dict[Target, int] = {}
        self._last_edit: dict[str, float] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        # One lock a stage: its two paths to the thread board must not both post; other stages need not wait.
        self._thread_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        # And one for the channel board: the opening and a repair at start must not both post it.
        self._post_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        # A member's badges as emoji beside their name (set by the assembly: the community's marks).
        self.marks: Callable[[str, str, list[str]], Awaitable[dict[str, str]]] | None = None
        # Set when replicas share the database: the stage's turn to edit, and its board read when drawn.
        self.turns: BoardTurns | None = None
        self.fresh: Callable[[str], Awaitable[Board]] | None = None

    # ---- posting

    async def post(self, board: Board, *, search: bool | None = None) -> None:
        """A new stage: its board in the channel, and in the thread of the huddle running there. A board
        that may have been posted already (a retry, a restart) is looked for first, by its stage."""
        ref = board.ref
        lock = self._post_locks.get(ref.stage_id)
        if lock is None:
            lock = self._post_locks[ref.stage_id] = asyncio.Lock()
        async with lock:
            if await self._boards.get(ref.stage_id) is not None:
                self.show(board)  # posted and recorded already: brought up to date instead
                return
            blocks, text, seq = await self._render(self._next_seq(), board)
            ts = await post_in_channel(self._client, ref.channel_id, text=text, blocks=blocks,
                                       marker={"board": ref.stage_id}, search=search, unfurl_links=False,
                                       unfurl_media=False)  # its links (/stage link) show no previews
            await self._boards.put(BoardMessage(ref.stage_id, PLATFORM, ref.channel_id, ts))
            self._shown[Target(ref.channel_id, ts)] = seq
        huddle = await self._state.live_huddle_in(ref.channel_id)
        if huddle is not None:
            await self.post_in_thread(board, huddle.room_id, huddle.thread_ts)

    async def post_in_thread(self, board: Board, room_id: str, thread_ts: str) -> None:
        # Two paths lead here for one huddle: a new stage's board (the huddle already saved) and the huddle's
        # own start event (the stage already live). When they overlap, the second finds the first's board.
        lock = self._thread_locks.get(board.ref.stage_id)
        if lock is None:
            lock = self._thread_locks[board.ref.stage_id] = asyncio.Lock()
        async with lock:
            extra = await self._state.stage(board.ref.stage_id)
            if extra.room_id == room_id and extra.thread_board_ts:
                return
            blocks, text, seq = await self._render(self._next_seq(), board)
            posted = await post_once(self._client, channel=board.ref.channel_id, thread_ts=thread_ts, text=text,
                                     blocks=blocks, marker={"board": board.ref.stage_id}, unfurl_links=False,
                                     unfurl_media=False)
            await self._state.update_stage(board.ref.stage_id, room_id=room_id, thread_board_ts=posted)
            self._shown[Target(board.ref.channel_id, posted)] = seq

    async def repair(self, board: Board) -> None:
        """At start: the board of a live stage is made current on Slack; posted again if it is missing
        (never recorded, found by its tag or not there at all) or was deleted."""
        stored = await self._boards.get(board.ref.stage_id)
        if stored is None:
            await self.post(board, search=True)
            return
        blocks, text, seq = await self._render(self._next_seq(), board)
        for target in await self.targets(board.ref.stage_id):
            try:
                async with self._turn(board.ref.stage_id):
                    await self._client.chat_update(channel=target.channel_id, ts=target.ts, text=text,
                                                   blocks=blocks)
            except SlackApiError as error:
                if error.response.get("error") not in ("message_not_found", "cant_update_message"):
                    raise
                if target.ts != stored.message_id:
                    continue  # a thread board whose thread is gone stays gone
                log.warning("board message %s of stage %s is gone; posted again", target.ts, board.ref.stage_id)
                await self._boards.forget(board.ref.stage_id)
                await self.post(board, search=False)
                return
            self._shown[target] = max(self._shown.get(target, -1), seq)
        self._last_edit[board.ref.stage_id] = self._clock()

    # ---- editing

    def show(self, board: Board) -> None:
        # Boards arrive in commit order (the core hands out one stage's work in order): the last one wins.
        self._seq += 1
        self._latest[board.ref.stage_id] = (self._seq, board)
        if board.ref.stage_id not in self._tasks:
            self._tasks[board.ref.stage_id] = asyncio.create_task(self._edit_loop(board.ref.stage_id),
                                                                   name=f"slack-board:{board.ref.stage_id}")

    async def _edit_loop(self, stage_id: str) -> None:
        try:
            while True:
                targets = await self.targets(stage_id)
                # Read after the await: a board shown meanwhile is either edited or keeps the loop going.
                seq, _ = self._latest[stage_id]
                stale = [t for t in targets if self._shown.get(t, -1) < seq]
                if not stale:
                    return
                if not await self._edit(stage_id, stale[0], lambda: self._newest(stage_id)):
                    return  # the stage ended meanwhile
        except Exception:
            log.exception("editing the board of stage %s failed", stage_id)
        finally:
            self._tasks.pop(stage_id, None)
            self._latest.pop(stage_id, None)

    async def _edit(self, stage_id: str, target: Target,
                    content: Callable[[], Awaitable[Rendered | None]]) -> bool:
        wait = self._last_edit.get(stage_id, float("-inf")) + self.interval - self._clock()
        if wait > 0:
            await asyncio.sleep(wait)
        async with self._turn(stage_id):
            # Rendered after the wait: whatever arrived meanwhile goes out in this one edit.
            rendered = await content()
            if rendered is None:
                return False
            blocks, text, version = rendered
            try:
                await self._client.chat_update(channel=target.channel_id, ts=target.ts, text=text, blocks=blocks)
            except SlackApiError as error:
                if error.response.get("error") not in ("message_not_found", "cant_update_message"):
                    raise
                log.warning("board message %s of stage %s is gone; no longer edited", target.ts, stage_id)
            finally:
                # Counted from the answer, so that Slack receives the edits at least `interval` apart.
                self._last_edit[stage_id] = self._clock()
        self._shown[target] = max(self._shown.get(target, -1), version)
        return True

    def _turn(self, stage_id: str) -> contextlib.AbstractAsyncContextManager[None]:
        return self.turns.turn(stage_id) if self.turns is not None else contextlib.nullcontext()

    async def _newest(self, stage_id: str) -> Rendered | None:
        """The newest board this replica was shown; with replicas, the board as stored now (None once the
        stage ended: whoever closed it draws its last board)."""
        seq, board = self._latest[stage_id]
        if self.fresh is not None:
            board = await self.fresh(stage_id)
            if board.state != "live":
                return None
        return await self._render(seq, board)

    async def targets(self, stage_id: str) -> list[Target]:
        found: list[Target] = []
        stored = await self._boards.get(stage_id)
        if stored is not None:
            found.append(Target(stored.channel_id, stored.message_id))
            extra = await self._state.stage(stage_id)
            if extra.thread_board_ts:
                found.append(Target(stored.channel_id, extra.thread_board_ts))
        return found

    # ---- closing

    async def close(self, board: Board, recap: Recap) -> None:
        """The last edit of each board message, then the recap posted in the channel."""
        stage_id = board.ref.stage_id
        task = self._tasks.pop(stage_id, None)
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        say = sayer(await self._locales.for_space(PLATFORM, board.ref.space_id))

        seq = self._next_seq()

        async def final() -> Rendered:
            return closed_blocks(board, recap, say), board_summary(board, say), seq

        for target in await self.targets(stage_id):
            await self._edit(stage_id, target, final)
        lines = recap_lines(board.ref.title, recap, say)
        await post_once(self._client, channel=board.ref.channel_id, text="\n".join(lines),
                        marker={"recap": stage_id})
        for target in await self.targets(stage_id):
            self._shown.pop(target, None)
        self._last_edit.pop(stage_id, None)

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    async def drain(self) -> None:
        """Waits until every pending edit went out (tests, and a clean stop)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    async def _render(self, seq: int, board: Board) -> Rendered:
        say = sayer(await self._locales.for_space(PLATFORM, board.ref.space_id))
        users = [s.user_id for s in board.speakers] + [q.user_id for q in board.queue]
        marks = await self.marks(PLATFORM, board.ref.space_id, users) if self.marks else {}
        return board_blocks(board, say, marks=marks), board_summary(board, say), seq
