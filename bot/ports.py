"""What the core needs from the outside world, as Protocols, and the values that cross them (a stage's
address, its board, a series). Adapters and tests provide the Protocols."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from bot.domain.links import Link
from bot.domain.rules import Rules

if TYPE_CHECKING:
    from bot.domain.commands import Command
    from bot.domain.events import Event
    from bot.domain.members import Recap
    from bot.domain.schedule import ScheduledStage
    from bot.domain.schedule_events import ScheduleEvent
    from bot.domain.stage import Stage
    from bot.i18n.message import Message


class ConcurrencyConflict(Exception):
    """Another process changed the stage since it was read; the command is retried on fresh state."""


class ConnectionLost(ConcurrencyConflict):
    """The database connection dropped before the commit (a server restart, a failover): nothing was written,
    and the command is judged again on a fresh connection."""


class Capability(StrEnum):
    GIVE_FLOOR = "give_floor"  # the platform itself unmutes and mutes speakers (Discord stage channels)
    DIRECT_MESSAGE = "direct_message"
    DISCONNECT = "disconnect"  # can take a member out of the audio room
    ACCESS_CONTROL = "access_control"  # can let only invited members in
    CAPACITY = "capacity"  # can cap the room's size
    SCHEDULED_EVENTS = "scheduled_events"  # mirrors series as the platform's own events (Discord)


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """An effect as stored: in its stream (a stage, or a series), at its place, for its platform."""

    stream: str
    position: int
    platform: str
    kind: str
    args: dict[str, Any] = field(default_factory=dict)
    maybe_done: bool = False  # an earlier attempt may have reached the platform (taken back after a restart)

    @property
    def id(self) -> str:
        return f"{self.stream}:{self.position}"


@dataclass(frozen=True, slots=True)
class StageRef:
    """Enough for an adapter to find a stage's place on its platform."""

    stage_id: str
    platform: str
    space_id: str
    channel_id: str
    title: str


# ---- what the core hands its platforms: snapshots taken right after a commit (bot/services builds them)

@dataclass(frozen=True, slots=True)
class SpeakerLine:
    user_id: str
    since: datetime
    seconds_left: int | None


@dataclass(frozen=True, slots=True)
class QueueLine:
    position: int
    user_id: str
    note: str
    present: bool
    away: bool = False  # shown as away: absent from a room the platform sees (unknown presence is not absence)


@dataclass(frozen=True, slots=True)
class Board:
    ref: StageRef
    state: str
    topic: str
    host_id: str
    visibility: str
    capacity: int
    hands_locked: bool
    rules: Rules
    speakers: tuple[SpeakerLine, ...]
    queue: tuple[QueueLine, ...]
    queue_length: int
    present_count: int
    moderators: tuple[str, ...]
    taken_at: datetime
    version: int
    schedule_id: str | None = None  # the series it was opened from, if any
    presence_known: bool = True  # False while the platform cannot see the audio room (Slack, no huddle seen)
    links: tuple[Link, ...] = ()  # links and documents its moderators attached (bot/services/links.py)
    tags: tuple[str, ...] = ()  # what it is about, as members follow it (bot.domain.tags)


@dataclass(frozen=True, slots=True)
class ScheduleView:
    ref: StageRef  # stage_id holds the series id; notifications about the series use it
    topic: str
    host_id: str
    timezone: str
    next_at: datetime | None
    duration: int
    recurrence: str
    state: str
    rsvps: tuple[str, ...]
    platform_event_id: str | None
    tags: tuple[str, ...] = ()

    @property
    def schedule_id(self) -> str:
        return self.ref.stage_id


class StagePlatform(Protocol):
    """What an adapter can do on its platform. Sentences arrive as catalogue Messages with a locale."""

    name: str
    capabilities: frozenset[Capability]

    async def stage_opened(self, board: Board) -> None: ...

    async def stage_closed(self, board: Board, recap: Recap) -> None: ...

    async def show_board(self, board: Board) -> None: ...

    async def set_speaker(self, stage: StageRef, user_id: str, *, speaking: bool) -> None: ...

    async def notify(self, stage: StageRef, user_id: str, message: Message, locale: str) -> None: ...

    async def announce(self, stage: StageRef, message: Message, locale: str) -> None: ...

    async def disconnect(self, stage: StageRef, user_id: str) -> None: ...

    async def set_access(self, stage: StageRef, user_id: str, *, allowed: bool) -> None: ...

    async def withdraw_hand(self, stage: StageRef, user_id: str) -> None:
        """A hand was lowered (by its member or a moderator): a platform that mirrors hands clears its own."""

    async def restore_access(self, stage: StageRef, user_id: str) -> None:
        """A block was lifted: the member may join again as anyone else (or as invited) would."""

    async def schedule_changed(self, schedule: ScheduleView) -> None:
        """A series was created, edited, cancelled or moved to its next occurrence: show it (announce
        it, mirror it as a platform event, offer an RSVP button), or take it down when it is over."""


@runtime_checkable
class CuePlatform(Protocol):
    """A platform that can sound a cue on a stage whose rules ask for cues (Discord: the bot speaks on the
    stage). Cues: "opened", "floor", "warning", "time_up". Platforms without it stay silent."""

    async def cue(self, stage: StageRef, cue: str) -> None: ...


@runtime_checkable
class BadgePlatform(Protocol):
    """A platform that marks a badge its own way when a member earns it (Discord: a role from BADGE_ROLES).
    It refuses politely (a typed error, logged) when it may not; platforms without it show emoji only."""

    async def grant_badge(self, stage: StageRef, user_id: str, badge: str) -> None: ...


@runtime_checkable
class RoutedPlatform(Protocol):
    """A platform whose spaces are split between processes (Discord shards): a space's events reach only the
    process serving its route, so that process alone can act there. Effects of a space served elsewhere (a timer
    fired by the scheduler leader) are handed to its route through the outbox."""

    routes: frozenset[str]  # the routes this process serves; empty: it serves every space

    def route(self, space_id: str) -> str: ...


@runtime_checkable
class FollowerPlatform(Protocol):
    """A platform that sends direct messages to many members at once (a stage's followers) apart from the stage's
    own, paced within its limits so they never hold up those, and shows where to join (the stage's channel).
    Platforms without it tell followers as they tell anyone."""

    async def notify_follower(self, stage: StageRef, user_id: str, message: Message, locale: str) -> None: ...


@runtime_checkable
class RecordingPlatform(Protocol):
    """A platform that records stages (Discord). Told, through the outbox, that who may be heard changed in a
    space (a consent) or on a stage (a strike, a deletion): it follows it in what it captures, and mixes a replay
    already published again. Returns once that is done, so the notice is not dropped half-way."""

    async def recording_changed(self, space_id: str, stage_id: str) -> None: ...

    async def recording_on(self, board: Board) -> None:
        """A stage is recorded from now (opened with record=on, or turned on): everyone is told."""
        ...

    async def recording_notice(self, stage: StageRef, user_id: str, *, speaking: bool) -> None:
        """A member joined a recorded stage, or was given the floor there (`speaking`): they are told it is
        recorded and whether their voice is in the replay."""
        ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class Scheduler(Protocol):
    """Runs a core command at a moment; a later call for the same key replaces the earlier one."""

    async def schedule(self, key: str, at: datetime, command: Command) -> None: ...

    async def cancel(self, key: str) -> None: ...


@dataclass(frozen=True, slots=True)
class JobWrite:
    """A job written by the transaction of the command that set its time, so that it is stored if and only if
    the command is: ``statement`` (SQLAlchemy, with bound parameters) run with ``values``."""

    key: str
    at: datetime | None  # None: the job is removed
    statement: Any
    values: dict[str, Any]


@runtime_checkable
class StoredScheduler(Scheduler, Protocol):
    """A scheduler whose jobs live in the core's database, next to the stages."""

    async def job_write(self, key: str, at: datetime | None, command: Command | None) -> JobWrite | None:
        """What stores ``command`` under ``key`` at ``at`` (None: removes the job), for a command's own
        transaction; None when it cannot be written so (the scheduler is stopping): ``schedule`` it after."""

    def stored(self, write: JobWrite) -> None:
        """The transaction that carried ``write`` committed: the job runs at its time."""


class StageRepository(Protocol):
    seen: dict[str, Stage]  # every stage this unit of work loaded or added
    due_before: dict[str, datetime | None]  # each loaded stage's timer as it was before this command

    async def get(self, stage_id: str) -> Stage: ...

    def add(self, stage: Stage) -> None: ...

    async def live_in_channel(self, platform: str, space_id: str, channel_id: str) -> str | None: ...

    async def blocked_in_space(self, platform: str, space_id: str, now: datetime) -> frozenset[str]:
        """Members a block holds in the space at `now` (bot.persistence.blocks)."""
        ...


class ScheduleRepository(Protocol):
    seen: dict[str, ScheduledStage]

    async def get(self, schedule_id: str) -> ScheduledStage: ...

    def add(self, schedule: ScheduledStage) -> None: ...

    async def count_active(self, platform: str, space_id: str) -> int: ...

    async def by_platform_event(self, platform: str, event_id: str) -> str | None: ...


class UnitOfWork(Protocol):
    """One transaction: what a handler changed is committed together or not at all."""

    @property
    def stages(self) -> StageRepository: ...

    @property
    def schedules(self) -> ScheduleRepository: ...

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def serialize(self, *keys: str, stages: Collection[str] = ()) -> None:
        """Commands with the same key, from any process, run one after the other from here to the end (keys
        in `stages` are stage ids)."""

    def record(self, effects: list[OutboxEntry], now: datetime) -> None:
        """Platform effects written in the same transaction as the changes (the outbox)."""

    def record_jobs(self, writes: list[JobWrite]) -> None:
        """Timer jobs written in the same transaction as the changes (see StoredScheduler)."""

    async def commit(self) -> None: ...

    async def confirm(self) -> None:
        """Before a refusal is given: raises ConcurrencyConflict if what it was judged on has moved since."""

    def collect_events(self) -> Sequence[Event | ScheduleEvent]: ...
