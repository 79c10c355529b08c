"""The message bus: one command at a time per stage, committed before it is acknowledged.

The platform work a command's events ask for is planned before the commit and written with it (the outbox),
so a crash after the commit loses none of it, and so are the timer jobs the commands moved
(bot/services/arming.py). After the commit the bus hands the effects to the dispatcher, which talks to the
platform in the background so the reply is never held up by a slow platform call.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import weakref
from asyncio import Lock
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Protocol

from bot.domain import commands as c
from bot.domain import errors
from bot.domain.members import SYSTEM
from bot.domain.rules import Rules
from bot.domain.stage import StageState
from bot.domain.schedule import Calendar
from bot.i18n.message import Message
from bot.ports import Clock, ConcurrencyConflict, Scheduler, UnitOfWork
from bot.services.arming import TimerJobs
from bot.services.board import Board
from bot.services.outbox import OutboxDispatcher
from bot.services.group_commit import GroupCommit
from bot.services.batch import (Split, board_after, events_so_far, footprint, no_board, planned_effects,
                                touched_by)
from bot.services.handlers import HANDLERS, Context, Handler
from bot.services.schedule_handlers import SCHEDULE_HANDLERS

log = logging.getLogger(__name__)

_RETRIES = 8
# The members' own commands, refused before they change anything: those waiting on one stage share a commit.
TOGETHER = (c.RaiseHand, c.LowerHand)
# A command's reply, and how to take the board of the stage it changed (only when someone asks for it).
Done = tuple[Message, Callable[[], "Board | None"]]
Outcome = Done | errors.StageError
Unit = list[c.Command]  # commands on one lock key, in order: they go into one transaction together


_BACKOFF = 0.002  # seconds; doubled on each conflict, with jitter so two processes stop colliding in step


class Observer(Protocol):
    """What the bus reports for the operator's metrics (bot.metrics.Metrics)."""

    def command(self, kind: str, outcome: str, seconds: float) -> None: ...

    def stage(self, stage_id: str, *, live: bool, queue_length: int) -> None: ...


class MessageBus:
    def __init__(
        self, *, uow: Callable[[], UnitOfWork], clock: Clock, scheduler: Scheduler,
        defaults: Rules, new_id: Callable[[], str], dispatcher: OutboxDispatcher, calendar: Calendar,
        space_timezone: Callable[[str, str], Awaitable[str]], reminder_lead: int = 900,
        reminder_grace: timedelta = timedelta(minutes=10), shared_jobs: bool = False,
        metrics: Observer | None = None,
    ) -> None:
        self.metrics = metrics
        self._uow, self.clock = uow, clock
        self.timers = TimerJobs(scheduler, shared=shared_jobs)
        self._defaults, self._new_id = defaults, new_id
        self._calendar, self._space_timezone = calendar, space_timezone
        self._reminder_lead, self._reminder_grace = reminder_lead, reminder_grace
        self.dispatcher = dispatcher
        self._locks: weakref.WeakValueDictionary[str, Lock] = weakref.WeakValueDictionary()
        # Commands a service of their own stores and answers (recording consent, replays), by type.
        self.services: dict[type[c.Command], Callable[[c.Command], Awaitable[Message]]] = {}
        self._writer: GroupCommit[Unit, list[Outcome]] = GroupCommit(self._commit)
        # Commands waiting for their stage, by lock key, to go through together (see `_together`).
        self._waiting: dict[str, list[tuple[c.StageCommand, asyncio.Future[Done]]]] = {}

    async def handle(self, command: c.Command) -> Message:
        """Runs a command; raises a StageError (nothing changed) or returns the acknowledgement."""
        reply, _ = await self._timed(command)
        return reply

    async def handle_touching(self, command: c.Command) -> tuple[Message, Board | None]:
        """Runs a command; also returns the board of the stage it changed, as committed (None if none). The board
        is taken only here: a snapshot of a stage of thousands of hands is not free, and `handle` needs none."""
        reply, board = await self._timed(command)
        return reply, board()

    async def _timed(self, command: c.Command) -> Done:
        started, outcome = time.perf_counter(), "failed"
        try:
            done = await self._handle(command)
            outcome = "ok"
            return done
        except errors.StageError as error:
            outcome = "failed" if isinstance(error, errors.Unexpected) else "refused"
            raise
        finally:
            if self.metrics is not None:
                self.metrics.command(type(command).__name__, outcome, time.perf_counter() - started)

    async def _handle(self, command: c.Command) -> Done:
        service = self.services.get(type(command))
        if service is not None:
            try:
                return await service(command), no_board
            except errors.StageError:
                raise
            except Exception:
                log.exception("command %r failed", command)
                raise errors.Unexpected() from None
        if isinstance(command, TOGETHER):
            return await self._together(command)
        async with self._lock(_lock_key(command)):
            if isinstance(command, c.StageCommand) and not isinstance(command, c.ExpireDue):
                await self._expire_if_due(command.stage_id)
            return await self._run(command)

    def _lock(self, key: str) -> Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = Lock()
        return lock

    async def _expire_if_due(self, stage_id: str) -> None:
        """Applies timers that ran out before the command is judged (their job may not have fired yet)."""
        now = self.clock.now()
        due = self.timers.due(stage_id, now)
        if due is not None and due <= now:
            try:
                await self._run(c.ExpireDue(stage_id=stage_id, actor=SYSTEM))
            except errors.StageNotFound:
                pass

    async def _run(self, command: c.Command) -> Done:
        [outcome] = await self._writer.submit([command])
        if isinstance(outcome, errors.StageError):
            raise outcome
        return outcome

    async def _together(self, command: c.StageCommand) -> Done:
        """Commands of one stage that arrive while another holds it wait together, then go through as one unit
        of the next transaction, each answered with its own reply or refusal."""
        key = _lock_key(command)
        waiting = self._waiting.setdefault(key, [])
        answer: asyncio.Future[Done] = asyncio.get_running_loop().create_future()
        waiting.append((command, answer))
        async with self._lock(key):
            if not answer.done():
                batch = list(waiting)
                waiting.clear()
                try:
                    await self._expire_if_due(command.stage_id)
                    outcomes = await self._writer.submit([queued for queued, _ in batch])
                except BaseException:
                    for _, pending in batch:
                        if not pending.done():
                            pending.set_exception(errors.Unexpected())
                    raise
                for (_, pending), outcome in zip(batch, outcomes):
                    if isinstance(outcome, errors.StageError):
                        pending.set_exception(outcome)
                    else:
                        pending.set_result(outcome)
            if not waiting:
                self._waiting.pop(key, None)
        return answer.result()

    async def _commit(self, units: list[Unit]) -> list[list[Outcome]]:
        """Every unit in one transaction (group commit). What cannot commit as a whole (a failure, a conflict,
        a refusal that left something changed) is undone and judged again in parts, down to each command
        alone, so one command's failure or refusal is its own and the others stand."""
        try:
            return await self._transaction(units)
        except Split:
            if len(units) > 1:
                return [(await self._commit([unit]))[0] for unit in units]
            return [[(await self._commit([[command]]))[0][0] for command in units[0]]]
        except errors.StageError as error:  # a lone command refused, or one unit given up on: each command told
            return [[error] * len(unit) for unit in units]

    async def _transaction(self, units: list[Unit]) -> list[list[Outcome]]:
        alone = len(units) == 1 and len(units[0]) == 1
        expired = any(isinstance(command, c.ExpireDue) for unit in units for command in unit)
        for attempt in range(1, _RETRIES + 1):
            try:
                async with self._uow() as uow:
                    keys = [_lock_key(unit[0]) for unit in units]
                    await uow.serialize(*keys, stages={k for k, u in zip(keys, units)
                                                       if isinstance(u[0], c.StageCommand)})
                    replies: list[list[Message | errors.StageError]] = []
                    touched: list[str | None] = []
                    for unit in units:
                        replies.append([])
                        before_unit = events_so_far(uow, unit[0])
                        for command in unit:
                            ctx = self._context()
                            before = None if alone else footprint(uow, command)
                            try:
                                replies[-1].append(await _HANDLERS[type(command)](command, uow, ctx))
                            except errors.StageError as refused:
                                if alone:
                                    await uow.confirm()  # judged on what is stored: else judged again
                                    raise
                                if footprint(uow, command) != before:
                                    raise Split() from None  # refused after changing something: undo it all
                                replies[-1].append(refused)
                        touched.append(touched_by(uow, unit[0], before_unit))
                    timers = await self.timers.plan(uow, expired)
                    writes = timers.writes()
                    uow.record_jobs(writes)
                    effects = planned_effects(uow)
                    uow.record(effects, ctx.now)
                    await uow.commit()
                    stages = dict(uow.stages.seen)
                self.dispatcher.submit(effects)
                break
            except ConcurrencyConflict:
                if len(units) > 1:
                    raise Split() from None  # whose write conflicted is not known: each tries alone
                if attempt == _RETRIES:
                    log.error("gave up on %r after %d conflicting writes", units[0], attempt)
                    raise errors.Unexpected() from None
                await asyncio.sleep(random.uniform(0, _BACKOFF * 2 ** attempt))
            except (errors.StageError, Split):
                raise
            except Exception:
                if not alone:  # one of them failed halfway: each is judged alone, as it would have been
                    # Said, so that a failure of the group's own writing (every group falling back to a
                    # transaction a command) does not go unseen behind answers that are all right.
                    log.warning("a group of %d commands failed; each is judged alone", sum(map(len, units)),
                                exc_info=True)
                    raise Split() from None
                log.exception("command %r failed", units[0][0])
                raise errors.Unexpected() from None
        await self.timers.committed(timers, writes)  # committed: nothing after may turn answers into failures
        if self.metrics is not None:
            for stage_id, stage in stages.items():
                self.metrics.stage(stage_id, live=stage.state is StageState.LIVE, queue_length=len(stage.queue))
        now = ctx.now
        return [[reply if isinstance(reply, errors.StageError) else (reply, board_after(stages, stage_id, now))
                 for reply in unit_replies] for unit_replies, stage_id in zip(replies, touched)]

    def _context(self) -> Context:
        return Context(now=self.clock.now(), defaults=self._defaults, new_id=self._new_id,
                       calendar=self._calendar, space_timezone=self._space_timezone,
                       reminder_lead=self._reminder_lead, reminder_grace=self._reminder_grace)

    async def rearm_series(self, schedule_ids: Sequence[str]) -> None:
        """After a start: arm every active series; what came due while the bot was away runs now."""
        for schedule_id in schedule_ids:
            async with self._lock(schedule_id):
                async with self._uow() as uow:
                    schedule = await uow.schedules.get(schedule_id)
                await self.timers.arm_series(schedule, not_before=self.clock.now())

    async def rearm_all(self, stage_ids: Sequence[str]) -> None:
        """After a start: apply what ran out while the bot was away and arm every live stage's timer."""
        for stage_id in stage_ids:
            async with self._lock(stage_id):
                await self._run(c.ExpireDue(stage_id=stage_id, actor=SYSTEM))


_HANDLERS: dict[type[c.Command], Handler] = {**HANDLERS, **SCHEDULE_HANDLERS}


def _lock_key(command: c.Command) -> str:
    if isinstance(command, c.StageCommand):
        return command.stage_id
    if isinstance(command, c.ScheduleCommand):
        return command.schedule_id
    if isinstance(command, c.OpenStage):
        return f"open:{command.platform}:{command.space_id}:{command.channel_id}"
    return f"{type(command).__name__}:{command.actor.user_id}"
