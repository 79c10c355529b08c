"""A whole stage on Discord, as an operator runs it: `podium discord sync`, then `podium run` in its own process
against the fake Discord, reached through DISCORD_API_BASE and DISCORD_GATEWAY_URL; members act through the
gateway and interactions; the bot is killed in the middle and started again."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.domain import errors
from bot.surface.table import TABLE
from bot.i18n.message import Duration
from tests.fakes.discord import FakeDiscord, InteractionRecord
from tests.support.discord import (  # noqa: F401 - fixtures and helpers
    MOD_ROLE, World, channel_posts, discord_errors, dms, embed_text, fake_discord, make_world, mention, refusal,
    reply, world)

ROOT = Path(__file__).resolve().parents[2]


class Podium:
    """`podium …` in a subprocess of its own, against the fake."""

    def __init__(self, fake: FakeDiscord, folder: Path) -> None:
        self.fake, self.folder = fake, folder
        self.process: asyncio.subprocess.Process | None = None
        self.output: list[str] = []
        self._reader: asyncio.Task[None] | None = None

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "RULES__"))}
        env.update(DISCORD_TOKEN=self.fake.token, DISCORD_API_BASE=self.fake.api_base,
                   DISCORD_GATEWAY_URL=self.fake.gateway_url, DISCORD_MODERATOR_ROLES=MOD_ROLE,
                   DATABASE_URL=f"sqlite:///{self.folder / 'podium.db'}", DEFAULT_LOCALE="en", LOG_LEVEL="INFO",
                   RULES__HAND_COOLDOWN="30", PYTHONPATH=str(ROOT))
        return env

    async def once(self, *args: str) -> str:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *args, env=self.env, cwd=self.folder,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 0, err.decode()[-3000:]
        return out.decode()

    async def start(self) -> None:
        seen = len(self.output)  # after a restart, only this process's own lines count
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=self.env, cwd=self.folder,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        self._reader = asyncio.create_task(self._read(self.process))
        await self.fake.wait_for(lambda: any("connected to Discord" in line for line in self.output[seen:]),
                                 timeout=30)
        await asyncio.sleep(0.2)  # the start-up reconciliation

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stderr is not None
        async for line in process.stderr:
            self.output.append(line.decode(errors="replace").rstrip())

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        if self._reader is not None:
            await self._reader
        self.output.append("---- killed ----")

    async def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), 30)
        if self._reader is not None:
            await self._reader
        return code


async def run(world: World, user, name: str, *sub: str, where=None, **options) -> InteractionRecord:
    record = world.fake.run_slash_command(world.guild, where or world.stage, user, name, *sub, options=options)
    await world.fake.wait_for(lambda: reply(record), timeout=5)
    return record


async def press(world: World, user, custom_id: str, *, message=None, values=None) -> InteractionRecord:
    fake = world.fake
    if message is None:
        message = next(m for m in reversed(channel_posts(fake, world.stage)) if m.components)
    record = fake.press_button(message, custom_id, user, values=values)
    await fake.wait_for(lambda: reply(record) or (record.original and record.original.components), timeout=5)
    return record


def board(world: World) -> str:
    boards = [m for m in channel_posts(world.fake, world.stage) if m.embeds and "Queue" in embed_text(m.embeds[0])]
    return embed_text(boards[-1].embeds[0]) if boards else ""


def suppressed(world: World, user) -> bool:
    state = world.fake.voice_state(world.guild, user)
    return state is None or state.suppress


async def until(world: World, predicate, timeout: float = 6.0) -> None:
    await world.fake.wait_for(predicate, timeout=timeout)


@pytest.fixture
async def podium(fake_discord: FakeDiscord, tmp_path: Path):
    runner = Podium(fake_discord, tmp_path)
    yield runner
    if runner.process is not None and runner.process.returncode is None:
        await runner.kill()


async def test_a_stage_from_opening_to_recap_across_an_outage_and_a_crash(world, podium):
    fake = world.fake
    vip = fake.add_role(world.guild, "VIP", 0)
    frank = fake.add_member(world.guild, "frank").user
    fake.member_join_voice(world.guild, frank, world.stage)

    # The operator registers the commands in the server and invites the bot.
    synced = await podium.once("discord", "sync", "--guild", str(world.guild.id))
    assert f"registered {len({row.path[0] for row in TABLE})} commands in server" in synced  # one per first word
    assert f"client_id={fake.store.application_id}" in await podium.once("discord", "invite-url")
    await podium.start()

    opened = await run(world, world.alice, "stage", "open", title="Weekly AMA", topic="Pricing")
    assert reply(opened) == "Stage “Weekly AMA” is live."
    await until(world, lambda: "Pricing" in board(world))
    assert world.guild.stage_instances[world.stage.id].topic == "Pricing"
    stage_id = next(c["custom_id"] for row in channel_posts(fake, world.stage)[-1].components
                    for c in row["components"]).split(":")[-1]

    # Who may do what: refused, ephemeral, nothing changed.
    assert reply(await run(world, world.carol, "stage", "lock")) == refusal(errors.NotModerator)
    rules = await run(world, world.bob, "stage", "rules", changes=(
        "max_speakers=1 max_queue_length=3 speaking_time_limit=4 warn_before=2 grace_period=60 "
        "must_be_present=on queue_mode=fifo"))
    assert reply(rules).startswith("Rules updated")

    # Hands: Discord's own request to speak, and the board's button.
    fake.member_request_to_speak(world.guild, world.carol)
    await until(world, lambda: f"`#1` {mention(world.carol)}" in board(world))
    assert reply(await press(world, world.dave, f"podium:raise:{stage_id}")) == "Hand raised, you are #2."
    assert reply(await press(world, world.erin, f"podium:raise:{stage_id}")) == refusal(errors.NotPresent)
    assert reply(await press(world, frank, f"podium:raise:{stage_id}")) == "Hand raised, you are #3."
    fake.member_join_voice(world.guild, world.erin, world.stage)
    assert reply(await press(world, world.erin, f"podium:raise:{stage_id}")) == refusal(errors.QueueFull, limit=3)

    # The floor: approval unsuppresses; the speaker cap holds; time runs out on the real voice state.
    approved = await run(world, world.bob, "speaker", "approve", member=str(world.carol.id))
    assert reply(approved) == f"{mention(world.carol)} is now a speaker."
    await until(world, lambda: not suppressed(world, world.carol))
    assert reply(await run(world, world.bob, "speaker", "next")) == refusal(errors.SpeakersFull, limit=1)
    await until(world, lambda: suppressed(world, world.carol), timeout=10)
    await until(world, lambda: any("is up" in text for text in dms(fake, world.carol)))
    assert any("Speaking time left" in text for text in dms(fake, world.carol))

    # A denial from the moderators' pick list, then the cooldown.
    picker = await press(world, world.bob, f"podium:deny:{stage_id}")
    await press(world, world.bob, f"podium:pick:deny:{stage_id}", message=picker.original,
                values=[str(world.dave.id)])
    await until(world, lambda: "A moderator lowered your hand on “Weekly AMA”." in dms(fake, world.dave))
    assert reply(await press(world, world.dave, f"podium:raise:{stage_id}")) == refusal(
        errors.CoolingDown, wait=Duration(30))

    # Fair queue: carol has spoken, erin has not.
    await run(world, world.bob, "stage", "rules", changes="queue_mode=fair hand_cooldown=0 max_queue_length=10 speaking_time_limit=0")
    fake.member_request_to_speak(world.guild, world.carol)
    assert reply(await press(world, world.erin, f"podium:raise:{stage_id}")).startswith("Hand raised, you are #")
    await until(world, lambda: f"`#2` {mention(world.erin)}" in board(world)
                and f"`#3` {mention(world.carol)}" in board(world))

    # Roles: only VIPs may raise a hand, and a VIP is approved at once while there is room.
    await run(world, world.bob, "stage", "rules", changes="hand_mode=role hand_roles=VIP auto_approve=VIP")
    assert reply(await run(world, world.bob, "hand", "raise")) == "Hand raised, you are #3."  # fair: before carol
    assert reply(await run(world, world.bob, "hand", "lower")) == "Hand lowered."
    world.guild.members[world.alice.id].roles.append(vip.id)
    fake.dispatch("GUILD_MEMBER_UPDATE", {**world.guild.members[world.alice.id].payload(),
                                          "guild_id": str(world.guild.id)})
    guest = fake.add_member(world.guild, "gina").user
    fake.member_join_voice(world.guild, guest, world.stage)
    fake.member_request_to_speak(world.guild, guest)
    await until(world, lambda: refusal(errors.RoleRequired, roles="VIP") in dms(fake, guest))
    fake.member_request_to_speak(world.guild, world.alice)
    await until(world, lambda: not suppressed(world, world.alice))
    await run(world, world.bob, "stage", "rules", changes="hand_mode=everyone auto_approve=off queue_mode=fifo")

    # Locked hands, then a member who steps out keeps their place within the grace period.
    await run(world, world.bob, "stage", "lock")
    assert reply(await press(world, guest, f"podium:raise:{stage_id}")) == refusal(errors.HandsLocked)
    await run(world, world.bob, "stage", "unlock")
    fake.member_leave_voice(world.guild, frank)
    await until(world, lambda: "(away)" in board(world))
    fake.member_join_voice(world.guild, frank, world.stage)
    await until(world, lambda: "(away)" not in board(world) and f"`#1` {mention(frank)}" in board(world))

    # The gateway drops: the bot resumes, and what happened meanwhile is applied.
    async with fake.gateway_outage():
        fake.member_request_to_speak(world.guild, guest)
    await until(world, lambda: f"`#4` {mention(guest)}" in board(world))
    assert fake.hub.identifies == 1 and sum(s.resumes for s in fake.hub.sessions.values()) == 1

    # The bot dies in the middle of the stage; a hand is raised while it is away.
    queue_before = [line for line in board(world).splitlines() if line.startswith("`#")]
    await podium.kill()
    hank = fake.add_member(world.guild, "hank").user
    fake.member_join_voice(world.guild, hank, world.stage)
    fake.member_request_to_speak(world.guild, hank)
    await podium.start()
    await until(world, lambda: f"`#5` {mention(hank)}" in board(world))
    assert [line for line in board(world).splitlines() if line.startswith("`#")][:4] == queue_before
    assert not suppressed(world, world.alice) and mention(world.alice) in board(world).split("Queue")[0]
    assert fake.hub.identifies == 2

    # The end: speakers back to the audience, the Discord stage ended, the recap posted, the waiting told.
    closed = await run(world, world.bob, "stage", "close")
    assert reply(closed) == "Stage “Weekly AMA” has ended."
    await until(world, lambda: suppressed(world, world.alice) and world.stage.id not in world.guild.stage_instances)
    await until(world, lambda: any(m.embeds and "Recap of" in embed_text(m.embeds[0])
                                   for m in channel_posts(fake, world.stage)))
    await until(world, lambda: "The stage “Weekly AMA” has ended; your hand was lowered." in dms(fake, frank))

    assert await podium.stop() == 0
    assert all(r.acked and r.ack_delay < 3 for r in fake.interactions.records), [
        (r.data.get("name") or r.data.get("custom_id"), r.ack_delay) for r in fake.interactions.records]
    problems = [line for line in podium.output if "Traceback" in line or " ERROR " in line]
    assert problems == [], "\n".join(podium.output[-80:])


async def test_a_stage_opened_but_killed_before_its_board_went_out_gets_one_board_at_the_next_start(world, podium):
    # A kill right after `/stage open`: the stage is live and the opener was told so, but Discord refused every
    # post of its board until the kill. The next start posts it, once, and keeps it current.
    fake = world.fake
    posts = "POST /channels/{channel_id}/messages"
    await podium.once("discord", "sync", "--guild", str(world.guild.id))
    await podium.start()
    fake.fail_next(posts, status=503, times=10_000)
    opened = await run(world, world.alice, "stage", "open", title="Unboarded")
    assert reply(opened) == "Stage “Unboarded” is live."
    await until(world, lambda: len(fake.calls(posts, status=503)) >= 2)  # the board tried, and refused
    await podium.kill()
    assert board(world) == ""
    fake.clear_failures(posts)
    await podium.start()
    await until(world, lambda: "Unboarded" in board(world))
    fake.member_request_to_speak(world.guild, world.carol)
    await until(world, lambda: f"`#1` {mention(world.carol)}" in board(world))
    boards = [m for m in channel_posts(fake, world.stage) if m.embeds and "Queue" in embed_text(m.embeds[0])]
    assert len(boards) == 1
    assert await podium.stop() == 0
