"""Who is next in line: a change that puts someone else at the head of the queue records NextInLine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.domain import events as ev
from bot.domain.members import Actor
from bot.domain.queue import HandQueue


class HeadWatch:
    """Records NextInLine (through the stage's `record`) when a change puts someone else at the queue's head."""

    def __init__(self, queue: HandQueue, record: Callable[..., Any], actor: Actor, now: datetime) -> None:
        self.queue, self.record, self.actor, self.now = queue, record, actor, now

    def __enter__(self) -> None:
        self.before = self.queue.head()

    def __exit__(self, *exc: object) -> None:
        head = self.queue.head()
        if head is not None and head != self.before:
            self.record(ev.NextInLine, self.actor, self.now, target_id=head)
