"""What an operator graphs: commands by kind and outcome, their latency, platform calls and 429s by route,
live stages and their queues, how late timers fire. prometheus-client keeps the figures and writes the text
format; each App has a registry of its own, so two bots in one test process never mix their counts."""

from __future__ import annotations

import re
from typing import Any

from prometheus_client import (CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics,
                               generate_latest)


_LATENCY = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_LAG = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0)
_ID = re.compile(r"/(\d{5,}|[0-9a-f]{12,})(?=/|$)")


class Metrics:
    def __init__(self) -> None:
        disable_created_metrics()  # type: ignore[no-untyped-call]  # *_created series only double the scrape
        self.registry = CollectorRegistry()
        r = self.registry
        self.commands = Counter("podium_commands", "Commands handled, by kind and outcome (ok, refused, failed)",
                                ["kind", "outcome"], registry=r)
        self.latency = Histogram("podium_command_seconds", "Time from a command's arrival to its commit",
                                 ["kind"], buckets=_LATENCY, registry=r)
        self.platform_calls = Counter("podium_platform_calls", "Calls to a platform's API, by route and status",
                                      ["platform", "route", "status"], registry=r)
        self.rate_limited = Counter("podium_platform_rate_limited", "Calls a platform answered with 429",
                                    ["platform", "route"], registry=r)
        self.live_stages = Gauge("podium_live_stages", "Stages live now (as this process last wrote them)",
                                 registry=r)
        self.queued_hands = Gauge("podium_queued_hands", "Raised hands waiting, over every live stage", registry=r)
        self.longest_queue = Gauge("podium_longest_queue", "Raised hands waiting on the busiest live stage",
                                   registry=r)
        self.scheduler_lag = Histogram("podium_scheduler_lag_seconds", "How late a timer or reminder fired",
                                       buckets=_LAG, registry=r)
        self._queues: dict[str, int] = {}
        # The stage gauges are read from the queues when scraped: a command only notes its stage's queue.
        self.live_stages.set_function(lambda: len(self._queues))
        self.queued_hands.set_function(lambda: sum(self._queues.values()))
        self.longest_queue.set_function(lambda: max(self._queues.values(), default=0))
        # Each command's series, looked up once (`labels` takes a lock and builds a key every time).
        self._counted: dict[tuple[str, str], Any] = {}
        self._timed: dict[str, Any] = {}

    def command(self, kind: str, outcome: str, seconds: float) -> None:
        counted = self._counted.get((kind, outcome))
        if counted is None:
            counted = self._counted[kind, outcome] = self.commands.labels(kind, outcome)
        counted.inc()
        timed = self._timed.get(kind)
        if timed is None:
            timed = self._timed[kind] = self.latency.labels(kind)
        timed.observe(seconds)

    def stage(self, stage_id: str, *, live: bool, queue_length: int) -> None:
        if live:
            self._queues[stage_id] = queue_length
        else:
            self._queues.pop(stage_id, None)

    def platform_call(self, platform: str, route: str, status: int) -> None:
        route = _ID.sub("/{id}", route)
        self.platform_calls.labels(platform, route, str(status)).inc()
        if status == 429:
            self.rate_limited.labels(platform, route).inc()

    def late(self, seconds: float) -> None:
        self.scheduler_lag.observe(max(0.0, seconds))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
