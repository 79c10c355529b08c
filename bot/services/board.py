"""The board: what everyone sees of a live stage, as a snapshot taken right after a commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.rules import Rules
from bot.domain.stage import Stage
from bot.domain.timers import speaking_deadline
from bot.ports import StageRef

BOARD_QUEUE_LINES = 10


@dataclass(frozen=True, slots=True)
class SpeakerLine:
    user_id: str
    since: datetime
    seconds_left: int | None


@dataclass(frozen=True, slots=True)
class QueueLine:
    position: int
    user_id: str
    note: str
    present: bool


@dataclass(frozen=True, slots=True)
class Board:
    ref: StageRef
    state: str
    topic: str
    host_id: str
    visibility: str
    capacity: int
    hands_locked: bool
    rules: Rules
    speakers: tuple[SpeakerLine, ...]
    queue: tuple[QueueLine, ...]
    queue_length: int
    present_count: int
    moderators: tuple[str, ...]
    taken_at: datetime
    version: int
    schedule_id: str | None = None  # the series it was opened from, if any


def stage_ref(stage: Stage) -> StageRef:
    return StageRef(stage_id=stage.id, platform=stage.platform, space_id=stage.space_id,
                    channel_id=stage.channel_id, title=stage.title)


def board_of(stage: Stage, now: datetime, *, lines: int = BOARD_QUEUE_LINES) -> Board:
    speakers = []
    for member in stage.speakers:
        deadline = speaking_deadline(stage, member.user_id)
        left = None if deadline is None else max(0, round((deadline - now).total_seconds()))
        speakers.append(SpeakerLine(member.user_id, member.speaking_since, left))
    queue = tuple(
        QueueLine(position, user_id, stage.participants[user_id].hand.note,
                  stage.participants[user_id].present)
        for position, user_id in enumerate(stage.queue.first(lines), start=1))
    return Board(
        ref=stage_ref(stage), state=stage.state.value, topic=stage.topic, host_id=stage.host_id,
        visibility=stage.visibility, capacity=stage.capacity, hands_locked=stage.hands_locked,
        rules=stage.rules, speakers=tuple(speakers), queue=queue, queue_length=len(stage.queue),
        present_count=stage.present_count,
        moderators=tuple(sorted(stage.moderators)),
        taken_at=now, version=stage.version, schedule_id=stage.schedule_id)
