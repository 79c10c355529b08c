"""Who is acting, and what a stage remembers of each member."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Actor:
    """A member as the platform sees them right now: plain id plus facts only the platform knows."""

    user_id: str
    roles: frozenset[str] = frozenset()
    platform_moderator: bool = False  # Discord stage moderator, Slack admin, configured role or user group
    guest: bool = False  # not a full member of the space (Slack guest, Discord member without the member role)


SYSTEM = Actor(user_id="podium", platform_moderator=True)


@dataclass(frozen=True, slots=True)
class Hand:
    raised_at: datetime
    seq: int
    note: str = ""
    priority: float = 0.0  # talk time when raised; orders the fair queue
    # Raised with the platform's own control (Discord's request to speak), which can be withdrawn there too:
    # the adapter checks such hands against the platform after being away.
    native: bool = False


@dataclass(slots=True)
class Participant:
    user_id: str
    present: bool = False
    left_at: datetime | None = None
    hand: Hand | None = None
    speaking_since: datetime | None = None
    warned: bool = False
    talk_seconds: float = 0.0
    turns: int = 0
    hands_raised: int = 0
    cooldown_until: datetime | None = None
    invited: bool = False
    blocked: bool = False
    moderator: bool = False  # delegated by the host or a moderator

    @property
    def speaking(self) -> bool:
        return self.speaking_since is not None


@dataclass(frozen=True, slots=True)
class SpeakerRecap:
    user_id: str
    talk_seconds: float
    turns: int


@dataclass(frozen=True, slots=True)
class Turn:
    """Someone had the floor: seconds from the opening of the stage, and for how long."""

    user_id: str
    start: float
    seconds: float


@dataclass(frozen=True, slots=True)
class Recap:
    duration_seconds: float
    peak_audience: int
    speakers: tuple[SpeakerRecap, ...] = field(default_factory=tuple)
    hands_raised: int = 0
    hands_served: int = 0
    still_waiting: tuple[str, ...] = ()
    timeline: tuple[Turn, ...] = ()  # every turn in order, read back from the audit log once the stage closed
    links: tuple[tuple[str, str], ...] = ()  # (url, label) its moderators attached, read back once it closed
