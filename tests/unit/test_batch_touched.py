"""Which stage a unit of a group commit changed, when its command names none (an opening, a series' start):
the stage whose events grew during that unit, not whichever stage of the group was changed last."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from bot.services.batch import events_so_far, touched_by
from tests.support.stages import open_stage


def uow_with(**stages: int) -> Any:
    """A unit of work whose stages (in the order it met them) hold so many events."""
    return SimpleNamespace(stages=SimpleNamespace(seen={k: SimpleNamespace(events=[object()] * n)
                                                        for k, n in stages.items()}))


def test_a_unit_without_a_stage_of_its_own_is_given_the_stage_it_changed() -> None:
    command = open_stage("chan-9")
    # Stage x was met (read, unchanged) by an earlier unit, y changed by another; then this unit changes x.
    uow = uow_with(x=0, y=2)
    before = events_so_far(uow, command)
    uow.stages.seen["x"].events.append(object())
    assert touched_by(uow, command, before) == "x"


def test_a_unit_that_changed_nothing_has_no_stage() -> None:
    command = open_stage("chan-9")
    uow = uow_with(y=2)
    assert touched_by(uow, command, events_so_far(uow, command)) is None
