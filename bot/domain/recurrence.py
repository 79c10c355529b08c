"""How a scheduled stage repeats: once, daily, weekly on given days, or a cron expression."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.domain.errors import ImpossibleRecurrence

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Words people type for common weekly series (`repeat=weekdays`).
_DAY_SETS = {"weekdays": (0, 1, 2, 3, 4), "weekends": (5, 6)}


class RecurrenceKind(StrEnum):
    ONCE = "once"
    DAILY = "daily"
    WEEKLY = "weekly"
    CRON = "cron"


@dataclass(frozen=True, slots=True)
class Recurrence:
    kind: RecurrenceKind = RecurrenceKind.ONCE
    days: tuple[int, ...] = ()  # 0 = Monday, for weekly
    cron: str = ""  # five fields, minute hour day month weekday, in the series' time zone

    @classmethod
    def parse(cls, text: str) -> Recurrence:
        raw = text.strip()
        word, _, rest = raw.partition(":")
        word = word.strip().lower()
        if word in ("", "once", "none"):
            return cls()
        if word == "daily" and not rest:
            return cls(RecurrenceKind.DAILY)
        if word in _DAY_SETS and not rest:
            return cls(RecurrenceKind.WEEKLY, days=_DAY_SETS[word])
        if word == "weekly":
            if not rest.strip():  # `weekly` alone: the start's own weekday, known once the series has one
                return cls(RecurrenceKind.WEEKLY)
            names = [d.strip().lower()[:3] for d in rest.split(",") if d.strip()]
            if names and all(n in DAYS for n in names):
                return cls(RecurrenceKind.WEEKLY, days=tuple(sorted({DAYS.index(n) for n in names})))
        if word == "cron" and len(rest.split()) == 5:
            return cls(RecurrenceKind.CRON, cron=" ".join(rest.split()))
        raise ImpossibleRecurrence(value=raw)

    def starting(self, first_at: datetime) -> Recurrence:
        """This recurrence for a series starting at ``first_at`` (wall clock): `weekly` alone takes its weekday."""
        if self.kind is RecurrenceKind.WEEKLY and not self.days:
            return Recurrence(RecurrenceKind.WEEKLY, days=(first_at.weekday(),))
        return self

    def describe(self) -> str:
        if self.kind is RecurrenceKind.WEEKLY:
            return "weekly:" + ",".join(DAYS[d] for d in self.days)
        if self.kind is RecurrenceKind.CRON:
            return f"cron:{self.cron}"
        return self.kind.value

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "days": list(self.days), "cron": self.cron}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Recurrence:
        return cls(RecurrenceKind(data["kind"]), tuple(data.get("days", ())), data.get("cron", ""))
