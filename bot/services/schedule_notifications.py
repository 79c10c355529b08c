"""Turns events of a series into platform work: its announcement, reminders, the opening.

Planned as effects before the commit (written with it) and delivered after it, like a stage's
(notifications.py)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.domain import schedule_events as sev
from bot.i18n.markers import N_
from bot.i18n.message import Message
from bot.ports import StagePlatform
from bot.services.effects import Effect, message_from, message_json
from bot.services.locales import Locales
from bot.services.schedule_view import ScheduleView

log = logging.getLogger(__name__)

_SHOWN = (sev.StageScheduled, sev.ScheduleEdited, sev.ScheduleCancelled, sev.ScheduledStageStarted,
          sev.ScheduledStageMissed, sev.RsvpChanged)


def plan(events: Sequence[sev.ScheduleEvent], view: ScheduleView) -> list[Effect]:
    effects: list[Effect] = []
    title = view.ref.title

    def tell(user_id: str, message: Message) -> None:
        effects.append(Effect("series.tell", {"user": user_id, "message": message_json(message)}))

    def announce(message: Message) -> None:
        effects.append(Effect("series.announce", {"message": message_json(message)}))

    for event in events:
        match event:
            case sev.ReminderSent(occurrence=occurrence, recipients=recipients):
                when = occurrence.astimezone(ZoneInfo(view.timezone))
                for user_id in recipients:
                    tell(user_id, Message.of(N_("Reminder: “{title}” starts at {when}."), title=title, when=when))
            case sev.ScheduledStageStarted(rsvps=rsvps, late_seconds=late):
                for user_id in rsvps:
                    tell(user_id, Message.of(N_("“{title}” is live now. Join the stage!"), title=title))
                if late > 60:
                    announce(Message.of(N_("“{title}” opens late: Podium was away at its start time."), title=title))
            case sev.ScheduledStageMissed():
                announce(Message.of(N_("“{title}” could not open: another stage is live in this channel."),
                                    title=title))
    if any(isinstance(e, _SHOWN) for e in events):
        effects.append(Effect("series.changed"))
    if any(isinstance(e, sev.StageScheduled) for e in events):  # its followers told (bot/services/follows.py)
        effects.append(Effect("community.follows", {"series": True}))
    return effects


class ScheduleNotifier:
    """Delivers one planned effect of a series, with the series as it is now."""

    def __init__(self, locales: Locales) -> None:
        self._locales = locales

    async def deliver(self, platform: StagePlatform, effect: Effect, view: ScheduleView) -> None:
        ref, args = view.ref, effect.args
        match effect.kind:
            case "series.tell":
                locale = await self._locales.for_member(ref.platform, ref.space_id, args["user"])
                await platform.notify(ref, args["user"], message_from(args["message"]), locale)
            case "series.announce":
                locale = await self._locales.for_space(ref.platform, ref.space_id)
                await platform.announce(ref, message_from(args["message"]), locale)
            case "series.changed":
                await platform.schedule_changed(view)
            case _:
                log.error("unknown platform effect %r on series %s", effect.kind, view.schedule_id)
