"""The chaos storm of bench/chaos.py through the real Discord adapter: `podium run` with discord.py against the
loopback fake Discord (REST and gateway served by this process), killed with SIGKILL at random moments.

Members run `/hand raise` (each a member of their own) while the host runs `/speaker next`; an interaction
whose answer reached Discord ("Hand raised, you are #n.") must be in the database. Effects checked once the last
run settled: for each floor given, the member's direct message and their unsuppressed voice state; for each
"you're next", its direct message; one board in the stage channel. Boards: seconds from the bot's gateway
session being ready again until the board shows what the database says.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.chaos import TITLE, ChaosResult, _judge, _stage_id, audit, database, pending_effects


class DiscordBot:
    def __init__(self, fake: Any, url: str, folder: Path, *, name: str) -> None:
        self.fake, self.url, self.folder, self.name = fake, url, folder, name
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, ready: Any) -> float:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "RULES__"))}
        env.update({"DISCORD_TOKEN": self.fake.token, "DISCORD_API_BASE": self.fake.api_base,
                    "DISCORD_GATEWAY_URL": self.fake.gateway_url, "DATABASE_URL": self.url,
                    "LOG_LEVEL": "WARNING", "INSTANCE_NAME": self.name,
                    "RULES__MUST_BE_PRESENT": "false", "RULES__HAND_COOLDOWN": "0", "RULES__IDLE_CLOSE": "0",
                    "RULES__MAX_QUEUE_LENGTH": "100000", "RULES__MAX_SPEAKERS": "100"})
        log = open(self.folder / f"{self.name}.log", "ab")  # noqa: SIM115 - the process writes it
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=self.folder, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.returncode is not None:
                raise RuntimeError((self.folder / f"{self.name}.log").read_text()[-2000:])
            if await ready():
                return time.monotonic()
            await asyncio.sleep(0.05)
        raise RuntimeError("podium run never became ready on Discord")

    def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)

    async def wait(self) -> None:
        if self.process is not None:
            await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.kill()
                await self.process.wait()


def _answer(record: Any) -> str:
    texts = [m.content for m in ([record.original] if record.original is not None else []) + list(record.followups)]
    for response in record.responses:
        if response.data and response.data.get("content"):
            texts.append(response.data["content"])
    return "\n".join(t for t in texts if t)


async def chaos_discord(kind: str, kills: int, *, seed: int = 1, members: int = 2000,
                        senders: int = 6) -> ChaosResult:
    from bot.i18n.catalog import render
    from bot.i18n.markers import N_
    from bot.i18n.message import Message
    from tests.fakes.discord import FakeDiscord

    rng = random.Random(seed)
    result = ChaosResult(database=("SQLite" if kind == "sqlite" else "PostgreSQL") + ", Discord")
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, database(kind, Path(tmp)) as url:
        async with FakeDiscord() as fake:
            guild = fake.add_guild("Chaos")
            stage = fake.add_stage_channel(guild, "chaos-stage")
            host = fake.add_member(guild, "host").user
            people = [fake.add_member(guild, f"m{i:05d}").user for i in range(members)]
            fake.member_join_voice(guild, host, stage)
            bot = DiscordBot(fake, url, Path(tmp), name="chaos-discord")

            async def interact(user: Any, *words: str) -> Any:
                try:
                    record = fake.run_slash_command(guild, stage, user, *words)
                except LookupError:
                    return None  # commands not registered yet: the bot is not there
                try:
                    await fake.wait_response(record, timeout=3.0)
                except Exception:
                    return record
                # A deferred answer ("thinking") follows when the command committed.
                for _ in range(100):
                    if _answer(record):
                        break
                    await asyncio.sleep(0.02)
                return record

            async def ready() -> bool:
                record = await interact(host, "stage", "status")
                return record is not None and bool(_answer(record))

            await bot.start(ready)
            record = fake.run_slash_command(guild, stage, host, "stage", "open", options={"title": TITLE})
            await fake.wait_response(record, timeout=5)
            stage_id = await _stage_id(url)
            acked: list[str] = []
            fresh = iter(people)
            for _ in range(kills):
                stop = asyncio.Event()

                async def storm() -> None:
                    while not stop.is_set():
                        if rng.random() < 0.08:
                            await interact(host, "speaker", "next")
                            continue
                        member = next(fresh)
                        result.sent += 1
                        record = await interact(member, "hand", "raise")
                        if record is not None and "Hand raised" in _answer(record):
                            acked.append(str(member.id))

                tasks = [asyncio.create_task(storm()) for _ in range(senders)]
                await asyncio.sleep(rng.uniform(0.3, 1.5))
                stop.set()
                bot.kill()
                await bot.wait()
                result.kills += 1
                await asyncio.gather(*tasks, return_exceptions=True)
                listening = await bot.start(ready)
                result.board_lag.append(await _board_lag(fake, stage, url, stage_id, listening))
            deadline = time.monotonic() + 60
            while pending_effects(url) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            await asyncio.sleep(2.0)  # DMs and edits handed to the adapter's own paced workers
            await bot.stop()
            raised = {actor for actor, _ in audit(url, "HandRaised")}
            result.acked = len(acked)
            result.acked_lost = sum(1 for member in acked if member not in raised)
            floors = [t for _, t in audit(url, "SpeakerApproved") if t]
            nexts = [t for _, t in audit(url, "NextInLine") if t]
            result.floors, result.nexts = len(floors), len(nexts)
            dms = _dms(fake)
            floor_dm = render(Message.of(N_("You have the floor on “{title}”."), title=TITLE), "en")
            next_dm = render(Message.of(N_("You're next on “{title}”."), title=TITLE), "en")
            for target in floors:
                _judge(result, dms.get(target, Counter())[floor_dm], f"floor DM to {target}")
            for target in nexts:
                _judge(result, dms.get(target, Counter())[next_dm], f"next DM to {target}")
            _judge(result, len(_boards(fake, stage)), "board")
    result.seconds = time.monotonic() - started
    return result


def _dms(fake: Any) -> dict[str, Counter[str]]:
    found: dict[str, Counter[str]] = {}
    for channel in fake.store.channels.values():
        if channel.recipients:
            user = str(channel.recipients[0].id)
            found[user] = Counter(m.content for m in fake.store.messages.values() if m.channel_id == channel.id)
    return found


def _boards(fake: Any, stage: Any) -> list[Any]:
    return [m for m in sorted(fake.store.messages.values(), key=lambda m: m.id)
            if m.channel_id == stage.id and m.author.id == fake.store.bot.id and m.webhook_id is None
            and m.components]


async def _board_lag(fake: Any, stage: Any, url: str, stage_id: str, since: float, *, limit: float = 15.0) -> float:
    from bot.bootstrap import build
    from bot.config import Settings

    app = build(Settings(_env_file=None), database_url=url, scheduler="memory")  # type: ignore[call-arg]
    try:
        board = await app.queries.board(stage_id, lines=0)
    finally:
        await app.db.dispose()
    wanted = f"Queue ({board.queue_length:,})"  # the queue's count, as the board's embed shows it
    while time.monotonic() - since < limit:
        shown = _boards(fake, stage)
        if shown and any(wanted in str(embed) for embed in shown[0].embeds):
            return time.monotonic() - since
        await asyncio.sleep(0.02)
    return float("inf")


if __name__ == "__main__":
    kills = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    outcome = asyncio.run(chaos_discord(sys.argv[1] if len(sys.argv) > 1 else "sqlite", kills))
    print(outcome.summary())
    for line in (outcome.effects_missing + outcome.effects_twice)[:20]:
        print("   ", line)
