"""The announcement of a scheduled series: one Block Kit message in the series' channel with "Going" and
"Not going" buttons, posted when the series is planned and edited in place as it changes (edited, one
occurrence cancelled, an occurrence opened, an RSVP), then marked cancelled or over without buttons.

Its ts is kept in the database, so a restarted bot edits the same message. Edits are coalesced like the
board's: a burst of RSVPs becomes one `chat.update` per `interval` per series, showing the newest state.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError

from adapters.slack.blocks import button
from adapters.slack.boards import post_in_channel
from adapters.slack.directory import PLATFORM
from adapters.slack.state import Announcement, SlackState
from adapters.slack.text import Markup, Say, date_token, escape, mention, sayer
from bot.i18n.markers import N_
from bot.i18n.message import Duration, Message
from bot.services.locales import Locales
from bot.services.schedule_view import ScheduleView
from bot.surface.show import repeat_words as core_repeat_words

log = logging.getLogger(__name__)

GOING, NOT_GOING = "podium_rsvp_going", "podium_rsvp_not_going"
SHOWN_GOING = 20
WHEN = "{date_short_pretty} {time}"


def _t(say: Say, msgid: str, **params: object) -> str:
    return say(Message(msgid, params))


def repeat_words(recurrence: str, say: Say, locale: str) -> str:
    """How a series repeats, in words (the core's), a cron expression in code markup."""
    return say(core_repeat_words(recurrence, locale, code=lambda cron: Markup(f"`{escape(cron)}`")))


def announcement(view: ScheduleView, say: Say, locale: str, *, reminder_lead: int
                 ) -> tuple[list[dict[str, Any]], str]:
    """The blocks and the notification text of a series' announcement."""
    title = view.ref.title
    header = {"type": "header", "text": {"type": "plain_text", "text": f"📅 {title}"[:150], "emoji": True}}
    if view.state == "cancelled":
        text = _t(say, N_("“{title}” is cancelled, every occurrence."), title=title)
        return [header, _section(text)], text
    if view.next_at is None:
        text = _t(say, N_("“{title}” has no occurrence left."), title=title)
        return [header, _section(text)], text
    when = date_token(view.next_at, WHEN)
    lines = [
        "🗓 " + _t(say, N_("Next: {when}"), when=when),
        "⏱ " + _t(say, N_("Expected to last {length}"), length=Duration(view.duration)),
        "🔁 " + repeat_words(view.recurrence, say, locale),
        "🎙 " + _t(say, N_("Hosted by {member}"), member=Markup(mention(view.host_id))),
    ]
    if view.topic:
        lines.append(_t(say, N_("Topic: {topic}"), topic=view.topic))
    going = _t(say, N_("Going: {count}"), count=len(view.rsvps))
    if view.rsvps:
        going += " · " + ", ".join(mention(u) for u in view.rsvps[:SHOWN_GOING])
        if len(view.rsvps) > SHOWN_GOING:
            going += " " + _t(say, N_("and {count} more"), count=len(view.rsvps) - SHOWN_GOING)
    blocks = [
        header,
        _section("\n".join(lines)),
        _context(going),
        {"type": "actions", "elements": [
            button(_t(say, N_("Going ({count})"), count=len(view.rsvps)), GOING, view.schedule_id, "primary"),
            button(_t(say, N_("Not going")), NOT_GOING, view.schedule_id),
        ]},
        _context(_reminders(say, reminder_lead),
                 _t(say, N_("Series id: {schedule_id}"), schedule_id=Markup(f"`{escape(view.schedule_id)}`"))),
    ]
    return blocks, _t(say, N_("Scheduled stage “{title}”: {when}"), title=title, when=when)


def _reminders(say: Say, lead: int) -> str:
    if lead:
        return _t(say, N_("Those going get a direct message {lead} before the start, and when it opens."),
                  lead=Duration(lead))
    return _t(say, N_("Those going get a direct message when it opens."))


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def _context(*texts: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t[:3000]} for t in texts]}


class Announcer:
    def __init__(self, *, client: Any, state: SlackState, locales: Locales, reminder_lead: int,
                 interval: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._client, self._state, self._locales = client, state, locales
        self._reminder_lead = reminder_lead
        self.interval, self._clock = interval, clock
        self._seq = 0
        self._latest: dict[str, tuple[int, ScheduleView]] = {}  # series id -> (sequence number, newest view)
        self._shown: dict[str, int] = {}
        self._last_edit: dict[str, float] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def show(self, view: ScheduleView) -> None:
        # Views arrive in commit order (the core hands out one series' work in order): the last one wins.
        self._seq += 1
        self._latest[view.schedule_id] = (self._seq, view)
        if view.schedule_id not in self._tasks:
            self._tasks[view.schedule_id] = asyncio.create_task(
                self._loop(view.schedule_id), name=f"slack-announcement:{view.schedule_id}")

    async def drain(self) -> None:
        """Waits until every pending announcement went out (tests, and a clean stop)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    async def _loop(self, schedule_id: str) -> None:
        try:
            while self._shown.get(schedule_id, -1) < self._latest[schedule_id][0]:
                wait = self._last_edit.get(schedule_id, float("-inf")) + self.interval - self._clock()
                if wait > 0:
                    await asyncio.sleep(wait)
                seq, view = self._latest[schedule_id]  # the newest, after the wait
                try:
                    await self._publish(view)
                finally:
                    self._last_edit[schedule_id] = self._clock()
                self._shown[schedule_id] = seq
        except Exception:
            log.exception("announcing series %s failed", schedule_id)
        finally:
            self._tasks.pop(schedule_id, None)
            self._latest.pop(schedule_id, None)
            self._shown.pop(schedule_id, None)

    async def _publish(self, view: ScheduleView) -> None:
        locale = await self._locales.for_space(PLATFORM, view.ref.space_id)
        blocks, text = announcement(view, sayer(locale), locale, reminder_lead=self._reminder_lead)
        stored = await self._state.announcement(view.schedule_id)
        if stored is not None:
            try:
                await self._client.chat_update(channel=stored.channel_id, ts=stored.ts, text=text, blocks=blocks)
                return
            except SlackApiError as error:
                if error.response.get("error") not in ("message_not_found", "cant_update_message"):
                    raise
                log.warning("announcement %s of series %s is gone", stored.ts, view.schedule_id)
        if view.state != "active":
            return  # nothing left to answer: no new message only to say so
        ts = await post_in_channel(self._client, view.ref.channel_id, text=text, blocks=blocks)
        await self._state.save_announcement(Announcement(view.schedule_id, view.ref.channel_id, ts))
