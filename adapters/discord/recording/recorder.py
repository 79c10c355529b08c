"""Records the Discord stages whose ``record`` rule is on, and publishes their replay when they close.

The platform shows it every board (``follow``), every voice-state change (``voice_state``: a member given or
taken the floor is a chapter's edge) and the close (``closed``). The core says whose voice may be written
(``Recordings.heard``) and when that changes (a consent, a strike); the capture's gate follows it. At close the
spools are mixed in a worker thread and the replay is kept by the core, then posted (publish.py). A strike or a
removal after that mixes the replay again from the spools, kept as long as the replay.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import discord

from adapters.discord.recording.capture import RATE, Capture, Gate
from adapters.discord.recording.publish import post
from bot.i18n.markers import N_
from bot.i18n.message import Message
from bot.ports import StagePlatform, StageRef
from bot.services.board import Board
from bot.services.dispatch import Dispatcher
from bot.services.recordings import Recordings, Replay

if TYPE_CHECKING:
    from adapters.discord.context import Context
    from adapters.discord.recording.client import Sink


class Joiner(Protocol):
    """What joins the stage's voice channel for the recorder (the cue player, which owns the connection)."""

    enabled: bool

    def listen(self, ref: StageRef, sink: Sink | None) -> None: ...

log = logging.getLogger(__name__)


@dataclass
class Session:
    ref: StageRef
    capture: Capture
    gate: Gate
    recording: bool = True
    watch: asyncio.Task[None] | None = None
    turns: list[list[object]] = field(default_factory=list)  # [user_id, start, end or None] in samples
    names: dict[str, str] = field(default_factory=dict)


class Recorder:
    def __init__(self, ctx: Context, cues: Joiner, recordings: Recordings, platform: StagePlatform, *,
                 watch_every: float = 1.0) -> None:
        self._ctx, self._cues, self._recordings, self._platform = ctx, cues, recordings, platform
        self.watch_every = watch_every
        self.sessions: dict[str, Session] = {}
        self.lanes = Dispatcher()
        self.published: list[Replay] = []  # newest last: tests and operators' logs read it

    # ---- what the platform shows it --------------------------------------------------------------

    def follow(self, board: Board) -> None:
        ref, record = board.ref, board.rules.record and board.state == "live"
        session = self.sessions.get(ref.stage_id)
        if session is None:
            if not record:
                return
            if not self._cues.enabled:
                log.warning("stage %s asks to be recorded but libopus is missing", ref.stage_id)
                return
            gate = Gate()
            capture = Capture(self._recordings.folder / "sources" / ref.stage_id, gate)
            session = self.sessions[ref.stage_id] = Session(ref, capture, gate)
            self._cues.listen(ref, capture)
            self._refresh(ref.stage_id)
            session.watch = asyncio.create_task(self._watch(session), name=f"recording:{ref.stage_id}")
        elif session.recording != record:
            session.recording = record
            self._refresh(ref.stage_id)
            if record:
                self._cues.listen(ref, session.capture)

    async def _watch(self, session: Session) -> None:
        """A lost voice connection (the voice server went away, discord.py could not resume, the bot was moved
        or disconnected) is joined again, with a new session and key; the capture goes on where it was."""
        lost = 0
        while True:
            await asyncio.sleep(self.watch_every)
            lost = lost + 1 if session.recording and not self._connected(session.ref) else 0
            if lost == 2:  # discord.py had its own second to resume
                log.info("stage %s: voice connection lost while recording; joining again", session.ref.stage_id)
                self._cues.listen(session.ref, session.capture)
                lost = 0

    def _connected(self, ref: StageRef) -> bool:
        guild = self._ctx.client.get_guild(int(ref.space_id))
        voice = guild.voice_client if guild is not None else None
        return (isinstance(voice, discord.VoiceClient) and voice.is_connected()
                and getattr(voice.channel, "id", None) == int(ref.channel_id))

    def voice_state(self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState) -> None:
        """A member unsuppressed in a recorded stage starts a turn; suppressed or gone, it ends."""
        for session in self.sessions.values():
            channel_id = int(session.ref.channel_id)
            if member.id == getattr(self._ctx.client.user, "id", None):
                continue
            was = before.channel is not None and before.channel.id == channel_id and not before.suppress
            now = after.channel is not None and after.channel.id == channel_id and not after.suppress
            user_id = str(member.id)
            session.names[user_id] = member.display_name
            if now and not was:
                session.turns.append([user_id, session.capture.position(), None])
            elif was and not now:
                for turn in reversed(session.turns):
                    if turn[0] == user_id and turn[2] is None:
                        turn[2] = session.capture.position()
                        break
            if after.channel is None or after.channel.id != channel_id:
                session.capture.forget(user_id)

    async def announce(self, ref: StageRef) -> None:
        """The stage's chat is told it is recorded from now (an effect of the change, from the outbox); not where
        the bot cannot record (no libopus), which the operator's log says."""
        if self._cues.enabled:
            locale = await self._ctx.app.locales.for_space(ref.platform, ref.space_id)
            await self._platform.announce(ref, Message.of(N_(
                "🔴 “{title}” is being recorded. Only members who accept are heard in the replay "
                "(the board's “Accept being recorded” button, or /record consent on); everyone else is left out."),
                title=ref.title), locale)

    async def notice(self, ref: StageRef, user_id: str, *, speaking: bool) -> None:
        """Whoever joins a recorded stage, or is given the floor there, learns it and where they stand (an effect
        of the command that joined or approved them, from the outbox); not where the bot cannot record."""
        if self._cues.enabled:
            accepted = user_id in await self._recordings.consented(ref.platform, ref.space_id)
            if accepted:
                message = Message.of(N_("🔴 “{title}” is being recorded and you accepted: your voice is in the "
                                        "replay. The board's “Don't record me” button (or /record consent off) takes "
                                        "it back."), title=ref.title)
            elif speaking:
                message = Message.of(N_("🔴 You have the floor on “{title}”, which is being recorded: you are not "
                                        "heard in the replay unless you accept with the board's button (or /record "
                                        "consent on)."),
                                     title=ref.title)
            else:
                message = Message.of(N_("🔴 “{title}” is being recorded. If you speak, you are heard in the replay "
                                        "only once you accept with the board's button (or /record consent on)."),
                                     title=ref.title)
            locale = await self._ctx.app.locales.for_member(ref.platform, ref.space_id, user_id)
            await self._platform.notify(ref, user_id, message, locale)

    def closed(self, board: Board) -> None:
        session = self.sessions.pop(board.ref.stage_id, None)
        if session is None:
            return
        if session.watch is not None:
            session.watch.cancel()
        length = session.capture.close()  # no packet is taken after this line
        self._cues.listen(board.ref, None)
        self.lanes.submit(board.ref.stage_id, lambda: self._finish(session, length))

    async def close(self) -> None:
        for session in self.sessions.values():
            if session.watch is not None:
                session.watch.cancel()
        await self.lanes.close()

    # ---- the core's changes ------------------------------------------------------------------------

    def _refresh(self, stage_id: str) -> None:
        self.lanes.submit(stage_id, lambda: self._refresh_now(stage_id))

    async def _refresh_now(self, stage_id: str) -> None:
        session = self.sessions.get(stage_id)
        if session is not None:
            session.gate.allowed = await self._recordings.heard(stage_id) if session.recording else frozenset()

    async def changed(self, space_id: str, stage_id: str) -> None:
        """The core's notice, delivered from the outbox, that who may be heard changed in a space (a consent:
        `stage_id` is empty) or on a stage (a strike, a deletion). Returns once the live captures follow it and
        a replay already published is mixed again, so the notice is marked done only then."""
        waits = [self._in_lane(session.ref.stage_id, functools.partial(self._refresh_now, session.ref.stage_id))
                 for session in list(self.sessions.values())
                 if session.ref.space_id == space_id and stage_id in ("", session.ref.stage_id)]
        if stage_id and stage_id not in self.sessions:
            waits.append(self._in_lane(stage_id, functools.partial(self._remix, stage_id)))
        await asyncio.gather(*waits)

    def _in_lane(self, stage_id: str, job: Callable[[], Awaitable[None]]) -> asyncio.Future[None]:
        """Runs a job in the stage's lane, after what is already there; the future says when it ran."""
        ran: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def run() -> None:
            try:
                await job()  # a failure is logged by the lanes, like any other platform work
            finally:
                if not ran.done():
                    ran.set_result(None)
        self.lanes.submit(stage_id, run)
        return ran

    # ---- the replay --------------------------------------------------------------------------------

    async def _finish(self, session: Session, length: int) -> None:
        ref = session.ref
        struck = await self._recordings.struck(ref.stage_id)
        voices = [user_id for user_id in session.capture.tracks if user_id not in struck]
        turns = [(str(user), int(start), int(end) if end is not None else length)  # type: ignore[call-overload]
                 for user, start, end in session.turns]
        chapters = [{"user_id": user, "start": start, "end": end, "name": session.names.get(user, user)}
                    for user, start, end in sorted(turns, key=lambda t: t[1]) if user in voices]
        replay = Replay(id=ref.stage_id, stage_id=ref.stage_id, platform=ref.platform, space_id=ref.space_id,
                        channel_id=ref.channel_id, title=ref.title, file=f"{ref.stage_id}.ogg", bytes=0,
                        seconds=length / RATE, speakers=tuple(sorted(voices)), chapters=tuple(chapters),
                        created_at=self._ctx.app.clock.now(), expires_at=self._ctx.app.clock.now())
        await self._write(replay, struck, post_it=True)

    async def _remix(self, stage_id: str) -> None:
        try:
            replay = await self._recordings.replay(stage_id)
        except Exception:
            return  # no replay (yet, or any more): the strike is applied when it is mixed
        await self._write(replay, await self._recordings.struck(stage_id), post_it=replay.posted_message_id is not None)

    async def _write(self, replay: Replay, struck: frozenset[str], *, post_it: bool) -> None:
        from adapters.discord.recording.mixdown import mixdown  # numpy and mutagen load with the first replay
        from adapters.discord.recording.oggopus import Chapter

        folder = self._recordings.folder
        sources = [path for path in self._recordings.sources(replay.stage_id) if path.suffix == ".spool"]
        for path in sources:
            if path.stem in struck:  # a strike is for good: the voice leaves the disk, not only the mix
                path.unlink(missing_ok=True)
        tracks = {path.stem: path for path in sources if path.stem not in struck}
        chapters = [c for c in replay.chapters if c["user_id"] not in struck]
        names = {c["user_id"]: c["name"] for c in chapters}
        tags = [("TITLE", replay.title), ("DATE", replay.created_at.date().isoformat()),
                *(("ARTIST", names.get(user, user)) for user in sorted(tracks))]
        mixed = await asyncio.to_thread(
            mixdown, tracks, folder / replay.file, length=round(replay.seconds * RATE), tags=tags,
            chapters=[Chapter(c["start"], c["name"]) for c in chapters])
        kept = await self._recordings.published(Replay(**{
            **{name: getattr(replay, name) for name in Replay.__dataclass_fields__},
            "bytes": mixed.bytes, "speakers": tuple(sorted(tracks)), "chapters": tuple(chapters)}))
        if post_it:
            await post(self._ctx, kept, folder / kept.file)  # then drops the local copy when kept in a bucket
        else:
            await self._recordings.release(kept)
        self.published.append(kept)  # once posted: what follows a replay (tests, logs) sees it whole
