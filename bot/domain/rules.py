"""Moderation rules of a stage: defaults come from settings, moderators override them per stage."""

from __future__ import annotations

from functools import lru_cache
from dataclasses import asdict, dataclass, fields, replace
from enum import StrEnum
from typing import Any

from bot.domain.durations import seconds_of
from bot.domain.errors import InvalidRule, UnknownRule
from bot.domain.text import clean, is_clean, length
from bot.i18n.markers import N_
from bot.i18n.message import Duration, Message


class HandMode(StrEnum):
    EVERYONE = "everyone"
    ROLE = "role"
    INVITED = "invited"
    OFF = "off"


class QueueMode(StrEnum):
    FIFO = "fifo"
    FAIR = "fair"


# Rules given as a length of time, and the word a reader sees for 0 (no limit; idle_close at 0: never).
DURATIONS = {"speaking_time_limit": N_("none"), "warn_before": N_("none"), "hand_cooldown": N_("none"),
             "grace_period": N_("none"), "idle_close": N_("never")}
SWITCHES = frozenset({"must_be_present", "cues", "record"})

_OFF = {"off", "none", "no", "false", "0", ""}
_ON = {"on", "yes", "true", "1"}


def parse_duration(rule: str, raw: str, *, high: int = 24 * 3600) -> int:
    seconds = seconds_of(raw)
    if seconds is None or not 0 <= seconds <= high:
        raise InvalidRule(rule=rule, value=raw, expected=Message.of(
            N_("a duration such as 90s, 5m or 1h, at most {high}"), high=Duration(high)))
    return seconds


def parse_int(rule: str, raw: str, *, low: int, high: int) -> int:
    try:  # int() reads any script's digits ("٣" is 3); a rule is typed in ASCII digits only
        value = int(raw.strip()) if raw.strip().isascii() else low - 1
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise InvalidRule(rule=rule, value=raw, expected=Message.of(
            N_("a whole number from {low} to {high}"), low=low, high=high))
    return value


def parse_bool(rule: str, raw: str) -> bool:
    word = raw.strip().lower()
    if word in _ON:
        return True
    if word and word in _OFF:  # "" clears a role list, but a switch left blank is a mistake, not "off"
        return False
    raise InvalidRule(rule=rule, value=raw, expected=Message.of(N_("on or off")))


_MENTIONS = frozenset({"everyone", "here", "channel"})  # words that ping a whole space, never a role here
MAX_ROLES = 25


def parse_roles(rule: str, raw: str) -> tuple[str, ...]:
    """Role names or ids (user group ids on Slack), separated by commas; a mention of everyone, markup or a
    control character in a name is refused, not stored and shown back later."""
    if raw.strip().lower() in _OFF:
        return ()
    roles = set()
    for part in raw.split(","):
        role = clean(part).lstrip("@").strip()
        if not role:
            continue
        if role.casefold() in _MENTIONS or not is_clean(part.strip()) or any(ch in role for ch in "<>&") \
                or length(role) > 100:
            raise InvalidRule(rule=rule, value=clean(raw)[:60], expected=Message.of(
                N_("role names or ids separated by commas, not mentions")))
        roles.add(role)
    if len(roles) > MAX_ROLES:
        raise InvalidRule(rule=rule, value=clean(raw)[:60], expected=Message.of(
            N_("at most {limit} roles"), limit=MAX_ROLES))
    return tuple(sorted(roles))


def parse_choice(rule: str, raw: str, enum: type[StrEnum]) -> Any:
    try:
        return enum(raw.strip().lower())
    except ValueError:
        raise InvalidRule(rule=rule, value=raw, expected=Message.of(
            N_("one of {choices}"), choices=", ".join(e.value for e in enum))) from None


@dataclass(frozen=True, slots=True)
class Rules:
    max_speakers: int = 5
    speaking_time_limit: int = 0
    warn_before: int = 30
    hand_mode: HandMode = HandMode.EVERYONE
    hand_roles: tuple[str, ...] = ()
    queue_mode: QueueMode = QueueMode.FIFO
    auto_approve: tuple[str, ...] = ()
    hand_cooldown: int = 60
    max_queue_length: int = 500
    grace_period: int = 120
    must_be_present: bool = True
    cues: bool = False
    record: bool = False  # the stage is recorded (Discord); only members who consented are heard in the replay
    idle_close: int = 1800  # a live stage with nobody speaking this long closes itself; 0: never

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def changed(self, changes: dict[str, str]) -> Rules:
        """Rules with textual changes applied; refuses the whole set if any value is wrong."""
        parsed: dict[str, Any] = {}
        for name, raw in changes.items():
            parsed[name] = parse_rule(name, raw)
        result = replace(self, **parsed)
        try:
            result.check()
        except InvalidRule as refusal:
            # Quote the value as the member typed it (`warn_before=5m`), not as it is stored (300).
            rule = refusal.params.get("rule")
            if rule in changes:
                raise InvalidRule(**{**refusal.params, "value": changes[rule]}) from None
            raise
        return result

    def check(self) -> None:
        if self.speaking_time_limit and self.warn_before >= self.speaking_time_limit:
            raise InvalidRule(rule="warn_before", value=str(self.warn_before), expected=Message.of(
                N_("less than speaking_time_limit ({limit})"), limit=Duration(self.speaking_time_limit)))
        if self.hand_mode is HandMode.ROLE and not self.hand_roles:
            raise InvalidRule(rule="hand_roles", value="", expected=Message.of(
                N_("at least one role when hand_mode is role")))

    def as_dict(self) -> dict[str, Any]:
        return dict(_as_dict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rules:
        known = {k: v for k, v in data.items() if k in cls.names()}
        for key in ("hand_roles", "auto_approve"):
            if key in known:
                known[key] = tuple(known[key])
        if "hand_mode" in known:
            known["hand_mode"] = HandMode(known["hand_mode"])
        if "queue_mode" in known:
            known["queue_mode"] = QueueMode(known["queue_mode"])
        return cls(**known)


@lru_cache(maxsize=256)
def _as_dict(rules: Rules) -> dict[str, Any]:
    # Rules are frozen and few: every write of a stage row would otherwise rebuild the same dict.
    data = asdict(rules)
    data["hand_mode"] = rules.hand_mode.value
    data["queue_mode"] = rules.queue_mode.value
    data["hand_roles"] = list(rules.hand_roles)
    data["auto_approve"] = list(rules.auto_approve)
    return data


def parse_rule(name: str, raw: str) -> Any:
    """One rule from text, as `/stage rules` and the RULES__* settings read it."""
    match name:
        case "max_speakers":
            return parse_int(name, raw, low=1, high=100)
        case "max_queue_length":
            return parse_int(name, raw, low=1, high=100_000)
        case _ if name in DURATIONS:
            return parse_duration(name, raw)
        case "hand_mode":
            return parse_choice(name, raw, HandMode)
        case "queue_mode":
            return parse_choice(name, raw, QueueMode)
        case "hand_roles" | "auto_approve":
            return parse_roles(name, raw)
        case _ if name in SWITCHES:
            return parse_bool(name, raw)
    raise UnknownRule(rule=name, rules=", ".join(Rules.names()))
