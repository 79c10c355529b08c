"""Turns committed events of a series into platform work: its announcement, reminders, the opening."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from bot.domain import schedule_events as sev
from bot.i18n.markers import N_
from bot.i18n.message import Message
from bot.ports import StagePlatform
from bot.services.locales import Locales
from bot.services.schedule_view import ScheduleView

log = logging.getLogger(__name__)

_SHOWN = (sev.StageScheduled, sev.ScheduleEdited, sev.ScheduleCancelled, sev.ScheduledStageStarted,
          sev.ScheduledStageMissed, sev.RsvpChanged)


class ScheduleNotifier:
    def __init__(self, platforms: Mapping[str, StagePlatform], locales: Locales) -> None:
        self._platforms, self._locales = platforms, locales

    async def __call__(self, events: Sequence[sev.ScheduleEvent], view: ScheduleView) -> None:
        platform = self._platforms.get(view.ref.platform)
        if platform is None:
            return
        for event in events:
            try:
                await self._apply(platform, event, view)
            except Exception:  # one failed message must not keep the others from going out
                log.exception("platform work for %s on series %s failed", event.kind, event.schedule_id)
        if any(isinstance(e, _SHOWN) for e in events):
            try:
                await platform.schedule_changed(view)
            except Exception:
                log.exception("showing series %s failed", view.schedule_id)

    async def _apply(self, platform: StagePlatform, event: sev.ScheduleEvent, view: ScheduleView) -> None:
        title = view.ref.title
        match event:
            case sev.ReminderSent(occurrence=occurrence, recipients=recipients):
                when = occurrence.astimezone(ZoneInfo(view.timezone))
                for user_id in recipients:
                    await self._tell(platform, view, user_id, Message.of(
                        N_("Reminder: “{title}” starts at {when}."), title=title, when=when))
            case sev.ScheduledStageStarted(rsvps=rsvps, late_seconds=late):
                for user_id in rsvps:
                    await self._tell(platform, view, user_id, Message.of(
                        N_("“{title}” is live now. Join the stage!"), title=title))
                if late > 60:
                    await self._announce(platform, view, Message.of(
                        N_("“{title}” opens late: Podium was away at its start time."), title=title))
            case sev.ScheduledStageMissed():
                await self._announce(platform, view, Message.of(
                    N_("“{title}” could not open: another stage is live in this channel."), title=title))

    async def _tell(self, platform: StagePlatform, view: ScheduleView, user_id: str, message: Message) -> None:
        locale = await self._locales.for_member(view.ref.platform, view.ref.space_id, user_id)
        await platform.notify(view.ref, user_id, message, locale)

    async def _announce(self, platform: StagePlatform, view: ScheduleView, message: Message) -> None:
        locale = await self._locales.for_space(view.ref.platform, view.ref.space_id)
        await platform.announce(view.ref, message, locale)
