"""Durations as people read them, in their locale: `2 min`, `1 h 30 min`, `2 min 5 s`, `0 s`.

Numbers are Babel's (grouping, decimal marks); the unit words come from the catalogues, and Babel's list
patterns join the parts the way each language does.
"""

from __future__ import annotations

from babel.lists import format_list
from babel.numbers import format_decimal

from bot.i18n.babel_locale import babel_locale
from bot.i18n.markers import N_

_UNITS = ((3600, N_("{count} h")), (60, N_("{count} min")), (1, N_("{count} s")))


def duration_text(seconds: float, locale: str, translate: object) -> str:
    """`translate(msgid, locale)` is the catalogue lookup (passed in: the catalogue imports this module)."""
    left = max(0, round(seconds))
    if left >= 100 * 3600:  # long spans: hours alone read best (`126 h`, not `126 h 0 min 12 s`)
        parts = [(round(left / 3600), _UNITS[0][1])]
    else:
        parts = []
        for size, msgid in _UNITS:
            if left >= size or (size == 1 and not parts):
                parts.append((left // size, msgid))
                left %= size
        if len(parts) == 3 and parts[0][0]:
            parts = parts[:2]  # `1 h 30 min`: seconds do not matter beside hours
        parts = [p for p in parts if p[0]] or parts[-1:]
    words = [translate(msgid, locale).format(count=format_decimal(n, locale=babel_locale(locale))) for n, msgid in parts]  # type: ignore[operator]
    return format_list(words, style="unit-narrow", locale=babel_locale(locale))
