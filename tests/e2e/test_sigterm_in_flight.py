"""SIGTERM while work is under way, as a supervisor (systemd, a container runtime) sends it: `podium run`
finishes the command it is handling, delivers the platform work already committed, then exits 0 within 10 s."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from tests.fakes.slack import FakeSlack, SlackSender
from tests.support.processes import free_port, start_slack_podium, stop_podium
from tests.support.slack import PATH, SECRET, eventually, populate


async def test_a_board_post_under_way_at_sigterm_still_reaches_slack(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        people, room = populate(fake)
        port = free_port()
        process = await start_slack_podium(fake, tmp_path, port)
        async with SlackSender(f"http://127.0.0.1:{port}{PATH}", SECRET, fake) as slack:
            fake.slow_down("chat.postMessage", seconds=1.5)  # Slack answers the board's post late...
            fake.rate_limit("chat.postMessage", retry_after=1)  # ...and then asks to come back in 1 s
            opened = await slack.slash_command("/stage", "open Town hall", user=people["alice"], channel=room)
            assert opened.status == 200
            began = time.monotonic()
            stderr = await stop_podium(process, within=10)
        assert time.monotonic() - began < 10
        assert "Traceback" not in stderr
        boards = [m for m in fake.messages(room.id) if "Town hall" in str(m.blocks)]
        assert len(boards) == 1, fake.messages(room.id)
        fake.assert_no_spec_violations()


async def test_a_command_in_flight_at_sigterm_is_answered_and_kept(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        people, room = populate(fake)
        port = free_port()
        url = f"http://127.0.0.1:{port}{PATH}"
        process = await start_slack_podium(fake, tmp_path, port)
        async with SlackSender(url, SECRET, fake) as slack:
            assert (await slack.slash_command("/stage", "open Town hall", user=people["alice"],
                                              channel=room)).status == 200
            await fake.wait_for("chat.postMessage", channel=room.id, timeout=10)
            fake.slow_down("users.info", seconds=1.0, times=5)  # bob is looked up while SIGTERM arrives
            raising = asyncio.create_task(slack.slash_command("/stage", "raise I'd like to ask",
                                                              user=people["bob"], channel=room))
            await asyncio.sleep(0.3)
            assert not raising.done()
            stderr = await stop_podium(process, within=10)
            raised = await raising
        assert "Traceback" not in stderr
        assert raised.status == 200 and raised.in_time
        assert any("#1" in str(post) for post in fake.response_posts), fake.response_posts  # bob was told
        seen = len(fake.response_posts)
        process = await start_slack_podium(fake, tmp_path, port)  # what was answered is in the database
        try:
            async with SlackSender(url, SECRET, fake) as slack:
                assert (await slack.slash_command("/stage", "queue", user=people["carol"],
                                                  channel=room)).status == 200
                await eventually(lambda: len(fake.response_posts) > seen, timeout=10, what="the queue's answer")
        finally:
            await stop_podium(process)
        assert people["bob"].id in str(fake.response_posts[seen:]), fake.response_posts[seen:]
