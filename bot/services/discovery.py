"""`/stage list`: what is live and what is coming in a space, as sentences every platform renders; the
platform gives each stage's channel its own clickable form (the way to join it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.tags import shown
from bot.i18n.markers import N_
from bot.i18n.message import Mention, Message
from bot.ports import Board, ScheduleView

SHOWN = 15  # of each kind


@dataclass(frozen=True, slots=True)
class Listing:
    """Live stages (their boards) and upcoming scheduled ones, soonest first, as of `now`."""

    live: tuple[Board, ...]
    upcoming: tuple[ScheduleView, ...]
    now: datetime


def listing_lines(listing: Listing, channel: Callable[[str], str]) -> list[Message]:
    """`channel(id)`: how the platform shows a channel so that a click takes one there (Discord and Slack:
    <#id>; the console: its name)."""
    lines = [Message.of(N_("Live now: {count}"), count=len(listing.live))]
    for board in listing.live[:SHOWN]:
        lines.append(Message.of(N_("🔴 “{title}” in {channel} · host {host} · {audience} in the room{topic}{tags}"),
                                title=board.ref.title, channel=channel(board.ref.channel_id),
                                host=Mention(board.host_id), audience=board.present_count,
                                topic=topic_part(board.topic), tags=tags_part(board.tags)))
    upcoming = [view for view in listing.upcoming if view.next_at is not None]
    lines.append(Message.of(N_("Coming: {count}"), count=len(upcoming)))
    for view in upcoming[:SHOWN]:
        assert view.next_at is not None
        lines.append(Message.of(N_("📅 “{title}” in {channel} · host {host} · starts in {wait} · going: {going}"
                                   "{topic}{tags}"), title=view.ref.title, channel=channel(view.ref.channel_id),
                                host=Mention(view.host_id), wait=_wait(view.next_at, listing.now),
                                going=len(view.rsvps), topic=topic_part(view.topic), tags=tags_part(view.tags)))
    more = max(0, len(listing.live) - SHOWN) + max(0, len(upcoming) - SHOWN)
    if more:
        lines.append(Message.of(N_("and {count} more"), count=more))
    return lines


def topic_part(topic: str) -> Message | str:
    return Message.of(N_(" · {topic}"), topic=topic) if topic else ""


def tags_part(tags: tuple[str, ...]) -> str:
    return f" · {shown(tags)}" if tags else ""  # `#pricing` reads the same in every language


def _wait(at: datetime, now: datetime) -> timedelta:
    """Whole minutes to go (a start already due reads as none), read the reader's way: 45 minutes, 3 days."""
    return timedelta(minutes=max(0, round((at - now).total_seconds() / 60)))


def listed(live: Sequence[Board], upcoming: Sequence[ScheduleView], now: datetime) -> Listing:
    return Listing(live=tuple(live), upcoming=tuple(v for v in upcoming if v.next_at is not None), now=now)
