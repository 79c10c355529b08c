"""A recorded Discord stage, end to end: the real discord.py listens on the fake voice server, where members send
Opus over RTP sealed as Discord seals it; the replay Podium writes is decoded and measured like a listener would.

Carol accepted recording, Dave did not. Carol's tone comes back at its times and pitch; where Dave spoke there is
silence, and no byte of his audio is anywhere on disk. Lost, swapped packets and a full voice reconnect in the
middle are survived.
"""

from __future__ import annotations

import asyncio
import struct
from pathlib import Path

import numpy as np
import pytest
from mutagen.ogg import OggPage
from mutagen.oggopus import OggOpus

from bot.domain import commands as c
from bot.domain.members import Actor
from tests.support.recording import RecordingBot
from tests.support.discord import Bot, channel_posts, dms, make_world, reply, voice  # noqa: F401 - fixture
from tests.fakes.discord_voice.audio import frequency

pytestmark = pytest.mark.skipif(not __import__("discord").opus._load_default(), reason="libopus is not installed")

RATE = 48_000


def tone(hz: float, seconds: float) -> bytes:
    t = np.arange(int(seconds * RATE)) / RATE
    fade = np.minimum(1.0, np.minimum(t, seconds - t) / 0.01)
    samples = (0.4 * 32767 * fade * np.sin(2 * np.pi * hz * t)).astype("<i2")
    return np.repeat(samples, 2).tobytes()


def decode(path: Path) -> tuple[np.ndarray, dict[str, list[str]]]:
    """The replay as a listener's player reads it: pages (CRCs checked by mutagen re-writing each one), packets,
    libopus, the pre-skip dropped. Returns the left channel and the comments."""
    from discord.opus import Decoder

    raw, pages = path.read_bytes(), []
    with path.open("rb") as file:
        while file.tell() < len(raw):
            pages.append(OggPage(file))
    offset = 0
    for page in pages:
        assert raw[offset:offset + len(page.write())] == page.write()  # same bytes, same CRC
        offset += len(page.write())
    assert pages[0].first and pages[-1].last
    packets = OggPage.to_packets(pages)
    pre_skip = struct.unpack_from("<H", packets[0], 10)[0]
    decoder = Decoder()
    pcm = b"".join(decoder.decode(packet) for packet in packets[2:])
    samples = np.frombuffer(pcm, dtype="<i2")[0::2][pre_skip:pages[-1].position - pre_skip + pre_skip]
    return samples, {k.upper(): v for k, v in OggOpus(str(path)).tags.as_dict().items()}


def loud_spans(samples: np.ndarray, *, floor: float = 2000.0) -> list[tuple[float, float]]:
    """Seconds where the signal is loud, in 10 ms windows, gaps under 100 ms joined."""
    window = RATE // 100
    loud = [i for i in range(0, len(samples) - window, window) if np.abs(samples[i:i + window]).max() > floor]
    spans: list[list[int]] = []
    for i in loud:
        if spans and i - spans[-1][1] <= RATE // 10:
            spans[-1][1] = i + window
        else:
            spans.append([i, i + window])
    return [(a / RATE, b / RATE) for a, b in spans]


async def give_floor(bot: Bot, world, user) -> None:  # type: ignore[no-untyped-def]
    world.fake.member_request_to_speak(world.guild, user)
    await bot.settle()
    stage_id = await bot.stage_id(world)
    picker = await bot.press(world, world.bob, f"podium:approve:{stage_id}")
    chosen = await bot.press(world, world.bob, f"podium:pick:approve:{stage_id}", message=picker.original,
                             values=[str(user.id)])
    assert "is now a speaker" in reply(chosen)


async def until(check, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_the_replay_holds_the_consenting_speaker_only_at_the_right_times(fake_discord, voice, tmp_path,
                                                                               discord_errors):
    world = make_world(fake_discord)
    bot = RecordingBot(fake_discord, tmp_path / "podium.db", rules={"speaking_time_limit": 0})
    bot.connector_factory, bot.replay_dir = voice.certificate.connector, tmp_path / "replays"
    await bot.start()
    try:
        await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
        stage_id = await bot.stage_id(world)
        assert reply(await bot.command(world, world.bob, "stage", "record", recording=True)).startswith("Rules")
        await bot.settle()
        accepted = await bot.press(world, world.carol, "podium:consent:on")  # the board's button
        assert reply(accepted).startswith("You accepted being recorded")
        recorder = bot.adapter.platform.recorder
        await until(lambda: stage_id in recorder.sessions and voice.current() is not None
                    and voice.current().address is not None)
        state = fake_discord.voice_state(world.guild, fake_discord.store.bot.id)
        assert state.channel_id == world.stage.id and not state.self_deaf  # listening, not deafened
        session = recorder.sessions[stage_id]
        await until(lambda: str(world.carol.id) in session.gate.allowed)

        floor_at = asyncio.get_running_loop().time() - session.capture.started
        await give_floor(bot, world, world.carol)
        first_at = await voice.speak(world.carol.id, tone(440.0, 1.2), lose={12, 30, 31}, swap={20, 45}) \
            - session.capture.started
        sessions = len(voice.sessions)
        await voice.drop(4006)  # the voice session is no longer valid
        await bot.command(world, world.alice, "stage", "topic", topic="Replays")  # the stage goes on meanwhile
        await until(lambda: len(voice.sessions) > sessions and voice.current() is not None, timeout=15)
        assert len(voice._keys) == 2  # noqa: SLF001  (a new session, with a key of its own)
        second_at = await voice.speak(world.carol.id, tone(440.0, 1.0)) - session.capture.started
        moderator = Actor(str(world.bob.id), platform_moderator=True)
        await bot.app.bus.handle(c.MoveToAudience(actor=moderator, stage_id=stage_id, user_id=str(world.carol.id)))
        await bot.settle()

        await give_floor(bot, world, world.dave)
        dave_at = await voice.speak(world.dave.id, tone(660.0, 1.2)) - session.capture.started
        await asyncio.sleep(0.3)
        await bot.command(world, world.alice, "stage", "close")
        await until(lambda: recorder.published, timeout=20)

        replay = recorder.published[-1]
        samples, tags = decode(bot.replay_dir / replay.file)
        spans = loud_spans(samples)
        assert len(spans) == 2, spans
        for (start, end), (at, seconds) in zip(spans, [(first_at, 1.2), (second_at, 1.0)]):
            assert start == pytest.approx(at, abs=0.1) and end - start == pytest.approx(seconds, abs=0.1)
            part = samples[int(start * RATE) + 2400:int(end * RATE) - 2400]
            assert frequency(np.repeat(part, 2).astype("<i2").tobytes()) == pytest.approx(440.0, rel=0.01)
        dave = samples[int(dave_at * RATE):int((dave_at + 1.2) * RATE)]
        assert np.abs(dave).max() < 50  # silence where Dave spoke
        assert tags["TITLE"] == ["Weekly AMA"] and tags["ARTIST"] == ["Carol"]
        assert tags["CHAPTER001NAME"] == ["Carol"] and "CHAPTER002" not in tags
        chapter = tags["CHAPTER001"][0]
        h, m, s = chapter.split(":")
        assert floor_at - 0.1 <= float(s) + 60 * int(m) <= first_at + 0.1  # from when she was given the floor
        # Nothing of Dave's was written: none of his Opus frames is in any file Podium wrote.
        dave_frames = [f for f in voice.members[world.dave.id].frames if len(f) > 8]
        assert dave_frames and voice.members[world.carol.id].lost == 3
        written = [p.read_bytes() for p in bot.replay_dir.rglob("*") if p.is_file()]
        assert written and not any(frame in blob for frame in dave_frames for blob in written)
        assert not any(str(world.dave.id) in p.name for p in bot.replay_dir.rglob("*"))
        assert session.capture.refused.get(str(world.dave.id), 0) > 0
        # Told where they stand: the stage's chat when recording began, each speaker when given the floor.
        assert any("is being recorded. Only members who accept" in m.content
                   for m in channel_posts(fake_discord, world.stage))
        assert any("you accepted: your voice is in the replay" in text for text in dms(fake_discord, world.carol))
        assert any("you are not heard in the replay unless you accept" in text
                   for text in dms(fake_discord, world.dave))
        # Linked from the recap: attached where the stage was, the very bytes of the file.
        posts = [m for m in fake_discord.store.messages.values() if m.attachments]
        assert len(posts) == 1 and posts[0].channel_id == world.stage.id
        assert fake_discord.store.uploads[int(posts[0].attachments[0]["id"])] == (bot.replay_dir / replay.file).read_bytes()
        first_post = posts[0].id

        # Carol asks for her voice to be removed (`/record remove ID`, by the start of the id): the replay is
        # mixed again without her, and posted again.
        removed = await bot.command(world, world.carol, "record", "remove", replay=stage_id[:6])
        assert reply(removed).startswith("Your voice is removed"), reply(removed)
        await until(lambda: len(recorder.published) == 2, timeout=20)
        await recorder.lanes.drain()
        samples, tags = decode(bot.replay_dir / replay.file)
        assert np.abs(samples).max() < 50 and "CHAPTER001" not in tags and "ARTIST" not in tags
        carol_frames = [f for f in voice.members[world.carol.id].frames if len(f) > 8]
        written = [p.read_bytes() for p in bot.replay_dir.rglob("*") if p.is_file()]
        assert not any(frame in blob for frame in carol_frames for blob in written)  # her voice left the disk
        posts = [m for m in fake_discord.store.messages.values() if m.attachments]
        assert len(posts) == 1 and posts[0].id != first_post and first_post not in fake_discord.store.messages
    finally:
        await bot.stop()
        # discord.py logs its own reconnect attempts after the 4006 at ERROR: expected here, and nothing else.
        discord_errors[:] = [r for r in discord_errors if not r.getMessage().startswith("Disconnected from voice")]


async def test_what_is_said_while_a_moderator_moved_the_bot_away_is_not_recorded(fake_discord, voice, tmp_path,
                                                                                  discord_errors):
    world = make_world(fake_discord)
    lobby = fake_discord.add_voice_channel(world.guild, "lobby")
    bot = RecordingBot(fake_discord, tmp_path / "podium.db", rules={"speaking_time_limit": 0})
    bot.connector_factory, bot.replay_dir = voice.certificate.connector, tmp_path / "replays"
    await bot.start()
    try:
        await bot.command(world, world.alice, "stage", "open", title="Weekly AMA")
        stage_id = await bot.stage_id(world)
        await bot.command(world, world.bob, "stage", "rules", changes="record=on")
        await bot.settle()
        await bot.press(world, world.carol, "podium:consent:on")
        recorder = bot.adapter.platform.recorder
        await until(lambda: stage_id in recorder.sessions and voice.current() is not None
                    and str(world.carol.id) in recorder.sessions[stage_id].gate.allowed)
        session = recorder.sessions[stage_id]
        await give_floor(bot, world, world.carol)
        bot_id = fake_discord.store.bot.id
        fake_discord.member_join_voice(world.guild, bot_id, lobby)  # a moderator drags the bot out
        await voice.drop(4014)  # as Discord's voice server does for a client moved elsewhere
        await until(lambda: bot.adapter.client.get_guild(world.guild.id).voice_client is None
                    or bot.adapter.client.get_guild(world.guild.id).voice_client.channel.id == lobby.id)
        away = await voice.speak(world.carol.id, tone(440.0, 0.8)) - session.capture.started
        await until(lambda: getattr(fake_discord.voice_state(world.guild, bot_id), "channel_id", None) == world.stage.id,
                    timeout=20)
        await until(lambda: voice.current() is not None, timeout=15)
        back = await voice.speak(world.carol.id, tone(440.0, 0.8)) - session.capture.started
        await asyncio.sleep(0.2)
        await bot.command(world, world.alice, "stage", "close")
        await until(lambda: recorder.published, timeout=20)
        samples, _ = decode(bot.replay_dir / recorder.published[-1].file)
        spans = loud_spans(samples)
        assert len(spans) == 1 and spans[0][0] == pytest.approx(back, abs=0.1), (spans, away, back)
    finally:
        await bot.stop()
        discord_errors[:] = [r for r in discord_errors if not r.getMessage().startswith("Disconnected from voice")]
