"""Text cut to a platform's limits: a platform refuses a whole message when one part is over, so a board
over a limit would never be shown again. Lists are cut to what fits, with a line saying how many were left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit - 1] + ELLIPSIS if limit > 0 else ""


def fit_lines(lines: Sequence[str], limit: int, more: Callable[[int], str], *, hidden: int = 0,
              sep: str = "\n") -> str:
    """As many of `lines` as fit in `limit` characters, then `more(n)` for the n not shown (`hidden` of them
    were left out before, e.g. a queue beyond its first lines)."""
    shown = list(lines)
    while True:
        left_out = len(lines) - len(shown) + hidden
        text = sep.join([*shown, more(left_out)] if left_out else shown)
        if len(text) <= limit or not shown:
            return clip(text, limit)
        shown.pop()
