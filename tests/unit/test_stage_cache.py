"""The stage cache's memory of stages another process wrote: their commands take the stage's lock for
CONTENDED_SECONDS instead of trusting this process's copy (bot/persistence/uow.py, `serialize`)."""

from __future__ import annotations

import pytest

from bot.persistence import repository
from bot.persistence.repository import CONTENDED_SECONDS, StageCache
from tests.support.builders import open_stage


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(repository.time, "monotonic", clock)
    return clock


def test_a_stage_held_and_never_contended_is_current(clock: Clock) -> None:
    cache, stage = StageCache(), open_stage()
    cache.keep(stage, {})
    assert cache.current(stage.id) is stage
    assert cache.current("another") is None


@pytest.mark.parametrize(("after", "trusted"), [(CONTENDED_SECONDS - 1, False), (CONTENDED_SECONDS, True),
                                                (CONTENDED_SECONDS + 1, True)])
def test_a_contended_stage_is_not_current_for_its_window_even_once_loaded_again(clock: Clock, after: float,
                                                                                trusted: bool) -> None:
    cache, stage = StageCache(), open_stage()
    cache.keep(stage, {})
    cache.contend(stage.id)
    assert cache.peek(stage.id) is None  # the copy is gone at once
    cache.keep(stage, {})  # loaded again, under the lock
    clock.now += after
    assert cache.peek(stage.id) is stage
    assert (cache.current(stage.id) is stage) is trusted


def test_contending_again_restarts_the_window_and_quiet_stages_are_forgotten(clock: Clock) -> None:
    cache, stage = StageCache(), open_stage()
    cache.keep(stage, {})
    cache.contend(stage.id)
    clock.now += CONTENDED_SECONDS - 1
    cache.contend(stage.id)
    cache.keep(stage, {})
    clock.now += CONTENDED_SECONDS - 1
    assert cache.current(stage.id) is None
    for n in range(1_001):  # past a thousand marks, those whose window ended are dropped
        cache.contend(f"other-{n}")
    clock.now += CONTENDED_SECONDS
    cache.contend("last")
    assert cache._contended.keys() == {"last"}  # what the cache still remembers
