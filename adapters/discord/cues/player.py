"""The bot plays cues on a stage: it joins the stage channel, becomes a speaker, plays the sound, leaves at close.

Everything runs in a per-server background lane, so the core never waits on voice. A connection that fails is
logged and reported to the moderators once per stage; the stage goes on. Without the Mute Members permission the
bot cannot unsuppress itself: it requests to speak instead, tells the moderators once, and stays quiet until a
moderator brings it up. discord.py reconnects a dropped voice session itself; a bot found out of voice joins
again at the next cue. A stage being recorded (recording/) is joined undeafened with a listening client, and
whoever listens there is attached again after any new connection.
"""

from __future__ import annotations

import asyncio
import io
import logging

import discord

from adapters.discord.context import Context
from adapters.discord.cues.sound import Cue, library
from adapters.discord.recording.client import ListeningVoiceClient, Sink
from adapters.discord.settings import DiscordSettings
from bot.i18n.markers import N_
from bot.i18n.message import Message
from bot.ports import StageRef
from bot.services.dispatch import Dispatcher

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0


def opus_available() -> bool:
    """libopus loads (Debian: libopus0); without it discord.py cannot encode and cues are off."""
    return discord.opus.is_loaded() or discord.opus._load_default()


def cue_files(settings: DiscordSettings) -> dict[Cue, tuple[str, object]]:
    return {Cue.OPENED: ("CUE_OPENED_WAV", settings.cue_opened_wav),
            Cue.FLOOR: ("CUE_FLOOR_WAV", settings.cue_floor_wav),
            Cue.WARNING: ("CUE_WARNING_WAV", settings.cue_warning_wav),
            Cue.TIME_UP: ("CUE_TIME_UP_WAV", settings.cue_time_up_wav)}


class CuePlayer:
    def __init__(self, ctx: Context, sounds: dict[Cue, bytes], *, enabled: bool = True,
                 connect_timeout: float = CONNECT_TIMEOUT) -> None:
        self._ctx, self._sounds, self.enabled = ctx, sounds, enabled
        self.connect_timeout = connect_timeout
        self._lanes = Dispatcher()
        self._reported: set[tuple[str, str]] = set()  # (stage, what): each failure is told once per stage
        self.played: list[tuple[str, Cue]] = []  # (stage, cue), newest last: operators' logs and tests read it
        self.sinks: dict[int, Sink] = {}  # stage channel -> what records it

    @classmethod
    def build(cls, ctx: Context, settings: DiscordSettings) -> CuePlayer:
        """Reads the configured WAV files now, so a bad one stops the start-up (CueFileError)."""
        sounds = library(cue_files(settings))  # type: ignore[arg-type]
        enabled = opus_available()
        if not enabled:
            log.warning("libopus is not installed (Debian: apt-get install libopus0): voice cues are disabled")
        return cls(ctx, sounds, enabled=enabled)

    def play(self, ref: StageRef, cue: Cue) -> None:
        if self.enabled:
            self._lanes.submit(f"cues:{ref.space_id}", lambda: self._play(ref, cue))

    def leave(self, ref: StageRef) -> None:
        self.sinks.pop(int(ref.channel_id), None)
        self._lanes.submit(f"cues:{ref.space_id}", lambda: self._leave(ref))

    def listen(self, ref: StageRef, sink: Sink | None) -> None:
        """Joins the stage to record it into ``sink`` (None: stops listening, stays for the cues)."""
        channel_id = int(ref.channel_id)
        if sink is None:
            self.sinks.pop(channel_id, None)
        else:
            self.sinks[channel_id] = sink
        self._lanes.submit(f"cues:{ref.space_id}", lambda: self._attach(ref))

    async def _attach(self, ref: StageRef) -> None:
        voice = await self._join(ref)
        if isinstance(voice, ListeningVoiceClient) and int(ref.channel_id) not in self.sinks:
            voice.stop_listening()

    async def close(self) -> None:
        await self._lanes.close()
        for voice in list(self._ctx.client.voice_clients):
            await voice.disconnect(force=True)

    async def _play(self, ref: StageRef, cue: Cue) -> None:
        voice = await self._join(ref)
        if voice is None or not await self._speak(ref, voice):
            return
        done = asyncio.Event()
        loop = asyncio.get_running_loop()

        def after(error: Exception | None) -> None:  # called from discord.py's player thread
            if error is not None:
                log.warning("cue %s on stage %s stopped: %r", cue, ref.stage_id, error)
            loop.call_soon_threadsafe(done.set)

        if voice.is_playing():
            voice.stop()
        voice.play(discord.PCMAudio(io.BytesIO(self._sounds[cue])), after=after)
        await done.wait()
        self.played.append((ref.stage_id, cue))

    async def _join(self, ref: StageRef) -> discord.VoiceClient | None:
        guild = self._ctx.client.get_guild(int(ref.space_id))
        channel = guild.get_channel(int(ref.channel_id)) if guild is not None else None
        if guild is None or not isinstance(channel, discord.StageChannel):
            return None
        voice = guild.voice_client
        sink = self.sinks.get(channel.id)
        try:
            if isinstance(voice, discord.VoiceClient) and voice.is_connected():
                deaf = guild.me.voice is not None and guild.me.voice.self_deaf
                if sink is None or (isinstance(voice, ListeningVoiceClient) and not deaf):
                    if voice.channel != channel:
                        await voice.move_to(channel)
                    return self._attached(voice, channel.id)
            if voice is not None:
                await voice.disconnect(force=True)
            # A deafened client is sent no audio: only a stage being recorded is joined with ears open.
            voice = await channel.connect(timeout=self.connect_timeout, reconnect=True, self_deaf=sink is None,
                                          cls=ListeningVoiceClient)
            return self._attached(voice, channel.id)
        except (TimeoutError, discord.ClientException, discord.HTTPException, OSError) as error:
            log.warning("stage %s: could not join %s for voice cues: %r", ref.stage_id, ref.channel_id, error)
            with_voice = guild.voice_client
            if with_voice is not None:
                await with_voice.disconnect(force=True)
            await self._once(ref, "join", Message.of(N_("join {channel} to play voice cues"),
                                                     channel=f"<#{ref.channel_id}>"), error)
            return None

    def _attached(self, voice: discord.VoiceClient, channel_id: int) -> discord.VoiceClient:
        sink = self.sinks.get(channel_id)
        if isinstance(voice, ListeningVoiceClient) and sink is not None and voice.listening_to is not sink:
            voice.listen(sink, channel_id)
        return voice

    async def _speak(self, ref: StageRef, voice: discord.VoiceClient) -> bool:
        """Unsuppresses the bot (needs Mute Members); without it, requests to speak and says so once."""
        me = voice.guild.me
        if me.voice is not None and not me.voice.suppress:
            return True
        http, guild_id = self._ctx.client.http, voice.guild.id
        try:
            await http.edit_my_voice_state(guild_id, {"channel_id": ref.channel_id, "suppress": False})
            return True
        except discord.Forbidden as error:
            if me.voice is None or me.voice.requested_to_speak_at is None:
                now = discord.utils.utcnow().isoformat()
                try:
                    await http.edit_my_voice_state(guild_id, {"channel_id": ref.channel_id,
                                                              "request_to_speak_timestamp": now})
                except discord.HTTPException as refused:
                    log.info("stage %s: the bot could not request to speak either: %r", ref.stage_id, refused)
            await self._once(ref, "speak", Message.of(N_(
                "speak in {channel} for voice cues; I asked to speak, a moderator can bring me up"),
                channel=f"<#{ref.channel_id}>"), error)
        except (discord.HTTPException, OSError) as error:
            await self._once(ref, "speak", Message.of(N_(
                "speak in {channel} for voice cues; I asked to speak, a moderator can bring me up"),
                channel=f"<#{ref.channel_id}>"), error)
        return False

    async def _leave(self, ref: StageRef) -> None:
        self._reported = {seen for seen in self._reported if seen[0] != ref.stage_id}
        guild = self._ctx.client.get_guild(int(ref.space_id))
        voice = guild.voice_client if guild is not None else None
        if voice is not None and getattr(voice.channel, "id", None) == int(ref.channel_id):
            await voice.disconnect(force=False)

    async def _once(self, ref: StageRef, what: str, action: Message, error: BaseException) -> None:
        if (ref.stage_id, what) not in self._reported:
            self._reported.add((ref.stage_id, what))
            await self._ctx.reporter.report(ref, action, error)
