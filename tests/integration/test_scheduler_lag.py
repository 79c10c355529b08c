"""The scheduler-lag metric: each fired job reports how late it fired, a job already overdue included."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from bot.metrics import Metrics
from tests.support.aps import (  # noqa: F401 - aps_url and schedulers are fixtures
    Recorder, Schedulers, aps_url, expire, schedulers, soon)


def lag(metrics: Metrics) -> dict[str, float]:
    return {sample.name + (f"[{sample.labels['le']}]" if "le" in sample.labels else ""): sample.value
            for family in text_string_to_metric_families(metrics.exposition().decode())
            for sample in family.samples if sample.name.startswith("podium_scheduler_lag_seconds")}


async def test_each_fired_job_reports_its_lateness(schedulers: Schedulers) -> None:
    recorder, metrics = Recorder(), Metrics()
    scheduler = await schedulers.start(recorder)
    scheduler.on_late = metrics.late
    await scheduler.schedule("overdue", soon(-5), expire("s1"))  # came due while the bot was away
    await scheduler.schedule("on-time", soon(0.3), expire("s2"))
    await recorder.wait_for(2)
    found = lag(metrics)
    assert found["podium_scheduler_lag_seconds_count"] == 2
    assert found["podium_scheduler_lag_seconds_sum"] >= 5
    assert found["podium_scheduler_lag_seconds_bucket[5.0]"] == 1  # only the one on time (the other: 5 s and more)
    assert found["podium_scheduler_lag_seconds_bucket[+Inf]"] == 2
