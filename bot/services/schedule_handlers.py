"""Handlers for scheduled stages: plan a series, answer it, and what its timers ask (remind, open)."""

from __future__ import annotations

from dataclasses import replace

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain import commands as c, moderation
from bot.domain.members import SYSTEM, Actor
from bot.domain.recurrence import Recurrence
from bot.domain.schedule import ScheduledStage
from bot.domain.stage import Stage
from bot.i18n.markers import N_
from bot.i18n.message import Message
from bot.ports import UnitOfWork
from bot.services.handlers import Context, Handler
from bot.services.schedule_view import repeats


async def schedule_stage(cmd: c.ScheduleStage, uow: UnitOfWork, ctx: Context) -> Message:
    timezone = cmd.timezone or await ctx.space_timezone(cmd.platform, cmd.space_id)
    schedule = ScheduledStage.create(
        id=ctx.new_id(), platform=cmd.platform, space_id=cmd.space_id, channel_id=cmd.channel_id,
        title=cmd.title, topic=cmd.topic, host=cmd.actor, timezone=timezone, start=cmd.start,
        duration=cmd.duration, recurrence=Recurrence.parse(cmd.recurrence), reminder_lead=ctx.reminder_lead,
        now=ctx.now, active_in_space=await uow.schedules.count_active(cmd.platform, cmd.space_id),
        calendar=ctx.calendar, record=cmd.record, tags=cmd.tags)
    uow.schedules.add(schedule)
    return Message.of(N_("“{title}” is scheduled for {when} ({repeat}); its id is {schedule_id}."),
                      title=schedule.title, when=_local(schedule.next_at, timezone),
                      repeat=repeats(schedule.recurrence), schedule_id=schedule.id)


async def edit_schedule(cmd: c.EditSchedule, uow: UnitOfWork, ctx: Context) -> Message:
    schedule = await uow.schedules.get(cmd.schedule_id)
    recurrence = Recurrence.parse(cmd.recurrence) if cmd.recurrence is not None else None
    schedule.edit(cmd.actor, ctx.now, calendar=ctx.calendar, title=cmd.title, topic=cmd.topic, start=cmd.start,
                  timezone=cmd.timezone, duration=cmd.duration, recurrence=recurrence, tags=cmd.tags)
    return Message.of(N_("“{title}” now next happens at {when}."), title=schedule.title,
                      when=_local(schedule.next_at, schedule.timezone))


async def cancel_schedule(cmd: c.CancelSchedule, uow: UnitOfWork, ctx: Context) -> Message:
    schedule = await uow.schedules.get(cmd.schedule_id)
    schedule.cancel(cmd.actor, ctx.now, occurrence=cmd.occurrence, calendar=ctx.calendar)
    if cmd.occurrence is None:
        return Message.of(N_("“{title}” is cancelled, every occurrence."), title=schedule.title)
    return Message.of(N_("The occurrence of “{title}” at {when} is cancelled."), title=schedule.title,
                      when=_local(cmd.occurrence, schedule.timezone))


async def rsvp(cmd: c.Rsvp, uow: UnitOfWork, ctx: Context) -> Message:
    schedule = await uow.schedules.get(cmd.schedule_id)
    occurrence = schedule.rsvp(cmd.actor, ctx.now, going=cmd.going)
    when = _local(occurrence, schedule.timezone)
    if cmd.going:
        return Message.of(N_("You're going to “{title}” at {when}; you will be reminded."),
                          title=schedule.title, when=when)
    return Message.of(N_("You're no longer going to “{title}” at {when}."), title=schedule.title, when=when)


async def link_schedule_event(cmd: c.LinkScheduleEvent, uow: UnitOfWork, ctx: Context) -> Message:
    schedule = await uow.schedules.get(cmd.schedule_id)
    schedule.link_platform_event(cmd.event_id)
    return Message.of(N_("Linked."))


async def send_reminder(cmd: c.SendReminder, uow: UnitOfWork, ctx: Context) -> Message:
    schedule = await uow.schedules.get(cmd.schedule_id)
    schedule.remind(cmd.actor, ctx.now, occurrence=cmd.occurrence, grace=ctx.reminder_grace)
    return Message.of(N_("Reminders sent."))


async def start_scheduled(cmd: c.StartScheduled, uow: UnitOfWork, ctx: Context) -> Message:
    schedule = await uow.schedules.get(cmd.schedule_id)
    if schedule.next_at != cmd.occurrence or schedule.last_opened == cmd.occurrence:
        return Message.of(N_("Nothing to open."))
    existing = await uow.stages.live_in_channel(schedule.platform, schedule.space_id, schedule.channel_id)
    stage_id = None
    if existing is None:
        stage = Stage.open(id=ctx.new_id(), platform=schedule.platform, space_id=schedule.space_id,
                           channel_id=schedule.channel_id, title=schedule.title, topic=schedule.topic,
                           host=Actor(schedule.host_id), now=ctx.now, schedule_id=schedule.id,
                           rules=replace(ctx.defaults, record=True) if schedule.record else ctx.defaults,
                           # Opened by the clock: no platform has told who is in the room yet.
                           presence_known=False, tags=schedule.tags)
        moderation.keep_out(stage, await uow.stages.blocked_in_space(schedule.platform, schedule.space_id, ctx.now),
                            SYSTEM, ctx.now)
        uow.stages.add(stage)
        stage_id = stage.id
    schedule.start(SYSTEM, ctx.now, occurrence=cmd.occurrence, stage_id=stage_id, calendar=ctx.calendar)
    return Message.of(N_("Stage “{title}” is live."), title=schedule.title)


def _local(moment: datetime | None, timezone: str) -> datetime | str:
    return moment.astimezone(ZoneInfo(timezone)) if moment is not None else ""


SCHEDULE_HANDLERS: dict[type[c.Command], Handler] = {
    c.ScheduleStage: schedule_stage, c.EditSchedule: edit_schedule, c.CancelSchedule: cancel_schedule,
    c.Rsvp: rsvp, c.LinkScheduleEvent: link_schedule_event, c.SendReminder: send_reminder,
    c.StartScheduled: start_scheduled,
}
