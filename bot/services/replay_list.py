"""`/stage replays`: the space's replays still kept, newest first, as sentences each platform renders."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n.markers import N_
from bot.i18n.message import Duration, Message
from bot.services.recordings import Replay

SHOWN = 25


def replay_lines(replays: Sequence[Replay], *, shown: int = SHOWN) -> list[Message]:
    if not replays:
        return [Message.of(N_("No replays are kept here."))]
    lines = [Message.of(N_("{replay_id} · “{title}” · {date} · {length} · voices: {voices} · kept until {until}"),
                        replay_id=replay.id, title=replay.title, date=replay.created_at.date(),
                        length=Duration(replay.seconds), voices=len(replay.speakers),
                        until=replay.expires_at.date())
             for replay in replays[:shown]]
    if len(replays) > shown:
        lines.append(Message.of(N_("and {count} more"), count=len(replays) - shown))
    return lines
