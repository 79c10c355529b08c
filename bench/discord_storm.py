"""Discord storm: 5,000 members of one stage request to speak within 10 seconds, through the gateway.

The loopback fake Discord (tests/fakes/discord) plays the server, with Discord's per-channel message limits
(5 posts and 5 edits per 5 s) and its global limit (50 requests a second per bot). Podium is the real Discord
adapter on discord.py, the core, SQLite and the default scheduler, in a process of its own as `podium run` starts
it (its threads on one CPU); the fake and the members' requests run in the bench's process, so the fake's work
does not count in the bot's delays. The delay of each hand is measured from the moment the fake dispatches its
VOICE_STATE_UPDATE to the moment the core has committed the RaiseHand it became (one monotonic clock for both
processes). `run_once(postgres=True)` runs it on PostgreSQL (a schema of its own in the local server's `test`
database).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from bench.machine import percentile

MEMBERS = 5_000
SECONDS = 10.0
BATCH = 25  # members whose requests leave together, every SECONDS / (MEMBERS / BATCH)
EDIT = "PATCH /channels/{channel_id}/messages/{message_id}"
POST = "POST /channels/{channel_id}/messages"


@dataclass
class DiscordStormResult:
    delays_ms: list[float]
    seconds: float  # from the first request to speak to the last commit
    rest_calls: int  # made by the bot during the storm
    rate_limited: int  # 429s the bot received, during the whole run
    board_edits: int
    closest_edits: float  # seconds between the two closest board edits
    board_shows_all: bool
    extra: dict[str, Any] = field(default_factory=dict)


def _timed(handle: Callable[[Any], Awaitable[Any]], committed: dict[str, float],
           everyone: asyncio.Event) -> Callable[[Any], Awaitable[Any]]:
    from bot.domain.commands import RaiseHand

    async def timed(command: Any) -> Any:
        reply = await handle(command)
        if isinstance(command, RaiseHand):
            committed[command.actor.user_id] = time.perf_counter()
            if len(committed) >= MEMBERS:
                everyone.set()
        return reply

    return timed


def _bot(conn: Connection, database_url: str, token: str, api_base: str, gateway_url: str) -> None:
    """The bot's process, as `podium run` starts it (its threads on one CPU); the fake Discord is elsewhere."""
    from bot.cpu import keep_on_one_cpu

    keep_on_one_cpu()
    asyncio.run(_serve(conn, database_url, token, api_base, gateway_url))


async def _serve(conn: Connection, database_url: str, token: str, api_base: str, gateway_url: str) -> None:
    from adapters.discord.endpoints import pointed_at
    from adapters.discord.service import DiscordAdapter
    from adapters.discord.settings import DiscordSettings
    from bot.bootstrap import build
    from bot.config import Settings

    settings = Settings(_env_file=None, database_url=database_url, rules={"max_queue_length": MEMBERS * 2})
    discord_settings = DiscordSettings(_env_file=None, token=token, api_base=api_base, gateway_url=gateway_url)
    app = build(settings)
    await app.start()
    committed: dict[str, float] = {}
    everyone = asyncio.Event()
    app.bus.handle = _timed(app.bus.handle, committed, everyone)  # type: ignore[method-assign]
    with pointed_at(discord_settings.api_base, discord_settings.gateway_url):
        adapter = DiscordAdapter(app, discord_settings, guild_ready_timeout=0.5)
        await adapter.start(wait_ready=60)
        try:
            await adapter.client.tree.sync()
            conn.send("ready")
            await asyncio.wait_for(everyone.wait(), timeout=150)
            conn.send(committed)
            await _receive(conn, 60)  # the storm's board is checked: finish the platform work
            await adapter.ctx.lanes.drain()
            await app.settle()
            conn.send("settled")
        finally:
            await adapter.close()
            await app.stop()


async def _receive(conn: Connection, timeout: float, process: BaseProcess | None = None) -> Any:
    """The next message from the other process, without holding this one's event loop; a `process` that ends
    before sending anything is said at once, not after the timeout."""
    def receive() -> Any:
        ready = wait([conn, process.sentinel] if process is not None else [conn], timeout)
        if conn in ready:
            return conn.recv()
        if ready:
            raise RuntimeError(f"the bot's process ended (exit code {process.exitcode if process else None})")
        raise TimeoutError(f"nothing from the other process within {timeout:.0f} s")

    return await asyncio.to_thread(receive)


async def storm(folder: Path, *, database_url: str | None = None) -> DiscordStormResult:
    """The fake Discord and the members' hands here; the bot in a process of its own, as it runs."""
    from tests.fakes.discord import FakeDiscord

    async with FakeDiscord(heartbeat_interval_ms=30_000) as fake:
        fake.limit(EDIT, 5, 5.0)
        fake.limit(POST, 5, 5.0)
        fake.limit_global(50, 1.0)
        guild = fake.add_guild("Storm")
        stage = fake.add_stage_channel(guild, "big-stage")
        host = fake.add_member(guild, "host").user
        members = [fake.add_member(guild, f"m{n:05d}").user for n in range(MEMBERS)]
        for user in [host, *members]:
            fake.member_join_voice(guild, user, stage)
        conn, child_conn = multiprocessing.get_context("spawn").Pipe()
        bot = multiprocessing.get_context("spawn").Process(target=_bot, args=(
            child_conn, database_url or f"sqlite:///{folder / 'storm.db'}", fake.token, fake.api_base,
            fake.gateway_url), daemon=True)
        bot.start()
        settled = False
        try:
            await _receive(conn, 120, bot)  # "ready": connected, commands synced
            opening = fake.run_slash_command(guild, stage, host, "stage", "open", options={"title": "Storm"})
            await fake.wait_response(opening, timeout=10)
            await fake.wait_for(lambda: fake.calls(POST), timeout=10)
            await asyncio.sleep(1.5)  # the opening's platform work and reconciliation are over
            started_requests = len(fake.requests)
            sent: dict[str, float] = {}
            began = time.perf_counter()  # CLOCK_MONOTONIC: one clock for both processes
            for index in range(0, MEMBERS, BATCH):
                due = began + SECONDS * index / MEMBERS
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                for user in members[index:index + BATCH]:
                    sent[str(user.id)] = time.perf_counter()
                    fake.member_request_to_speak(guild, user)
            committed: dict[str, float] = await _receive(conn, 150, bot)
            finished = max(committed.values())
            shown = await _board_shows(fake, stage.id)
            conn.send("check done")
            settled = await _receive(conn, 60, bot) == "settled"
            storm_calls = fake.requests[started_requests:]
            edits = [c.at for c in storm_calls if c.route == EDIT]
        finally:  # settled, the bot closes and ends; otherwise it is waiting for what will not come
            await asyncio.to_thread(bot.join, 30 if settled else 0)
            if bot.is_alive():
                bot.kill()
        delays = [(committed[user_id] - at) * 1000 for user_id, at in sent.items()]
        gaps = [later - earlier for earlier, later in zip(edits, edits[1:])]
        return DiscordStormResult(
            delays_ms=delays, seconds=finished - began, rest_calls=len(storm_calls),
            rate_limited=len(fake.calls(status=429)), board_edits=len(edits),
            closest_edits=min(gaps) if gaps else float("inf"), board_shows_all=shown)


async def _board_shows(fake: Any, channel_id: int) -> bool:
    """The board's queue counts every hand, once the last coalesced edit is out."""
    def shows() -> bool:
        boards = [m for m in fake.store.messages.values() if m.channel_id == channel_id and m.embeds]
        return any(f"({MEMBERS:,})" in f["name"] for m in boards for f in m.embeds[0].get("fields", []))

    try:
        await fake.wait_for(shows, timeout=5)
    except TimeoutError:
        return False
    return True


def run_once(*, postgres: bool = False) -> DiscordStormResult:
    with tempfile.TemporaryDirectory() as folder:
        if not postgres:
            return asyncio.run(storm(Path(folder)))
        from bench.chaos import database

        with database("postgresql", Path(folder)) as url:
            return asyncio.run(storm(Path(folder), database_url=url))


def summary(result: DiscordStormResult) -> str:
    return (f"{len(result.delays_ms):,} hands committed {result.seconds:.1f} s after the first request; "
            f"event to commit p50 {percentile(result.delays_ms, 0.5):.1f} ms, "
            f"p99 {percentile(result.delays_ms, 0.99):.1f} ms; {result.rest_calls} REST calls, "
            f"{result.rate_limited} 429s; {result.board_edits} board edits, the closest {result.closest_edits:.2f} s "
            f"apart; final board {'shows' if result.board_shows_all else 'DOES NOT show'} every hand")
