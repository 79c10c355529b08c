"""`podium run` as a separate process, reaching the fake Slack through SLACK_API_URL and serving signed
requests on SLACK_PORT: a stage opened, a hand raised, a restart, and the same board edited after it."""

from __future__ import annotations

from pathlib import Path

from tests.support.processes import free_port, start_slack_podium as start_podium, stop_podium
from tests.support.slack import PATH, SECRET, eventually, populate
from tests.fakes.slack import FakeSlack, SlackSender


async def test_podium_run_serves_slack_across_a_restart(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        people, room = populate(fake)
        port = free_port()
        url = f"http://127.0.0.1:{port}{PATH}"
        process = await start_podium(fake, tmp_path, port)
        try:
            async with SlackSender(url, SECRET, fake) as slack:
                opened = await slack.slash_command("/stage", 'open "Out of process"', user=people["alice"],
                                                   channel=room)
                assert opened.status == 200 and opened.in_time
                [post] = await fake.wait_for("chat.postMessage", channel=room.id, timeout=10)
                raised = await slack.slash_command("/stage", "raise", user=people["bob"], channel=room)
                assert raised.status == 200
                await eventually(lambda: any("#1" in p.get("text", "") for p in fake.responses), timeout=10)
        finally:
            stderr = await stop_podium(process)
        assert "Traceback" not in stderr

        process = await start_podium(fake, tmp_path, port)
        try:
            async with SlackSender(url, SECRET, fake) as slack:
                await slack.slash_command("/stage", "raise", user=people["carol"], channel=room)
                await fake.wait_for("chat.update", ts=post.response["ts"], count=2, timeout=10)
                forged = await slack.slash_command("/stage", "close", user=people["alice"], channel=room,
                                                   forge="bad_signature")
                assert forged.status == 401
        finally:
            stderr = await stop_podium(process)
        assert "Traceback" not in stderr
        board = fake.messages(room.id)[0]
        assert people["carol"].id in str(board.blocks) and people["bob"].id in str(board.blocks)
        fake.assert_no_spec_violations()
