"""A bounded `make chaos`: `podium run` killed with SIGKILL in the middle of storms, then started again.

Nothing acknowledged is lost, every effect a committed change implies reaches Slack once, and every board
is brought up to date after each restart. (`make chaos` runs a hundred kills on each database and reports
how quickly the boards are current; here only that they become current, as no test is timed.)
"""

from __future__ import annotations

import math

import pytest

from bench.chaos import chaos, conflicts
from bench.chaos_discord import chaos_discord
from tests.support.databases import _postgres


@pytest.fixture
def postgres() -> None:
    user, problem = _postgres()
    if user is None:
        if problem.startswith("PostgreSQL not reachable"):
            pytest.skip(problem)
        pytest.fail(problem)


def _check(result) -> None:  # type: ignore[no-untyped-def]
    seen = result.summary()
    assert result.acked > 0 and result.kills > 0, seen
    assert result.acked_lost == 0 and result.nexts_lost == 0, seen
    assert result.effects_missing == [], seen
    assert result.effects_twice == [], seen
    assert all(math.isfinite(lag) for lag in result.board_lag), (seen, result.board_lag)


async def test_kills_on_sqlite_lose_nothing_acknowledged_and_double_no_effect() -> None:
    _check(await chaos("sqlite", 3, seed=11, members=300))


async def test_kills_of_the_discord_bot_lose_no_answered_interaction_and_double_no_effect() -> None:
    _check(await chaos_discord("sqlite", 2, seed=13, members=200))


@pytest.mark.postgres
async def test_kills_on_postgresql_lose_nothing_acknowledged_and_double_no_effect(postgres: None) -> None:
    _check(await chaos("postgresql", 2, seed=12, members=300))


@pytest.mark.postgres
async def test_two_processes_on_postgresql_refuse_nobody(postgres: None) -> None:
    result = await conflicts(200)
    assert (result.acked, result.answered, result.refused, result.gave_up) == (200, 200, 0, 0)
