"""Babel's Locale for a locale code, parsed once: Babel's formatting functions given a code parse it again at each
call (reading its locale data index), which showed in a storm's answers."""

from __future__ import annotations

from functools import cache

from babel import Locale


@cache
def babel_locale(code: str) -> Locale:
    return Locale.parse(code)
