"""The console as a StagePlatform: it prints what Discord or Slack would show or send."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from adapters.console.render import board_text, recap_text, sayer, schedule_text
from bot.domain.members import Recap
from bot.i18n.catalog import render
from bot.i18n.markers import N_
from bot.i18n.message import Message
from bot.ports import Capability, StageRef
from bot.services.board import Board
from bot.services.schedule_view import ScheduleView


class ConsolePlatform:
    name = "console"
    capabilities = frozenset({Capability.GIVE_FLOOR, Capability.DIRECT_MESSAGE, Capability.DISCONNECT,
                              Capability.ACCESS_CONTROL, Capability.CAPACITY})

    def __init__(self, write: Callable[[str], None], locale: Callable[[], str],
                 on_disconnect: Callable[[StageRef, str], None]) -> None:
        self._write, self._locale, self._on_disconnect = write, locale, on_disconnect
        # A member's badges as emoji beside their name (set by the session: the community's marks).
        self.marks: Callable[[str, str, list[str]], Awaitable[dict[str, str]]] | None = None

    async def stage_opened(self, board: Board) -> None:
        await self.show_board(board)

    async def stage_closed(self, board: Board, recap: Recap) -> None:
        for line in recap_text(board.ref.title, recap, sayer(self._locale())):
            self._write(line)

    async def show_board(self, board: Board) -> None:
        users = [s.user_id for s in board.speakers] + [q.user_id for q in board.queue]
        marks = await self.marks(board.ref.platform, board.ref.space_id, users) if self.marks else {}
        for line in board_text(board, sayer(self._locale()), marks):
            self._write(line)

    async def set_speaker(self, stage: StageRef, user_id: str, *, speaking: bool) -> None:
        msgid = N_("🎙 {member} is unmuted.") if speaking else N_("🔇 {member} is muted.")
        self._write("  " + render(Message.of(msgid, member=user_id), self._locale()))

    async def notify(self, stage: StageRef, user_id: str, message: Message, locale: str) -> None:
        self._write(f"  ✉ {user_id}: {render(message, locale)}")

    async def announce(self, stage: StageRef, message: Message, locale: str) -> None:
        self._write(f"  📣 {render(message, locale)}")

    async def disconnect(self, stage: StageRef, user_id: str) -> None:
        self._on_disconnect(stage, user_id)

    async def withdraw_hand(self, stage: StageRef, user_id: str) -> None:
        pass  # the console keeps no hands of its own: the board shows the core's queue

    async def restore_access(self, stage: StageRef, user_id: str) -> None:
        pass  # the simulated room asks the core at every /join, which already lets the member in

    async def schedule_changed(self, schedule: ScheduleView) -> None:
        self._write("  " + schedule_text(schedule, sayer(self._locale()), self._locale()))

    async def set_access(self, stage: StageRef, user_id: str, *, allowed: bool) -> None:
        msgid = N_("🔓 {member} may enter the room.") if allowed else N_("🔒 {member} may no longer enter the room.")
        self._write("  " + render(Message.of(msgid, member=user_id), self._locale()))
