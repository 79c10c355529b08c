"""The recap's timeline as sentences: who had the floor, from when, for how long (the replay's chapters, in
words, on every platform: Slack and the console have no audio)."""

from __future__ import annotations

from bot.domain.members import Recap
from bot.i18n.markers import N_
from bot.i18n.message import Mention, Message

SHOWN = 20  # turns listed; a longer stage says how many more


def clock(seconds: float) -> str:
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def timeline_messages(recap: Recap, *, shown: int = SHOWN) -> list[Message]:
    if not recap.timeline:
        return []
    lines = [Message.of(N_("Timeline:"))]
    lines += [Message.of(N_("{start} {member} spoke for {duration}"), start=clock(turn.start),
                         member=Mention(turn.user_id), duration=clock(turn.seconds))
              for turn in recap.timeline[:shown]]
    if len(recap.timeline) > shown:
        lines.append(Message.of(N_("… and {count} more turns"), count=len(recap.timeline) - shown))
    return lines
