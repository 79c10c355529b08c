"""Rate limits and injected server errors, answered the way Slack answers them.

A rate-limited call gets HTTP 429, a `Retry-After: <seconds>` header and
`{"ok": false, "error": "ratelimited"}`; an injected server error gets HTTP 5xx and
`{"ok": false, "error": "internal_error"}` (503: "service_unavailable").
Refused calls do not reach the method and change no state.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Refusal:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Queued:
    status: int
    retry_after: int
    left: int


@dataclass
class _Window:
    max_calls: int
    per_seconds: float
    key: str | None
    retry_after: int
    seen: dict[str, deque[float]] = field(default_factory=dict)


class Faults:
    def __init__(self) -> None:
        self._queued: dict[str, list[_Queued]] = {}
        self._windows: dict[str, list[_Window]] = {}
        self._after: dict[str, list[_Queued]] = {}
        self._slow: dict[str, list[float]] = {}

    def rate_limit(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        """The next `times` calls of `method` answer 429 with `Retry-After: retry_after`."""
        self._queued.setdefault(method, []).append(_Queued(429, retry_after, times))

    def fail_next(self, method: str, *, times: int = 1, status: int = 500) -> None:
        """The next `times` calls of `method` answer HTTP `status` (5xx, or 429)."""
        self._queued.setdefault(method, []).append(_Queued(status, 1, times))

    def fail_after_next(self, method: str, *, times: int = 1, status: int = 500) -> None:
        """The next `times` calls of `method` are carried out, then answered HTTP `status` (Slack applied the
        call and failed before answering: a retry that does not look first does it twice)."""
        self._after.setdefault(method, []).append(_Queued(status, 1, times))

    def slow_down(self, method: str, *, seconds: float, times: int = 1) -> None:
        """The next `times` calls of `method` are answered only after `seconds` (a slow Slack)."""
        self._slow.setdefault(method, []).extend([seconds] * times)

    def latency(self, method: str) -> float:
        waits = self._slow.get(method)
        return waits.pop(0) if waits else 0.0

    def check_after(self, method: str) -> Refusal | None:
        queue = self._after.get(method, [])
        while queue and queue[0].left <= 0:
            queue.pop(0)
        if not queue:
            return None
        queue[0].left -= 1
        return _refusal(queue[0].status, queue[0].retry_after)

    def limit_rate(self, method: str, *, max_calls: int, per_seconds: float = 1.0, key: str | None = "channel",
                   retry_after: int = 1) -> None:
        """At most `max_calls` accepted calls of `method` per `per_seconds`, counted per value of the
        `key` argument (per channel by default; `key=None` counts all calls together)."""
        self._windows.setdefault(method, []).append(_Window(max_calls, per_seconds, key, retry_after))

    def clear(self) -> None:
        self._queued.clear()
        self._windows.clear()
        self._after.clear()
        self._slow.clear()

    def check(self, method: str, args: dict[str, Any], now: float) -> Refusal | None:
        queue = self._queued.get(method, [])
        while queue and queue[0].left <= 0:
            queue.pop(0)
        if queue:
            fault = queue[0]
            fault.left -= 1
            return _refusal(fault.status, fault.retry_after)
        windows = self._windows.get(method, [])
        for w in windows:
            seen = w.seen.setdefault(str(args.get(w.key, "")) if w.key else "*", deque())
            while seen and now - seen[0] >= w.per_seconds:
                seen.popleft()
            if len(seen) >= w.max_calls:
                return _refusal(429, w.retry_after)
        for w in windows:
            w.seen[str(args.get(w.key, "")) if w.key else "*"].append(now)
        return None


def _refusal(status: int, retry_after: int) -> Refusal:
    if status == 429:
        return Refusal(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
    error = "service_unavailable" if status == 503 else "internal_error"
    return Refusal(status, {"ok": False, "error": error})
