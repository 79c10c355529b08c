"""The board: what everyone sees of a live stage, as a snapshot taken right after a commit.

The Board itself is declared with the port it crosses (bot/ports.py); this module takes it from a stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.rules import Rules
from bot.domain.stage import Stage
from bot.domain.timers import speaking_deadline
from bot.ports import Board, QueueLine, SpeakerLine, StageRef

__all__ = ["BOARD_QUEUE_LINES", "Board", "Heading", "QueueLine", "SpeakerLine", "board_of", "heading_of", "stage_ref"]

BOARD_QUEUE_LINES = 10


def stage_ref(stage: Stage) -> StageRef:
    return StageRef(stage_id=stage.id, platform=stage.platform, space_id=stage.space_id,
                    channel_id=stage.channel_id, title=stage.title)


class Heading(Protocol):
    """What planning a commit's effects reads of its stage (bot/services/notifications.py): a board has it, and
    so has the far cheaper `heading_of`, taken for every commit where a board would list every speaker."""

    @property
    def ref(self) -> StageRef: ...

    @property
    def rules(self) -> Rules: ...

    @property
    def state(self) -> str: ...


@dataclass(frozen=True, slots=True)
class _Heading:
    ref: StageRef
    rules: Rules
    state: str


def heading_of(stage: Stage) -> Heading:
    return _Heading(stage_ref(stage), stage.rules, stage.state.value)


def board_of(stage: Stage, now: datetime, *, lines: int = BOARD_QUEUE_LINES) -> Board:
    speakers = []
    for member in stage.speakers:
        assert member.speaking_since is not None, "a speaker has had the floor since then"
        deadline = speaking_deadline(stage, member.user_id)
        left = None if deadline is None else max(0, round((deadline - now).total_seconds()))
        speakers.append(SpeakerLine(member.user_id, member.speaking_since, left))
    queue = []
    for position, user_id in enumerate(stage.queue.first(lines), start=1):
        waiting = stage.participants[user_id]
        assert waiting.hand is not None, "everyone in the queue has a hand up"
        queue.append(QueueLine(position, user_id, waiting.hand.note, waiting.present,
                               away=stage.presence_known and not waiting.present))
    return Board(
        ref=stage_ref(stage), state=stage.state.value, topic=stage.topic, host_id=stage.host_id,
        visibility=stage.visibility, capacity=stage.capacity, hands_locked=stage.hands_locked,
        rules=stage.rules, speakers=tuple(speakers), queue=tuple(queue), queue_length=len(stage.queue),
        present_count=stage.present_count,
        moderators=tuple(sorted(stage.moderators)),
        taken_at=now, version=stage.version, schedule_id=stage.schedule_id,
        presence_known=stage.presence_known, tags=stage.tags)
