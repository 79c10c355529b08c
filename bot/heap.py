"""What the bot builds before it serves lives as long as it: kept out of the garbage collector's full passes.

A full collection walks every object the collector tracks. After start that is mostly what imports and start
itself built (modules, classes, compiled statements, the migrations' metadata: about 110,000 objects), none of
which will ever be garbage; walking them took about 50 ms on the machine of docs/benchmarks.md, during which
neither the event loop nor the database thread ran a command, once every few thousand commands. Frozen
(`gc.freeze`), they are left out of every later collection, which then walks only what the bot made since.

A frozen object that is let go is still freed by reference counting, but a cycle of frozen objects only once
thawed; so the freeze comes before start loads any stage (the cache lets stages go), and stop thaws.
"""

from __future__ import annotations

import gc


def freeze_what_start_built() -> None:
    """Collects what start left unreachable, so that it is not kept for good, then freezes the rest."""
    gc.collect()
    gc.freeze()


def thaw() -> None:
    """At stop: what was frozen is collectable again (a process that starts a bot again, a test run)."""
    gc.unfreeze()
