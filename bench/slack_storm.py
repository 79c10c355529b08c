"""Slack storm: 1,000 members raise a hand with a signed `/stage raise`, paced over 10 seconds, against the
real bolt app served over HTTP (the core on SQLite, the loopback fake Slack behind SLACK_API_URL).

Figures: each request's ack time (Slack wants every ack within 3 s), when the last answer and the last
board edit landed, and the board's `chat.update` calls per second (at most one per stage). The sender, the
app and the fake Slack share one process and one event loop, so the figures include the fake's own work.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from adapters.slack.assembly import assemble
from adapters.slack.service import start_http
from adapters.slack.settings import SlackSettings
from bench.machine import percentile
from bot.bootstrap import build
from bot.config import Settings

MEMBERS = 1_000
SECONDS = 10.0
SECRET = "8f14e45fceea167a5a36dedd4bea2543"


@dataclass
class SlackStormResult:
    requests: int
    acks_ms: list[float]
    late_acks: int  # over Slack's 3 s
    refused: int  # answers that were not "Hand raised"
    sent_in: float
    answered_in: float  # from the first request until the last answer reached its response_url
    board_final_in: float  # ... until the board showed every hand
    updates: int
    max_updates_per_second: int  # in any one-second window, for the one stage

    def summary(self) -> str:
        return (f"{self.requests} signed /stage raise sent in {self.sent_in:.1f} s: ack p50 "
                f"{percentile(self.acks_ms, 0.5):.1f} ms, p99 {percentile(self.acks_ms, 0.99):.1f} ms, max "
                f"{max(self.acks_ms):.1f} ms, {self.late_acks} over 3 s; {self.refused} refused; every answer in "
                f"{self.answered_in:.1f} s, final board in {self.board_final_in:.1f} s; {self.updates} chat.update, "
                f"at most {self.max_updates_per_second} in any second (target: <= 1 per second per stage)")


async def storm(folder: Path) -> SlackStormResult:
    from tests.fakes.slack import FakeSlack, SlackSender

    async with FakeSlack() as fake:
        host = fake.add_user("host", is_admin=True)
        members = [fake.add_user(f"member{i:04d}") for i in range(MEMBERS)]
        room = fake.add_channel("storm", members=[host.id, *(m.id for m in members)])
        settings = Settings(_env_file=None, log_level="WARNING",
                            rules={"must_be_present": False, "hand_cooldown": 0, "max_queue_length": MEMBERS})
        slack_settings = SlackSettings(_env_file=None, bot_token=fake.token, signing_secret=SECRET,
                                       api_url=fake.api_url)
        app = build(settings, database_url=f"sqlite:///{folder / 'storm.db'}", scheduler="memory")
        await app.start()
        adapter = assemble(app, slack_settings)
        await adapter.start()
        runner, port = await start_http(adapter, host="127.0.0.1", port=0, path="/slack/events")
        try:
            async with SlackSender(f"http://127.0.0.1:{port}/slack/events", SECRET, fake) as slack:
                await slack.slash_command("/stage", 'open "Storm"', user=host, channel=room)
                [opened] = await fake.wait_for("chat.postMessage", channel=room.id, timeout=10)
                started = time.perf_counter()

                async def one(index: int) -> float:
                    await asyncio.sleep(max(0.0, started + index * SECONDS / MEMBERS - time.perf_counter()))
                    response = await slack.slash_command("/stage", "raise", user=members[index], channel=room)
                    assert response.status == 200, response
                    return response.ack_seconds

                acks = await asyncio.gather(*(one(i) for i in range(MEMBERS)))
                sent_in = time.perf_counter() - started
                answered_in = await _until(lambda: len(fake.response_posts) >= MEMBERS + 1, started)
                board = fake.state.channels[room.id].message(opened.response["ts"])
                board_final_in = await _until(lambda: f"Queue ({MEMBERS:,})" in str(board.blocks if board else ""), started)
        finally:
            await runner.cleanup()
            await adapter.stop()
            await app.stop()
        updates = [c.time for c in fake.calls_to("chat.update", channel=room.id) if c.ok]
        window = max((sum(1 for u in updates if t <= u < t + 1.0) for t in updates), default=0)
        refused = sum(1 for p in fake.response_posts[1:] if not p.get("text", "").startswith("Hand raised"))
        return SlackStormResult(MEMBERS, [a * 1000 for a in acks], sum(1 for a in acks if a > 3.0), refused,
                                sent_in, answered_in, board_final_in, len(updates), window)


async def _until(condition: object, started: float, *, limit: float = 60.0) -> float:
    """Seconds from `started` until `condition()` held; infinity when it did not within `limit`."""
    while not condition():  # type: ignore[operator]
        if time.perf_counter() - started > limit:
            return float("inf")
        await asyncio.sleep(0.01)
    return time.perf_counter() - started


def run_once() -> SlackStormResult:
    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(storm(Path(folder)))


if __name__ == "__main__":
    print(run_once().summary())
