"""The ordered hand queue: positions in O(log n) so a 5,000-hand stage stays fast.

It keeps only its sort keys; a member's key is rebuilt from their hand, so the queue needs no second
index by member (which would cost as much memory as the keys themselves on a large stage).
"""

from __future__ import annotations

from collections.abc import Iterator

from sortedcontainers import SortedList

from bot.domain.members import Hand
from bot.domain.rules import QueueMode

_Key = tuple[float, int, str]


class HandQueue:
    """fifo orders by time raised; fair puts whoever has spoken less first, ties by time raised.

    A hand's sequence number grows with the time it was raised, so it orders fifo on its own and breaks
    fair-mode ties, without a timestamp per hand in memory.
    """

    def __init__(self, mode: QueueMode = QueueMode.FIFO) -> None:
        self._mode = mode
        self._order: SortedList = SortedList()

    def _key(self, user_id: str, hand: Hand) -> _Key:
        return (hand.priority if self._mode is QueueMode.FAIR else 0.0, hand.seq, user_id)

    def add(self, user_id: str, hand: Hand) -> int:
        key = self._key(user_id, hand)
        self._order.add(key)
        return int(self._order.index(key)) + 1

    def remove(self, user_id: str, hand: Hand) -> None:
        self._order.discard(self._key(user_id, hand))

    def position(self, user_id: str, hand: Hand | None) -> int | None:
        if hand is None:
            return None
        key = self._key(user_id, hand)
        return self._order.index(key) + 1 if key in self._order else None

    def reorder(self, mode: QueueMode, hands: dict[str, Hand]) -> None:
        self._mode = mode
        self._order = SortedList(self._key(user_id, hand) for user_id, hand in hands.items())

    def head(self) -> str | None:
        return self._order[0][2] if self._order else None

    def keys(self) -> list[_Key]:
        return list(self._order)

    def __iter__(self) -> Iterator[str]:
        return (key[2] for key in self._order)

    def first(self, count: int) -> list[str]:
        return [key[2] for key in self._order.islice(0, count)]

    def __len__(self) -> int:
        return len(self._order)
