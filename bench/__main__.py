"""`make bench`: prints the figures recorded in docs/benchmarks.md. Not a test; run on purpose."""

from __future__ import annotations

import statistics

from bench import discord_storm, memory, scheduler_bench, slack_storm, storm
from bench.machine import describe, percentile

RUNS = 5
_PLACEMENT = {True: "one CPU (SINGLE_CPU=true, the default)", False: "placed by the system (SINGLE_CPU=false)"}


def main() -> None:
    print(f"machine: {describe()}")
    print(f"\n== core storm (SQLite, service layer), {RUNS} runs each, alternating ==")
    placed: dict[bool, list[storm.StormResult]] = {True: [], False: []}
    for run in range(RUNS):
        for single_cpu in (True, False):
            result = storm.run_once(seed=run, single_cpu=single_cpu)
            placed[single_cpu].append(result)
            print(f"  run {run + 1}, {_PLACEMENT[single_cpu]}: {storm.summary(result)}")
    for single_cpu, results in placed.items():
        print(f"  median, {_PLACEMENT[single_cpu]}: "
              f"{statistics.median(r.per_second for r in results):,.0f} commands/s, "
              f"p50 {statistics.median(percentile(r.latencies_ms, 0.5) for r in results):.2f} ms, "
              f"p99 {statistics.median(percentile(r.latencies_ms, 0.99) for r in results):.2f} ms")
    ratio = statistics.median(a.per_second / b.per_second for a, b in zip(placed[True], placed[False]))
    print(f"  one CPU / system placement, median of the paired runs: {ratio:.2f}x "
          f"(targets, as the bot runs by default: >= 2,000 commands/s, p99 < 20 ms)")
    for hands, label in ((500, "hands up to the default queue cap of 500"),
                         (memory.MEMBERS, "the cap lifted, every member with a hand up")):
        print(f"\n== memory: {memory.STAGES} live stages x {memory.MEMBERS:,} members in the room, {label}, "
              f"3 runs ==")
        peaks = []
        for run in range(3):
            figures = memory.measure(hands)
            peaks.append(figures["peak_rss_mb"])
            print(f"  run {run + 1}: peak RSS {figures['peak_rss_mb']:.0f} MB (interpreter and libraries alone "
                  f"{figures['baseline_rss_mb']:.0f} MB), {figures['stages']:.0f} stages, "
                  f"{figures['queued']:.0f} hands")
        print(f"  median peak RSS: {statistics.median(peaks):.0f} MB (target < 300 MB)")
    print(f"\n== Slack storm: {slack_storm.MEMBERS:,} signed raise-hand requests in {slack_storm.SECONDS:.0f} s, 3 runs ==")
    for run in range(3):
        print(f"  run {run + 1}: {slack_storm.run_once().summary()}")
    for postgres in (False, True):
        print(f"\n== Discord storm on {'PostgreSQL' if postgres else 'SQLite'}: {discord_storm.MEMBERS:,} members "
              f"request to speak within {discord_storm.SECONDS:.0f} s through the gateway, 3 runs ==")
        storms = []
        for run in range(3):
            storms.append(discord_storm.run_once(postgres=postgres))
            print(f"  run {run + 1}: {discord_storm.summary(storms[-1])}")
        print(f"  median p99 {statistics.median(percentile(r.delays_ms, 0.99) for r in storms):.1f} ms, "
              f"429s {sum(r.rate_limited for r in storms)}, closest board edits "
              f"{min(r.closest_edits for r in storms):.2f} s apart (targets: p99 < 100 ms, zero 429s, "
              f"board edits at most one per second)")
    print("\n== scheduler: APScheduler with its jobs in the database (PODIUM_BENCH_POSTGRES adds PostgreSQL) ==")
    scheduler_bench.report()

if __name__ == "__main__":
    main()
