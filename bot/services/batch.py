"""What one transaction of several commands is made of (group commit, bot/services/bus.py): the effects it
writes, whether a refused command left anything behind, which stage each unit changed, and its board."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.domain import commands as c
from bot.domain.stage import Stage
from bot.ports import OutboxEntry, UnitOfWork
from bot.services import notifications, schedule_notifications
from bot.services.board import Board, board_of, heading_of
from bot.services.effects import entries
from bot.services.schedule_view import schedule_view


def no_board() -> Board | None:
    return None


def planned_effects(uow: UnitOfWork) -> list[OutboxEntry]:
    """The platform work of what this unit of work is about to commit, to be written with it."""
    planned: list[OutboxEntry] = []
    for schedule in uow.schedules.seen.values():
        if schedule.events:
            effects = schedule_notifications.plan(schedule.events, schedule_view(schedule))
            planned.extend(entries(schedule.id, schedule.version + 1, schedule.platform, effects))
    for stage in uow.stages.seen.values():
        if stage.events:
            effects = notifications.plan(stage.events, heading_of(stage))
            planned.extend(entries(stage.id, stage.version + 1, stage.platform, effects))
    return planned


class Split(Exception):
    """The transaction cannot commit as a whole: it is undone and its parts are judged apart."""


def footprint(uow: UnitOfWork, command: c.Command) -> tuple[int, ...]:
    """How much a unit of work holds to write, where `command` could have changed something: a refusal must
    leave it as it was (the domain refuses before it changes anything; this checks it for the batch)."""
    if isinstance(command, c.StageCommand):
        stage = uow.stages.seen.get(command.stage_id)
        return (0, 0) if stage is None else (len(stage.events), len(stage.dirty))
    return (len(uow.stages.seen), len(uow.schedules.seen),
            sum(len(s.events) + len(s.dirty) for s in uow.stages.seen.values()),
            sum(len(s.events) for s in uow.schedules.seen.values()))


def events_so_far(uow: UnitOfWork, command: c.Command) -> dict[str, int] | None:
    """Before a unit runs: how many events each stage holds, where its command names no stage (an opening, a
    series' start) and what it changed is told by what grew."""
    if isinstance(command, c.StageCommand):
        return None
    return {stage_id: len(stage.events) for stage_id, stage in uow.stages.seen.items()}


def touched_by(uow: UnitOfWork, command: c.Command, before: dict[str, int] | None) -> str | None:
    """The stage a unit changed, whose board its commands may ask for (not another unit's of the group)."""
    if isinstance(command, c.StageCommand):
        stage = uow.stages.seen.get(command.stage_id)
        return command.stage_id if stage is not None and stage.events else None
    marks = before or {}
    changed = [stage_id for stage_id, stage in uow.stages.seen.items() if len(stage.events) > marks.get(stage_id, 0)]
    return changed[-1] if changed else None


def board_after(stages: dict[str, Stage], stage_id: str | None, now: datetime) -> Callable[[], Board | None]:
    if stage_id is None:
        return no_board
    stage = stages[stage_id]
    return lambda: board_of(stage, now)
