"""A fake of the core's StagePlatform port: it records every call, and refuses the ones a test names."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from bot.domain.members import Recap
from bot.i18n.message import Message
from bot.ports import Capability, StagePlatform, StageRef
from bot.services.board import Board
from bot.services.schedule_view import ScheduleView


class PlatformRefused(Exception):
    """What a real platform raises when it says no (missing permission, member gone)."""


@dataclass(frozen=True)
class Call:
    method: str
    stage_id: str
    user_id: str | None = None
    args: dict[str, Any] = field(default_factory=dict)


class FakePlatform:
    """A StagePlatform that records every call, and refuses the ones a test names."""

    def __init__(self, name: str = "fake", capabilities: frozenset[Capability] = frozenset(Capability)) -> None:
        self.name, self.capabilities = name, capabilities
        self.calls: list[Call] = []
        self._refused: set[tuple[str, str]] = set()

    def refuse(self, method: str, stage_id: str) -> None:
        self._refused.add((method, stage_id))

    def of(self, stage_id: str, method: str | None = None) -> list[Call]:
        return [c for c in self.calls if c.stage_id == stage_id and method in (None, c.method)]

    def _record(self, method: str, stage_id: str, user_id: str | None = None, **args: Any) -> None:
        self.calls.append(Call(method, stage_id, user_id, args))
        if (method, stage_id) in self._refused:
            raise PlatformRefused(f"{method} refused on {stage_id}")

    async def stage_opened(self, board: Board) -> None:
        self._record("stage_opened", board.ref.stage_id, board=board)

    async def stage_closed(self, board: Board, recap: Recap) -> None:
        self._record("stage_closed", board.ref.stage_id, board=board, recap=recap)

    async def show_board(self, board: Board) -> None:
        self._record("show_board", board.ref.stage_id, board=board)

    async def set_speaker(self, stage: StageRef, user_id: str, *, speaking: bool) -> None:
        self._record("set_speaker", stage.stage_id, user_id, speaking=speaking)

    async def notify(self, stage: StageRef, user_id: str, message: Message, locale: str) -> None:
        self._record("notify", stage.stage_id, user_id, message=message, locale=locale)

    async def announce(self, stage: StageRef, message: Message, locale: str) -> None:
        self._record("announce", stage.stage_id, message=message, locale=locale)

    async def disconnect(self, stage: StageRef, user_id: str) -> None:
        self._record("disconnect", stage.stage_id, user_id)

    async def set_access(self, stage: StageRef, user_id: str, *, allowed: bool) -> None:
        self._record("set_access", stage.stage_id, user_id, allowed=allowed)

    async def withdraw_hand(self, stage: StageRef, user_id: str) -> None:
        self._record("withdraw_hand", stage.stage_id, user_id)

    async def restore_access(self, stage: StageRef, user_id: str) -> None:
        self._record("restore_access", stage.stage_id, user_id)

    async def schedule_changed(self, schedule: ScheduleView) -> None:
        self._record("schedule_changed", schedule.schedule_id, schedule=schedule)


_conforms: type[StagePlatform] = FakePlatform  # a type checker holds the fake to the port


class FakeRecordingPlatform(FakePlatform):
    """A platform that records (the RecordingPlatform port): it records each notice that who may be heard
    changed, as `recording_changed` on the stage (or "" for a whole space)."""

    async def recording_changed(self, space_id: str, stage_id: str) -> None:
        self._record("recording_changed", stage_id, space_id=space_id)

    async def recording_on(self, board: Board) -> None:
        self._record("recording_on", board.ref.stage_id, board=board)

    async def recording_notice(self, stage: StageRef, user_id: str, *, speaking: bool) -> None:
        self._record("recording_notice", stage.stage_id, user_id, speaking=speaking)


class FakeFollowerPlatform(FakePlatform):
    """A platform that tells followers apart (FollowerPlatform); `hold` keeps those messages from going out
    (a process about to be killed)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hold: asyncio.Event | None = None

    async def notify_follower(self, stage: StageRef, user_id: str, message: Message, locale: str) -> None:
        if self.hold is not None:
            await self.hold.wait()
        self._record("notify_follower", stage.stage_id, user_id, message=message, locale=locale)
