"""What durable acks and the outbox cost: the core storm and an unpaced Slack storm, on two source trees
measured alternately in one run, each measurement in a fresh process; the figure is the ratio of medians.

    python -m bench.ack_cost OLD_TREE [NEW_TREE] [ROUNDS]

OLD_TREE is a checkout of the code before (e.g. `git worktree add /tmp/before <commit>`); NEW_TREE defaults
to this checkout. The Slack storm sends 1,000 signed `/stage raise` requests, 20 at a time, as fast as the
bot takes them (the paced storm of `make bench` measures latency at a fixed rate instead), against the real
bolt app over HTTP and the loopback fake Slack, and waits until every answer reached its response_url.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SLACK_MEMBERS = 1_000
# Requests in flight at once. Each sender waits for its ack before its next request (a closed loop), so with
# durable acks the storm's rate is this number over a request's time to commit: ACK_COST_CONCURRENCY=100 shows
# what the bot takes when members do not wait on one another, as in a real channel.
SLACK_CONCURRENCY = int(os.environ.get("ACK_COST_CONCURRENCY", "20"))
SECRET = "8f14e45fceea167a5a36dedd4bea2543"


async def _slack_storm(folder: Path) -> dict[str, float]:
    from adapters.slack.service import start_http
    from bot.bootstrap import build
    from bot.config import Settings
    from tests.fakes.slack import FakeSlack, SlackSender

    async with FakeSlack() as fake:
        host = fake.add_user("host", is_admin=True)
        members = [fake.add_user(f"member{i:04d}") for i in range(SLACK_MEMBERS)]
        room = fake.add_channel("storm", members=[host.id, *(m.id for m in members)])
        rules = {"must_be_present": False, "hand_cooldown": 0, "max_queue_length": SLACK_MEMBERS}
        try:  # the adapter owns its settings (since the layers change); before, the core's Settings held them
            from adapters.slack.assembly import assemble
            from adapters.slack.settings import SlackSettings
        except ImportError:
            from adapters.slack.adapter import SlackAdapter

            settings = Settings(_env_file=None, slack_bot_token=fake.token, slack_signing_secret=SECRET,
                                slack_api_url=fake.api_url, log_level="WARNING", rules=rules)
            app = build(settings, database_url=f"sqlite:///{folder / 'storm.db'}", scheduler="memory")
            adapter = SlackAdapter.build(app, settings)
        else:
            app = build(Settings(_env_file=None, log_level="WARNING", rules=rules),
                        database_url=f"sqlite:///{folder / 'storm.db'}", scheduler="memory")
            adapter = assemble(app, SlackSettings(_env_file=None, bot_token=fake.token, signing_secret=SECRET,
                                                  api_url=fake.api_url))
        await app.start()
        await adapter.start()
        # Serving takes the adapter since Slack requests are authenticated at a gate first; before, its bolt app.
        served = adapter if "adapter" in inspect.signature(start_http).parameters else adapter.bolt
        runner, port = await start_http(served, host="127.0.0.1", port=0, path="/slack/events")
        try:
            async with SlackSender(f"http://127.0.0.1:{port}/slack/events", SECRET, fake) as slack:
                await slack.slash_command("/stage", 'open "Storm"', user=host, channel=room)
                await fake.wait_for("chat.postMessage", channel=room.id, timeout=10)
                queue = iter(members)
                started = time.perf_counter()

                async def sender() -> None:
                    for member in queue:
                        response = await slack.slash_command("/stage", "raise", user=member, channel=room)
                        assert response.status == 200, response

                await asyncio.gather(*(sender() for _ in range(SLACK_CONCURRENCY)))
                acked = time.perf_counter() - started
                while len(fake.response_posts) < SLACK_MEMBERS + 1:
                    await asyncio.sleep(0.005)
                answered = time.perf_counter() - started
        finally:
            await runner.cleanup()
            await adapter.stop()
            await app.stop()
    return {"acked_per_s": SLACK_MEMBERS / acked, "answered_per_s": SLACK_MEMBERS / answered}


def measure(kind: str) -> dict[str, float]:
    if kind == "core":
        from bench import storm

        result = storm._run_here(7, True)
        return {"commands_per_s": result.per_second}
    from bot.cpu import keep_on_one_cpu

    keep_on_one_cpu()
    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(_slack_storm(Path(folder)))


def _in(tree: Path, kind: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--measure", kind], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(old: Path, new: Path, rounds: int) -> None:
    from bench.machine import describe

    print(f"machine: {describe()}; load average at start {os.getloadavg()[0]:.2f}; "
          f"Slack requests in flight: {SLACK_CONCURRENCY}")
    for kind in ("core", "slack"):
        figures: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
        for round_ in range(rounds):
            for label, tree in (("before", old), ("after", new)) if round_ % 2 == 0 else (("after", new),
                                                                                         ("before", old)):
                figures[label].append(_in(tree, kind))
                print(f"  {kind} round {round_ + 1} {label}: {figures[label][-1]}", flush=True)
        for key in figures["before"][0]:
            before = statistics.median(f[key] for f in figures["before"])
            after = statistics.median(f[key] for f in figures["after"])
            print(f"{kind} {key}: before {before:,.0f}, after {after:,.0f} (medians of {rounds}); "
                  f"after/before {after / before:.2f}")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        print(json.dumps(measure(sys.argv[2])))
    else:
        old_tree = Path(sys.argv[1]).resolve()
        new_tree = Path(sys.argv[2]).resolve() if len(sys.argv) > 2 else Path(__file__).resolve().parent.parent
        main(old_tree, new_tree, int(sys.argv[3]) if len(sys.argv) > 3 else 5)
