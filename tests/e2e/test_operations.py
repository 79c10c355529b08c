"""What an operator watches: /metrics scraped after a storm of Slack commands shows the counts the storm made,
/readyz says what is not ready, LOG_FORMAT=json writes one JSON object a line."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from adapters import health
from tests.support.slack import slack_world

PODIUM = str(Path(sys.executable).with_name("podium"))


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


async def scrape(port: int, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}{path}") as response:
        return response.status, await response.text()


async def test_metrics_after_a_storm_show_the_counts_it_made(tmp_path: Path) -> None:
    async with slack_world(tmp_path, rules={"must_be_present": False, "max_queue_length": 100}) as w:
        crowd = [w.fake.add_user(f"member{n:02d}") for n in range(24)]
        for member in crowd:
            w.room.members.append(member.id)
            w.people[member.name] = member
        w.fake.faults.rate_limit("users.info", retry_after=0, times=2)  # the first two look-ups: 429
        runner, port = await health.start(w.app, ["slack"], host="127.0.0.1", port=0)
        try:
            await w.command("alice", 'open "Storm"')
            await asyncio.gather(*(w.command(member.name, "raise") for member in crowd))  # 24 hands at once
            await asyncio.gather(*(w.command(member.name, "raise") for member in crowd[:5]))  # 5 already raised
            await w.command("alice", "next")
            await w.command("alice", "next")
            await w.settle()
            status, text = await scrape(port, "/metrics")
        finally:
            await runner.cleanup()
    assert status == 200
    found = samples(text)
    assert value(found, "podium_commands_total", kind="OpenStage", outcome="ok") == 1
    assert value(found, "podium_commands_total", kind="RaiseHand", outcome="ok") == 24
    assert value(found, "podium_commands_total", kind="RaiseHand", outcome="refused") == 5
    assert value(found, "podium_commands_total", kind="ApproveNext", outcome="ok") == 2
    assert value(found, "podium_command_seconds_count", kind="RaiseHand") == 29
    assert value(found, "podium_live_stages") == 1
    assert value(found, "podium_queued_hands") == 22 and value(found, "podium_longest_queue") == 22
    assert value(found, "podium_platform_rate_limited_total", platform="slack", route="users.info") == 2
    assert value(found, "podium_platform_calls_total", platform="slack", route="users.info", status="429") == 2
    assert value(found, "podium_platform_calls_total", platform="slack", route="users.info", status="200") >= 25
    assert value(found, "podium_platform_calls_total", platform="slack", route="chat.postMessage", status="200") >= 1


async def test_readyz_says_what_is_not_ready(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as w:
        runner, port = await health.start(w.app, ["slack"], host="127.0.0.1", port=0)
        try:
            assert await scrape(port, "/healthz") == (200, "ok\n")
            status, body = await scrape(port, "/readyz")
            assert status == 503 and json.loads(body)["checks"] == {
                "database": "ok", "slack": "not connected", "outbox": "ok: 0 pending, oldest 0 s"}
            w.app.links["slack"] = lambda: True
            status, body = await scrape(port, "/readyz")
            assert (status, json.loads(body)["ready"]) == (200, True)
            await w.app.db.dispose()  # the database gone
            status, body = await scrape(port, "/readyz")
            assert status == 503 and json.loads(body)["checks"]["database"].startswith("unreachable: ")
        finally:
            await runner.cleanup()


async def test_an_outbox_effect_waiting_too_long_makes_the_process_unready(tmp_path: Path) -> None:
    from datetime import timedelta

    from sqlalchemy import text

    async with slack_world(tmp_path) as w:
        w.app.links["slack"] = lambda: True

        def store(age: float) -> None:
            with w.app.db.engine.begin() as conn:
                # For a platform no adapter serves here: nothing delivers it, as when Slack is down.
                conn.execute(text("INSERT INTO outbox (stream, position, platform, kind, payload, created_at, "
                                  "owner, claimed_until) VALUES ('s1', :p, 'elsewhere', 'board', '{}', :at, "
                                  "'another-host', :at)"),
                             {"p": int(age), "at": w.app.clock.now() - timedelta(seconds=age)})

        await w.app.db.run(store, 5.0)
        ready, checks = await health.readiness(w.app, ["slack"])
        assert ready and checks["outbox"] == "ok: 1 pending, oldest 5 s"
        await w.app.db.run(store, 61.0)
        ready, checks = await health.readiness(w.app, ["slack"])
        assert not ready and checks["outbox"] == "stuck: 2 pending, oldest 61 s"


def test_json_logs(tmp_path: Path) -> None:
    result = subprocess.run([PODIUM, "db", "upgrade"], capture_output=True, text=True, cwd=tmp_path, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "LOG_FORMAT": "json", "LOG_LEVEL": "DEBUG",
                                 "RULES__SPEAKING_TIME_LIMIT": "20"})
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert len(records) >= 3 and all({"time", "level", "logger", "message"} <= set(r) for r in records)
    assert records[0]["level"] == "WARNING" and records[0]["logger"] == "bot.config"
    assert records[0]["message"].startswith("RULES__WARN_BEFORE: the default 30 s")
    assert any(r["logger"].startswith("alembic") for r in records)
