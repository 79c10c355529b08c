"""What start built is left out of the garbage collector's passes while the bot runs (bot/heap.py)."""

from __future__ import annotations

import gc
import weakref

from tests.support.apps import Apps


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def _in_a_generation(thing: object) -> bool:
    """Whether a collection would walk ``thing``: frozen objects are in none of the three generations."""
    return any(any(found is thing for found in gc.get_objects(generation)) for generation in range(3))


async def test_what_start_built_is_frozen_and_what_it_left_unreachable_is_collected(apps: Apps) -> None:
    first, second = _Node(), _Node()
    first.other, second.other = second, first  # a cycle: only a collection frees it
    gone = weakref.ref(first)
    del first, second

    app = await apps.start()

    assert gone() is None, "garbage left before the freeze would be kept for the process's life"
    assert gc.get_freeze_count() > 0
    assert gc.is_tracked(app.bus) and not _in_a_generation(app.bus)
    made_later = _Node()
    assert _in_a_generation(made_later), "what the bot makes while serving is collected as usual"

    await apps.stop(app)

    assert gc.get_freeze_count() == 0
    assert _in_a_generation(app.bus), "after stop, what start built can be collected again"
