"""Voice cues end to end: the real discord.py joins the fake Discord's stage, speaks to the fake voice server
(TLS voice gateway + UDP), and what arrives, decrypted and decoded, is the cue that was generated."""

from __future__ import annotations

import time
from pathlib import Path
from typing import AsyncIterator

import pytest

from adapters.discord.cues.sound import NOTES, Cue, render
from adapters.discord.service import DiscordAdapter
from bot.bootstrap import build
from tests.support.discord import Bot, make_world, reply
from tests.fakes.discord import FakeDiscord
from tests.fakes.discord import permissions as perms
from tests.fakes.discord_voice import FakeVoiceServer, make_certificate
from tests.fakes.discord_voice.audio import duration, frequency

pytestmark = pytest.mark.skipif(not __import__("discord").opus._load_default(), reason="libopus is not installed")


class VoiceBot(Bot):
    """The harness's bot, whose HTTP session trusts the fake voice server's certificate."""

    connector_factory = None

    async def start(self) -> Bot:
        self.app = build(self.settings, clock=self.clock)
        await self.app.start()
        self.adapter = DiscordAdapter(self.app, self.discord_settings, identify_delay=0.05, guild_ready_timeout=0.05,
                                      board_interval=self.board_interval)
        self.adapter.client.http.connector = self.connector_factory()  # type: ignore[misc]
        self.adapter.platform.cues.connect_timeout = 5.0  # type: ignore[union-attr]
        await self.adapter.start(wait_ready=5.0)
        await self.adapter.client.tree.sync()
        await self.settle()
        return self


@pytest.fixture
async def voice(fake_discord: FakeDiscord, tmp_path: Path) -> AsyncIterator[FakeVoiceServer]:
    async with FakeVoiceServer(make_certificate(tmp_path)) as server:
        fake_discord.voice_endpoint, fake_discord.voice_token = server.endpoint, server.token
        yield server
    assert server.violations == []


async def started(fake: FakeDiscord, voice: FakeVoiceServer, tmp_path: Path, **rules) -> Bot:
    bot = VoiceBot(fake, tmp_path / "podium.db", rules={"speaking_time_limit": 60, "warn_before": 10, **rules})
    bot.connector_factory = voice.certificate.connector  # type: ignore[assignment]
    return await bot.start()


async def give_floor(bot: Bot, world, user) -> None:
    world.fake.member_request_to_speak(world.guild, user)
    await bot.settle()
    stage_id = await bot.stage_id(world)
    picker = await bot.press(world, world.bob, f"podium:approve:{stage_id}")
    chosen = await bot.press(world, world.bob, f"podium:pick:approve:{stage_id}", message=picker.original,
                             values=[str(user.id)])
    assert "is now a speaker" in reply(chosen)


def cues(bot: Bot) -> list[Cue]:
    return [cue for _, cue in bot.adapter.platform.cues.played]  # type: ignore[union-attr]


async def test_a_speakers_warning_chime_reaches_the_stage_as_the_generated_sound(fake_discord, voice, tmp_path):
    world = make_world(fake_discord)
    bot = await started(fake_discord, voice, tmp_path, cues=True)
    try:
        await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
        await voice.wait_for_silence(since=0)
        bot_state = fake_discord.voice_state(world.guild, fake_discord.store.bot.id)
        assert bot_state.channel_id == world.stage.id and not bot_state.suppress  # a speaker on its stage
        await give_floor(bot, world, world.carol)
        await voice.wait_for_silence(since=len(voice.packets) - 1)
        mark = len(voice.packets)
        await bot.advance(50)  # 10 s left of 60: the warning
        await voice.wait_for_silence(since=mark)
        heard, made = voice.audio(mark), render(NOTES[Cue.WARNING])
        assert frequency(heard) == pytest.approx(880.0, rel=0.01)
        assert frequency(heard) == pytest.approx(frequency(made), rel=0.01)
        assert duration(heard) == pytest.approx(duration(made), abs=0.04)
        assert cues(bot)[-1] == Cue.WARNING and Cue.OPENED in cues(bot) and Cue.FLOOR in cues(bot)
        session = voice.sessions[-1]
        assert session.mode == "aead_xchacha20_poly1305_rtpsize" and session.identify["token"] == voice.token
        assert 1 in session.speaking and voice.discoveries >= 1
        await bot.command(world, world.alice, "stage", "close")
        await bot.adapter.platform.cues._lanes.drain()  # noqa: SLF001
        assert fake_discord.voice_state(world.guild, fake_discord.store.bot.id) is None  # left with the stage
    finally:
        await bot.stop()


async def test_when_a_speakers_time_is_up_the_tone_plays_and_they_are_back_in_the_audience(fake_discord, voice,
                                                                                          tmp_path):
    world = make_world(fake_discord)
    bot = await started(fake_discord, voice, tmp_path, cues=True, warn_before=0)
    try:
        await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
        await give_floor(bot, world, world.carol)
        assert not fake_discord.voice_state(world.guild, world.carol).suppress
        await voice.wait_for_silence(since=len(voice.packets) - 1)
        mark = len(voice.packets)
        await bot.advance(60)  # the whole minute: time is up
        await voice.wait_for_silence(since=mark)
        heard, made = voice.audio(mark), render(NOTES[Cue.TIME_UP])
        assert frequency(heard) == pytest.approx(440.0, rel=0.01)
        assert duration(heard) == pytest.approx(duration(made), abs=0.04)
        assert cues(bot)[-1] == Cue.TIME_UP and Cue.WARNING not in cues(bot)  # warn_before 0: no warning
        assert fake_discord.voice_state(world.guild, world.carol).suppress  # muted again by the bot
        assert (await bot.roster(world)).speakers == frozenset()
    finally:
        await bot.stop()


async def test_without_mute_members_the_bot_asks_to_speak_and_tells_the_moderators_once(fake_discord, voice,
                                                                                        tmp_path):
    world = make_world(fake_discord)
    bot = await started(fake_discord, voice, tmp_path, cues=True)
    try:
        await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
        await bot.adapter.platform.cues._lanes.drain()  # noqa: SLF001
        role = next(r for r in world.guild.roles.values() if r.name == fake_discord.store.bot.username)
        fake_discord.set_overwrite(world.stage, role.id, type=0, deny=perms.MUTE_MEMBERS)
        fake_discord.member_leave_voice(world.guild, fake_discord.store.bot.id)  # a moderator drops the bot
        await bot.settle()
        await give_floor(bot, world, world.carol)
        await give_floor(bot, world, world.dave)
        await bot.adapter.platform.cues._lanes.drain()  # noqa: SLF001
        state = fake_discord.voice_state(world.guild, fake_discord.store.bot.id)
        assert state is not None and state.suppress and state.request_to_speak_timestamp is not None
        asked = [m for m in bot.adapter.ctx.reporter.reported if "voice cues" in str(m.params.get("action"))]
        assert len(asked) == 1
        assert cues(bot) == [Cue.OPENED]  # nothing played while the bot could not speak; the stage went on
        assert (await bot.roster(world)).speakers == {str(world.carol.id), str(world.dave.id)}
    finally:
        await bot.stop()


async def test_after_the_voice_server_drops_the_bot_the_next_cue_still_arrives(fake_discord, voice, tmp_path):
    world = make_world(fake_discord)
    bot = await started(fake_discord, voice, tmp_path, cues=True)
    try:
        await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
        await voice.wait_for_silence(since=0)
        await voice.drop(4015)  # the voice server crashed: discord.py resumes
        await give_floor(bot, world, world.carol)
        mark = len(voice.packets)
        await voice.wait_for_silence(since=mark - 1, timeout=15)
        fake_discord.member_leave_voice(world.guild, fake_discord.store.bot.id)  # disconnected by a moderator
        await bot.settle()
        mark = len(voice.packets)
        await give_floor(bot, world, world.dave)
        await voice.wait_for_silence(since=mark, timeout=15)
        assert frequency(voice.audio(mark)) == pytest.approx(659.25, rel=0.01)
        assert cues(bot) == [Cue.OPENED, Cue.FLOOR, Cue.FLOOR]
        assert len(voice.sessions) >= 2
    finally:
        await bot.stop()


async def test_with_cues_off_the_bot_stays_out_of_voice(fake_discord, voice, tmp_path):
    world = make_world(fake_discord)
    bot = await started(fake_discord, voice, tmp_path)
    try:
        await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
        await give_floor(bot, world, world.carol)
        await bot.advance(50)
        await bot.adapter.platform.cues._lanes.drain()  # noqa: SLF001
        assert voice.sessions == [] and voice.packets == [] and cues(bot) == []
        assert fake_discord.voice_state(world.guild, fake_discord.store.bot.id) is None
        assert reply(await bot.command(world, world.bob, "stage", "rules", changes="cues=on")).startswith("Rules")
        await give_floor(bot, world, world.dave)
        await voice.wait_for_silence(since=0)
        assert cues(bot) == [Cue.FLOOR]
    finally:
        await bot.stop()


async def test_a_stop_while_a_cue_is_playing_leaves_the_stage_voice_within_the_bound(fake_discord, voice, tmp_path):
    """What SIGTERM does to the Discord adapter (adapters.runner): the cue under way ends, the bot leaves voice."""
    world = make_world(fake_discord)
    bot = await started(fake_discord, voice, tmp_path, cues=True)
    adapter = bot.adapter
    try:
        await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
        await voice.wait_for_silence(since=0)
        await give_floor(bot, world, world.carol)  # the floor chime starts
        assert fake_discord.voice_state(world.guild, fake_discord.store.bot.id) is not None
        began = time.monotonic()
        await bot.stop()
        assert time.monotonic() - began < 8.0  # adapters.runner.STOP_WITHIN
        assert fake_discord.voice_state(world.guild, fake_discord.store.bot.id) is None
        assert adapter is not None and not adapter.client.voice_clients
    finally:
        await bot.stop()
