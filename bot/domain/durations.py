"""Durations as people type them: `90`, `90s`, `5m`, `5 min`, `5 minutes`, `1h30`, `1 h 30`, `2 heures`, `7d`.

Pure text to seconds, shared by the rules (`warn_before=5m`) and the command grammar (`/clock +5 minutes`).
A bare number is seconds, except right after hours (minutes) or minutes (seconds), as in `1h30` or `2m30`.
"""

from __future__ import annotations

import re

_UNITS = {
    7 * 86400: ("w", "wk", "wks", "week", "weeks", "sem", "semaine", "semaines"),
    86400: ("d", "day", "days", "j", "jour", "jours"),  # a block for=7d; rules stay bounded to a day
    3600: ("h", "hr", "hrs", "hour", "hours", "heure", "heures"),
    60: ("m", "mn", "min", "mins", "minute", "minutes"),
    1: ("s", "sec", "secs", "second", "seconds", "seconde", "secondes"),
}
UNIT = {word: seconds for seconds, words in _UNITS.items() for word in words}
# Words for "no duration". Not "never": `grace_period=never` would mean the opposite of 0.
NEVER = frozenset({"off", "none", "no", "0", "aucun", "aucune", "non"})
_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*([^\W\d_]*)", re.ASCII)  # "٣" is no digit here


def seconds_of(text: str) -> int | None:
    """Seconds for a typed duration, or None when it is not one (`5 banana`, `1h30x`, `-5`)."""
    raw = " ".join(text.lower().split())
    if raw in NEVER:
        return 0
    total, position, previous = 0.0, 0, 0
    for match in _PART.finditer(raw):
        if raw[position:match.start()].strip():
            return None  # something between the parts that is neither a number nor a unit
        number, word = float(match.group(1).replace(",", ".")), match.group(2)
        if word:
            unit = UNIT.get(word)
            if unit is None or (previous and unit >= previous):
                return None  # an unknown unit, or `5m 1h`: units only go down
        else:
            unit = previous // 60 if previous > 1 else (1 if not previous else 0)
            if not unit:
                return None  # `30s 5`: nothing smaller than a second
        total, position, previous = total + number * unit, match.end(), unit
    if not position or raw[position:].strip():
        return None
    return round(total)
