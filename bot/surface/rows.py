"""The shape of a command: its words, its options and what it builds. Knows no platform.

A row says what a command means; each adapter decides how members reach it (a slash command with typed
text, Discord's application commands, a fourth platform's own). Adapters may add options of their own to a
row (Discord's `stage`, Slack's `follow`) with `dataclasses.replace`; the table itself stays the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.domain import commands as c
from bot.domain.members import Actor


class Kind(StrEnum):
    MEMBER = "member"  # a mention, an id, or an unambiguous prefix of a display name
    TEXT = "text"
    DURATION = "duration"  # seconds, typed as 90, 5m, 5 min, 1h30, 2 heures
    NUMBER = "number"  # a whole number within bounds
    CHOICE = "choice"  # one of a few words, any case
    FLAG = "flag"  # on/off
    ID = "id"  # a scheduled stage's id, or an unambiguous prefix of it
    PAIRS = "pairs"  # name=value pairs in any order (rules)
    WHEN = "when"  # a wall-clock date and time, YYYY-MM-DD HH:MM
    URL = "url"  # one word, a web address (the core judges it)
    TAGS = "tags"  # words separated by commas or spaces (bot.domain.tags judges them)


class Access(StrEnum):
    EVERYONE = "everyone"
    MODERATORS = "moderators"  # of the stage (its host, delegated moderators, the space's moderator roles)
    HOSTS = "hosts"  # of a scheduled stage, or moderators
    ADMINS = "admins"  # of the space


class Scope(StrEnum):
    NONE = "none"  # needs neither a stage nor a series
    STAGE = "stage"  # acts on the stage live in the channel (or the one named)
    SERIES = "series"  # acts on a scheduled stage named by id, else the next one in the channel


@dataclass(frozen=True)
class Option:
    name: str  # the key of its value, and the `name=` members may type
    kind: Kind
    help: str  # a catalogue msgid
    label: str  # the placeholder in usage lines (TITLE, MEMBER), a catalogue msgid
    required: bool = False
    keyed: bool = False  # only given as name=value (topic=…, visibility=…), in any order
    default: Any = None
    choices: tuple[str, ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)  # other words for a choice
    low: int = 0
    high: int = 10_000
    suggest: str | None = None  # values to offer as one types: queue, speakers, series, zones, repeats, …
    also: tuple[str, ...] = ()  # shorter names members may type (`tz=` for timezone); the first is shown

    def called(self, key: str) -> bool:
        return key == self.name or key in self.also

    @property
    def typed_name(self) -> str:
        return self.also[0] if self.also else self.name


@dataclass(frozen=True)
class Where:
    """Who acts, where, and what the gateway resolved: everything a builder may use."""

    actor: Actor
    platform: str
    space_id: str
    channel_id: str
    present: frozenset[str] = frozenset()
    presence_known: bool = True
    stage_id: str = ""
    schedule_id: str = ""
    timezone: str | None = None  # the member's own zone, when the platform knows it


Values = Mapping[str, Any]
Builder = Callable[[Values, Where], "c.Command | None"]


@dataclass(frozen=True)
class Row:
    path: tuple[str, ...]  # ("stage", "open"): the words that name it
    flat: str  # its name under one entry word (`/stage raise` on Slack, `!stage raise` in a chat)
    help: str  # a catalogue msgid
    options: tuple[Option, ...] = ()
    access: Access = Access.EVERYONE
    scope: Scope = Scope.STAGE
    build: Builder | None = None  # the core command; None, or a builder returning None: a read
    read: str | None = None  # the view shown when nothing is built: board, queue, rules, log, recap, …
    effect: str | None = None  # an adapter-side effect (the console's /clock): no core command

    @property
    def name(self) -> str:
        return " ".join(self.path)

    @property
    def tail(self) -> Option | None:
        """The last text option that is not keyed: it takes the rest of the line, without quotes."""
        texts = [o for o in self.options if o.kind is Kind.TEXT and not o.keyed]
        return texts[-1] if texts else None

    @property
    def positional(self) -> tuple[Option, ...]:
        tail = self.tail
        return tuple(o for o in self.options if not o.keyed and o is not tail and o.kind is not Kind.PAIRS)

    @property
    def pairs(self) -> Option | None:
        return next((o for o in self.options if o.kind is Kind.PAIRS), None)

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if o.called(name)), None)
