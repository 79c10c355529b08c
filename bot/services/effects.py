"""Platform effects as data: what a committed change asks of the platform, decided before the commit and
stored with it (the outbox), so that a crash between the commit and the platform call loses nothing.

An effect names a platform operation and its arguments in plain JSON values. The stage's place on the
platform (its board, title, channel) is read when the effect is delivered, so a board shows what is true then.
"""

from __future__ import annotations

import asyncio
import hashlib
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain.members import Recap, SpeakerRecap
from bot.i18n.message import Duration, Mention, Message
from bot.ports import OutboxEntry

# Set by the outbox while it delivers an effect: adapters tag what they post with it, and when the effect
# may have reached the platform already (a retry, or the first delivery after a restart) look for that tag
# before posting again.
delivering: ContextVar[Delivery | None] = ContextVar("podium_delivering", default=None)


@dataclass(frozen=True, slots=True)
class Effect:
    kind: str  # a StagePlatform method (or "cue", "tell", "tell_space"), see Notifier.deliver
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Delivery:
    """The effect being delivered: its id (stable across retries and restarts) and whether an earlier
    attempt may have reached the platform.

    An adapter that hands the call to a worker of its own (paced direct messages) says so with `after`: the
    effect is marked done once that call succeeded, not when the delivery returned."""

    id: str
    maybe_done: bool
    pending: list[asyncio.Future[None]] = field(default_factory=list)

    def after(self, accepted: asyncio.Future[None]) -> None:
        self.pending.append(accepted)

    @property
    def nonce(self) -> str:
        """At most 25 characters, as Discord's message nonce allows."""
        return hashlib.sha256(self.id.encode()).hexdigest()[:25]


class Elsewhere(Exception):
    """The effect's space is served by another process (its route): that process delivers it."""

    def __init__(self, route: str) -> None:
        super().__init__(route)
        self.route = route


EFFECTS_PER_COMMIT = 100_000  # positions: the stream's version at the commit, then the effect's place in it


def entries(stream: str, version: int, platform: str, effects: list[Effect]) -> list[OutboxEntry]:
    """A commit's effects on one stream; `version` is the stream's version that commit writes."""
    base = version * EFFECTS_PER_COMMIT
    return [OutboxEntry(stream, base + i, platform, e.kind, e.args) for i, e in enumerate(effects)]


def current() -> Delivery | None:
    return delivering.get()


# ---- JSON forms of what effects carry

def message_json(message: Message) -> dict[str, Any]:
    return {"msgid": message.msgid, "params": {k: _value_json(v) for k, v in message.params.items()}}


def message_from(data: dict[str, Any]) -> Message:
    return Message(data["msgid"], {k: _value_from(v) for k, v in data["params"].items()})


def _value_json(value: Any) -> Any:
    if isinstance(value, Mention):
        return {"$mention": value.user_id}
    if isinstance(value, Duration):
        return {"$duration": value.seconds, "zero": value.zero}
    if isinstance(value, Message):
        return {"$message": message_json(value)}
    if isinstance(value, datetime):
        return {"$at": value.isoformat()}
    return value


def _value_from(value: Any) -> Any:
    if isinstance(value, dict):
        if "$mention" in value:
            return Mention(value["$mention"])
        if "$at" in value:
            return datetime.fromisoformat(value["$at"])
        if "$duration" in value:
            return Duration(value["$duration"], value.get("zero", ""))
        if "$message" in value:
            return message_from(value["$message"])
    return value


def recap_json(recap: Recap) -> dict[str, Any]:
    return {"duration_seconds": recap.duration_seconds, "peak_audience": recap.peak_audience,
            "hands_raised": recap.hands_raised, "hands_served": recap.hands_served,
            "still_waiting": list(recap.still_waiting),
            "speakers": [[s.user_id, s.talk_seconds, s.turns] for s in recap.speakers]}


def recap_from(data: dict[str, Any]) -> Recap:
    return Recap(duration_seconds=data["duration_seconds"], peak_audience=data["peak_audience"],
                 speakers=tuple(SpeakerRecap(u, t, n) for u, t, n in data["speakers"]),
                 hands_raised=data["hands_raised"], hands_served=data["hands_served"],
                 still_waiting=tuple(data["still_waiting"]))
