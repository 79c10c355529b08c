"""Small builders for domain tests: a fixed clock, actors, a stage factory and a full-state snapshot."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.domain import events as ev
from bot.domain.members import Actor
from bot.domain.rules import Rules
from bot.domain.stage import Stage
from bot.domain.validation import Visibility

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)

HOST = Actor("host")
ANN = Actor("ann")
BOB = Actor("bob")
CAT = Actor("cat")
DAN = Actor("dan")
EVE = Actor("eve")
OUTSIDER = Actor("zed")  # never in the room unless a test puts them there
PLATFORM_MOD = Actor("pm", platform_moderator=True)

AUDIENCE = ("host", "ann", "bob", "cat", "dan", "eve")


def at(seconds: float) -> datetime:
    """A moment ``seconds`` after the stage opened."""
    return NOW + timedelta(seconds=seconds)


def open_stage(
    *, present: tuple[str, ...] = AUDIENCE, visibility: str = Visibility.PUBLIC, capacity: int = 0,
    topic: str = "", **rules: Any,
) -> Stage:
    """A live stage opened by HOST at NOW, with its opening events and dirty marks already taken.

    Idle close is off unless a test asks for it, so timers tests see only what they set up.
    """
    rules.setdefault("idle_close", 0)
    stage = Stage.open(
        id="stage-1", platform="console", space_id="space-1", channel_id="room-1", title="Town hall",
        host=HOST, now=NOW, rules=Rules(**rules), topic=topic, visibility=visibility, capacity=capacity,
        present=frozenset(present))
    stage.pull_events()
    stage.dirty.clear()
    return stage


def raise_hands(stage: Stage, *actors: Actor, start: float = 0.0) -> list[int | None]:
    """Each actor raises a hand one second after the previous one."""
    return [stage.raise_hand(actor, "", at(start + i)) for i, actor in enumerate(actors)]


def make_speaker(stage: Stage, actor: Actor, when: float = 0.0) -> None:
    stage.approve(HOST, actor.user_id, at(when))


def kinds(events: list[ev.Event]) -> list[str]:
    return [e.kind for e in events]


def of_kind(events: list[ev.Event], kind: type[ev.Event]) -> list[Any]:
    return [e for e in events if isinstance(e, kind)]


def snapshot(stage: Stage) -> dict[str, Any]:
    """Everything a command could change: every attribute of the stage and its members, the queue, events, dirty.

    The queue is read through its private keys too: a stale key would not show in the order today
    but would shift positions later.
    """
    state = {name: copy.deepcopy(value) for name, value in vars(stage).items() if name != "queue"}
    state["queue.order"] = list(stage.queue)
    state["queue.positions"] = {u: stage.queue.position(u, stage.participants[u].hand) for u in stage.queue}
    state["queue.keys"] = stage.queue.keys()
    state["queue.mode"] = stage.queue._mode
    state["queue.len"] = len(stage.queue)
    return state
