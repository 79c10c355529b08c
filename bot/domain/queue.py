"""The ordered hand queue: positions in O(log n) so a 5,000-hand stage stays fast."""

from __future__ import annotations

from collections.abc import Iterator

from sortedcontainers import SortedList

from bot.domain.members import Hand
from bot.domain.rules import QueueMode

_Key = tuple[float, float, int, str]


class HandQueue:
    """fifo orders by time raised; fair puts whoever has spoken less first, ties by time raised."""

    def __init__(self, mode: QueueMode = QueueMode.FIFO) -> None:
        self._mode = mode
        self._order: SortedList = SortedList()
        self._keys: dict[str, _Key] = {}

    def _key(self, user_id: str, hand: Hand) -> _Key:
        primary = hand.priority if self._mode is QueueMode.FAIR else 0.0
        return (primary, hand.raised_at.timestamp(), hand.seq, user_id)

    def add(self, user_id: str, hand: Hand) -> int:
        key = self._key(user_id, hand)
        self._keys[user_id] = key
        self._order.add(key)
        return self._order.index(key) + 1

    def remove(self, user_id: str) -> None:
        key = self._keys.pop(user_id, None)
        if key is not None:
            self._order.remove(key)

    def position(self, user_id: str) -> int | None:
        key = self._keys.get(user_id)
        return None if key is None else self._order.index(key) + 1

    def reorder(self, mode: QueueMode, hands: dict[str, Hand]) -> None:
        self._mode = mode
        self._keys = {user_id: self._key(user_id, hand) for user_id, hand in hands.items()}
        self._order = SortedList(self._keys.values())

    def head(self) -> str | None:
        return self._order[0][3] if self._order else None

    def __iter__(self) -> Iterator[str]:
        return (key[3] for key in self._order)

    def first(self, count: int) -> list[str]:
        return [key[3] for key in self._order.islice(0, count)]

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, user_id: object) -> bool:
        return user_id in self._keys
