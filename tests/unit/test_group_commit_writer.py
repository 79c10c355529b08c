"""The group commit writer on its own: who goes alone, who goes together, and that one failing transaction
answers its own callers with the error and stalls nobody queued behind it."""

from __future__ import annotations

import asyncio

import pytest

from bot.services.group_commit import GroupCommit


class Transactions:
    def __init__(self) -> None:
        self.taken: list[list[str]] = []

    async def commit(self, units: list[str]) -> list[str]:
        self.taken.append(list(units))
        for _ in range(3):  # the transaction is in flight a while: others queue meanwhile
            await asyncio.sleep(0)
        if "broken" in units:
            raise RuntimeError("the transaction broke")
        return [unit.upper() for unit in units]


async def test_a_lone_unit_goes_at_once_and_those_queued_meanwhile_go_together_in_order() -> None:
    transactions = Transactions()
    writer = GroupCommit(transactions.commit)
    answers = await asyncio.gather(*(writer.submit(unit) for unit in ("a", "b", "c", "d")))
    assert answers == ["A", "B", "C", "D"]
    assert transactions.taken == [["a"], ["b", "c", "d"]]


async def test_callers_answered_by_a_group_join_the_next_group_together() -> None:
    transactions = Transactions()
    writer = GroupCommit(transactions.commit)

    async def in_turn(name: str) -> list[str]:
        return [await writer.submit(f"{name}{n}") for n in range(3)]

    assert await asyncio.gather(*(in_turn(name) for name in "xyz")) == [
        [f"{name.upper()}{n}" for n in range(3)] for name in "xyz"]
    assert len(transactions.taken) < 9  # they shared transactions
    assert all(len({unit[0] for unit in taken}) == len(taken) for taken in transactions.taken)  # one each


async def test_a_broken_transaction_answers_its_callers_with_the_error_and_the_writer_goes_on(
        caplog: pytest.LogCaptureFixture) -> None:
    transactions = Transactions()
    writer = GroupCommit(transactions.commit)
    first = asyncio.ensure_future(writer.submit("a"))
    await asyncio.sleep(0)  # "a" is in flight alone; the next two queue behind it
    failing = [asyncio.ensure_future(writer.submit(unit)) for unit in ("broken", "b")]
    while ["broken", "b"] not in transactions.taken:
        await asyncio.sleep(0)
    late = await writer.submit("c")  # queued while the broken transaction was in flight: not left behind
    assert late == "C" and await first == "A"
    outcomes = await asyncio.gather(*failing, return_exceptions=True)
    assert [str(o) for o in outcomes] == ["the transaction broke"] * 2
    assert transactions.taken == [["a"], ["broken", "b"], ["c"]]
    assert "group commit of 2 units failed" in caplog.text
