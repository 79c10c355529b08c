"""A/B of two source trees in one run: `python -m bench.ab OTHER_TREE [RUNS]`.

Runs the core storm and the Slack storm alternately from this tree and from OTHER_TREE (say, a worktree of
main before a change), each in a fresh process whose working directory puts that tree first on the import
path, and prints the medians and this tree's ratio to the other. Alternating in one run keeps the machine's
noise (other processes, CPU frequency) out of the comparison as far as it can be.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

from bench.machine import describe

HERE = Path(__file__).resolve().parents[1]
_CORE = """
import json, statistics
from bench import storm
from bench.machine import percentile
r = storm.run_once(seed={seed})
print(json.dumps({{"per_second": r.per_second, "p99_ms": percentile(r.latencies_ms, 0.99)}}))
"""
_SLACK = """
import json
from bench import slack_storm
from bench.machine import percentile
r = slack_storm.run_once()
print(json.dumps({"ack_p50_ms": percentile(r.acks_ms, 0.5), "ack_p99_ms": percentile(r.acks_ms, 0.99),
                  "answered_in_s": r.answered_in, "refused": r.refused}))
"""


def _run(tree: Path, code: str) -> dict[str, float] | None:
    """One storm's figures, or None when the storm itself gave up (say so, and go on with the others)."""
    done = subprocess.run([sys.executable, "-c", code], cwd=tree, capture_output=True, text=True,
                          env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "LOG_LEVEL": "WARNING"})
    if done.returncode != 0:
        print(f"    failed in {tree}: {done.stderr.strip().splitlines()[-1:]}", flush=True)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(other: str, runs: int = 5) -> None:
    trees = {"this tree": HERE, "other tree": Path(other).resolve()}
    print(f"machine: {describe()}\nthis tree: {HERE}\nother tree: {trees['other tree']}")
    figures: dict[str, dict[str, list[dict[str, float] | None]]] = {name: {"core": [], "slack": []}
                                                                    for name in trees}
    for run in range(runs):
        for name, tree in trees.items():
            figures[name]["core"].append(_run(tree, _CORE.format(seed=run)))
            figures[name]["slack"].append(_run(tree, _SLACK))
            print(f"  run {run + 1}, {name}: core {figures[name]['core'][-1]}, slack {figures[name]['slack'][-1]}",
                  flush=True)
    for storm, keys in (("core", ("per_second", "p99_ms")), ("slack", ("ack_p50_ms", "ack_p99_ms", "answered_in_s"))):
        for key in keys:
            medians = {name: statistics.median(f[key] for f in figures[name][storm] if f) for name in trees}
            pairs = [a[key] / b[key] for a, b in zip(figures["this tree"][storm], figures["other tree"][storm],
                                                      strict=True) if a and b and b[key]]
            print(f"{storm} {key}: this {medians['this tree']:.2f}, other {medians['other tree']:.2f}, "
                  f"this/other median of paired runs {statistics.median(pairs):.2f}x")


if __name__ == "__main__":
    main(sys.argv[1], *(int(a) for a in sys.argv[2:3]))
