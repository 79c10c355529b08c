"""The chaos storm of bench/chaos.py through the real Discord adapter: `podium run` with discord.py against the
loopback fake Discord (REST and gateway served by this process), killed with SIGKILL at random moments.

Members (all in the stage channel) run `/hand raise`, each a member of their own, while the host runs
`/speaker next`. Every interaction whose answer reached Discord ("Hand raised, you are #n.", "… is now a
speaker.") must be applied in the database. Effects checked once the last run settled: for each floor given,
the member's direct message; for each "you're next", its direct message; each speaker in the database
unsuppressed on Discord and nobody else; one board in the stage channel. Boards: seconds from the bot's gateway
session being ready again until the board shows what the database says. Every child process is reaped.
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.chaos_run import (TITLE, BotProcess, ChaosResult, Crowd, check_floors, database, judge, kill_loop,
                             reaped, settled, speakers, stage_id, storm_step)


def _answered(record: Any) -> bool:
    """Whether the member read an answer (words or an embed, e.g. the status board), not only "thinking…"."""
    shown = [m for m in [record.original, *record.followups] if m is not None and not m.flags & 128]
    return any(m.content or m.embeds for m in shown) or any(
        r.data and (r.data.get("content") or r.data.get("embeds")) for r in record.responses)


def _answer(record: Any) -> str:
    texts = [m.content for m in ([record.original] if record.original is not None else []) + list(record.followups)]
    for response in record.responses:
        if response.data and response.data.get("content"):
            texts.append(response.data["content"])
    return "\n".join(t for t in texts if t)


async def chaos_discord(kind: str, kills: int, *, seed: int = 1, members: int = 2000, senders: int = 6,
                        window: tuple[float, float] = (0.3, 1.5)) -> ChaosResult:
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
            for user in [host, *people]:  # in the room, so a floor given is a voice state Discord changes
                fake.member_join_voice(guild, user, stage)
            bot = BotProcess(Path(tmp), name="chaos-discord", env={
                "DISCORD_TOKEN": fake.token, "DISCORD_API_BASE": fake.api_base,
                "DISCORD_GATEWAY_URL": fake.gateway_url, "DATABASE_URL": url})

            async def interact(user: Any, *words: str, **options: Any) -> Any:
                try:
                    record = fake.run_slash_command(guild, stage, user, *words, options=options or None)
                except LookupError:
                    return None  # commands not registered yet: the bot is not there
                try:
                    await fake.wait_response(record, timeout=3.0)
                except Exception:
                    return record
                for _ in range(100):  # a deferred answer ("thinking") follows once the command committed
                    if _answered(record):
                        break
                    await asyncio.sleep(0.02)
                return record

            async def ready() -> bool:
                record = await interact(host, "stage", "status")
                return record is not None and _answered(record)

            async with reaped(bot):
                await bot.once("discord", "sync")  # the commands, as an operator registers them once
                await bot.start(ready)
                for _ in range(20):  # "already live" is no opening: asked again until one is confirmed
                    opened = await interact(host, "stage", "open", title=TITLE)
                    if opened is not None and "is live" in _answer(opened) and "already" not in _answer(opened):
                        break
                stage_ref = await stage_id(url)
                crowd = Crowd(people)

                words = {"next": ("speaker", "next"), "lower": ("hand", "lower"), "raise": ("hand", "raise")}

                async def say(kind: str, who: Any) -> str | None:
                    record = await interact(who, *words[kind])
                    return None if record is None else _answer(record)

                async def act() -> None:
                    await storm_step(result, crowd, rng, host, say=say, member_id=lambda m: str(m.id),
                                     acked=lambda answer: bool(answer and "Hand raised" in answer))

                async def restart() -> float:
                    return await _board_lag(fake, stage, url, stage_ref, await bot.start(ready))

                await kill_loop(result, kills=kills, rng=rng, senders=senders, act=act, bot=bot,
                                restart=restart, window=window)
                await settled(url, after=2.0)
                await bot.stop()
            check_floors(result, url, _dms(fake), floor_dm=render(Message.of(
                N_("You have the floor on “{title}”."), title=TITLE), "en"), next_dm=render(Message.of(
                    N_("You're next on “{title}”."), title=TITLE), "en"))
            _check_voices(result, fake, guild, speakers(url), skip={str(host.id), str(fake.store.bot.id)})
            judge(result, len(_boards(fake, stage)), "board")
            fake.assert_no_spec_violations()
    result.seconds = time.monotonic() - started
    return result


def _check_voices(result: ChaosResult, fake: Any, guild: Any, speaking: set[str], *, skip: set[str]) -> None:
    """Each speaker in the database unsuppressed on Discord, every other member suppressed."""
    for user_id, state in guild.voice_states.items():
        if str(user_id) in skip or state.channel_id is None:
            continue
        if str(user_id) in speaking and state.suppress:
            result.effects_missing.append(f"voice of {user_id} (a speaker, still suppressed)")
        elif str(user_id) not in speaking and not state.suppress:
            result.effects_twice.append(f"voice of {user_id} (unsuppressed without the floor)")


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


async def _board_lag(fake: Any, stage: Any, url: str, stage_ref: str, since: float, *,
                     limit: float = 15.0) -> float:
    from bot.bootstrap import build
    from bot.config import Settings

    app = build(Settings(_env_file=None), database_url=url, scheduler="memory")  # type: ignore[call-arg]
    try:
        board = await app.queries.board(stage_ref, lines=0)
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
    print("    late boards (s):", ", ".join(f"{lag:.2f}" for lag in outcome.board_lag if lag > 2.0) or "none")
