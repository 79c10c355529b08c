"""Recording consent, struck segments and replays: each change in one transaction with its audit entry.

The platform that records (Discord) asks ``heard(stage)`` who may be written and is told when that changes: by an
effect written to the outbox in the change's own transaction, so a strike committed just before a crash still
takes the voice out of the replay once the bot is back. Replays are mixed in REPLAY_DIR and published to the
store (that folder, or an S3-compatible bucket), kept for REPLAY_RETENTION_DAYS and removed on request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.domain import recording
from bot.domain.members import Actor, Turn
from bot.domain.stage import Stage
from bot.i18n.markers import N_
from bot.i18n.message import Mention, Message
from bot.persistence.database import Database
from bot.persistence.outbox import SqlOutbox, outbox_t
from bot.persistence.replay_store import FolderReplayStore, ReplayStore
from bot.persistence.replay_tables import ConsentRow, ReplayRow, StrikeRow
from bot.persistence.tables import AuditRow, table_of
from bot.ports import Clock, OutboxEntry, UnitOfWork

CHANGED = "recording.changed"  # the effect: who may be heard in a space's (or a stage's) recording changed

consent_t, strike_t, replay_t, audit_t = (table_of(ConsentRow), table_of(StrikeRow), table_of(ReplayRow),
                                          table_of(AuditRow))


@dataclass(frozen=True, slots=True)
class Replay:
    id: str
    stage_id: str
    platform: str
    space_id: str
    channel_id: str
    title: str
    file: str
    bytes: int
    seconds: float
    speakers: tuple[str, ...]
    chapters: tuple[dict[str, Any], ...]
    created_at: datetime
    expires_at: datetime
    posted_channel_id: str | None = None
    posted_message_id: str | None = None


class Recordings:
    def __init__(self, *, db: Database, clock: Clock, uow: Callable[[], UnitOfWork], folder: Path,
                 retention_days: int, outbox: SqlOutbox | None = None,
                 submit: Callable[[list[OutboxEntry]], None] | None = None, store: ReplayStore | None = None
                 ) -> None:
        self._db, self._clock, self._uow = db, clock, uow
        self.folder, self.retention = folder, timedelta(days=retention_days)
        self.store: ReplayStore = store or FolderReplayStore()
        self._outbox, self._submit = outbox, submit  # the effects' store, and the dispatcher they go to

    async def handle(self, command: recording.RecordConsent | recording.StrikeVoice | recording.DeleteReplay
                     ) -> Message:
        """The bus hands recording commands here; each is stored with its audit entry before it is answered."""
        match command:
            case recording.RecordConsent():
                return await self.consent(command.platform, command.space_id, command.actor,
                                          accepted=command.accepted)
            case recording.StrikeVoice():
                return await self.strike(command.stage_id, command.actor, command.user_id)
            case recording.DeleteReplay():
                return await self.delete(command.replay_id, command.actor)
        raise TypeError(command)

    # ---- consent -----------------------------------------------------------------------------------

    async def consent(self, platform: str, space_id: str, actor: Actor, *, accepted: bool) -> Message:
        now = self._clock.now()
        self._dispatch(await self._db.run(self._write_consent, platform, space_id, actor.user_id, accepted, now))
        if accepted:
            return Message.of(N_("You accepted being recorded on stages here, until you take it back."))
        return Message.of(N_("You will not be recorded on stages here."))

    def _write_consent(self, platform: str, space_id: str, user_id: str, accepted: bool, now: datetime
                       ) -> list[OutboxEntry]:
        flavour = postgresql if self._db.dialect == "postgresql" else sqlite
        values = {"platform": platform, "space_id": space_id, "user_id": user_id, "accepted": accepted, "at": now}
        upsert = flavour.insert(consent_t).values(**values).on_conflict_do_update(
            index_elements=["platform", "space_id", "user_id"], set_={"accepted": accepted, "at": now})
        with self._db.engine.begin() as conn:
            conn.execute(upsert)
            _audit(conn, None, now, "RecordingConsentGiven" if accepted else "RecordingConsentWithdrawn",
                   user_id, user_id, {"platform": platform, "space_id": space_id})
            return self._notice(conn, platform, space_id, "", now)

    async def consented(self, platform: str, space_id: str) -> frozenset[str]:
        def read() -> frozenset[str]:
            with self._db.engine.connect() as conn:
                return frozenset(conn.execute(select(consent_t.c.user_id).where(
                    consent_t.c.platform == platform, consent_t.c.space_id == space_id,
                    consent_t.c.accepted.is_(True))).scalars())
        return await self._db.run(read)

    async def heard(self, stage_id: str) -> frozenset[str]:
        """Whose voice may be written on this stage now (empty unless it records)."""
        stage = await self._stage(stage_id)
        if not stage.rules.record:
            return frozenset()
        return recording.heard(recording=True, consented=await self.consented(stage.platform, stage.space_id),
                               struck=await self.struck(stage_id))

    # ---- strikes -----------------------------------------------------------------------------------

    async def strike(self, stage_id: str, actor: Actor, user_id: str) -> Message:
        """Leaves a member's voice out of the stage's replay (now, and in a replay already published)."""
        stage = await self._stage(stage_id)
        recording.require_may_strike(stage, actor, user_id)
        now = self._clock.now()
        self._dispatch(await self._db.run(self._write_strike, stage, actor.user_id, user_id, now))
        if actor.user_id == user_id:
            return Message.of(N_("Your voice is removed from the replay of “{title}”."), title=stage.title)
        return Message.of(N_("{member}'s voice is struck from the replay of “{title}”."),
                          member=Mention(user_id), title=stage.title)

    def _write_strike(self, stage: Stage, actor_id: str, user_id: str, now: datetime) -> list[OutboxEntry]:
        flavour = postgresql if self._db.dialect == "postgresql" else sqlite
        with self._db.engine.begin() as conn:
            conn.execute(flavour.insert(strike_t).values(stage_id=stage.id, user_id=user_id, actor_id=actor_id,
                                                         at=now).on_conflict_do_nothing())
            _audit(conn, stage.id, now, "SegmentStruck", actor_id, user_id, {})
            return self._notice(conn, stage.platform, stage.space_id, stage.id, now)

    async def struck(self, stage_id: str) -> frozenset[str]:
        def read() -> frozenset[str]:
            with self._db.engine.connect() as conn:
                return frozenset(conn.execute(select(strike_t.c.user_id).where(
                    strike_t.c.stage_id == stage_id)).scalars())
        return await self._db.run(read)

    # ---- replays -----------------------------------------------------------------------------------

    async def published(self, replay: Replay) -> Replay:
        """Keeps a replay just written in REPLAY_DIR (or written again after a strike) for the retention period:
        published to the store first, so nothing is listed that cannot be fetched."""
        await self.store.keep(replay.file, self.folder / replay.file)
        now = self._clock.now()
        kept = Replay(**{**_fields(replay), "created_at": now, "expires_at": now + self.retention})
        await self._db.run(self._write_replay, kept)
        return kept

    async def release(self, replay: Replay) -> None:
        """The replay has been posted: with a bucket, its local copy is no longer needed (the spools stay, to mix
        it again after a strike)."""
        if self.store.remote:
            await asyncio.to_thread((self.folder / replay.file).unlink, missing_ok=True)

    def _write_replay(self, replay: Replay) -> None:
        values = _fields(replay)
        values["speakers"], values["chapters"] = list(replay.speakers), list(replay.chapters)
        with self._db.engine.begin() as conn:
            existing = conn.execute(select(replay_t.c.id).where(replay_t.c.id == replay.id)).scalar()
            if existing is not None:
                conn.execute(replay_t.update().where(replay_t.c.id == replay.id).values(
                    {k: v for k, v in values.items() if k not in ("id", "created_at", "expires_at")
                     and not k.startswith("posted_")}))
            else:
                conn.execute(insert(replay_t).values(**values))
            _audit(conn, replay.stage_id, replay.created_at, "ReplayPublished", "podium", None,
                   {"bytes": replay.bytes, "seconds": round(replay.seconds, 1), "speakers": len(replay.speakers)})

    async def posted(self, replay_id: str, channel_id: str, message_id: str | None) -> None:
        def write() -> None:
            with self._db.engine.begin() as conn:
                conn.execute(replay_t.update().where(replay_t.c.id == replay_id).values(
                    posted_channel_id=channel_id, posted_message_id=message_id))
        await self._db.run(write)

    async def replay(self, replay_id: str) -> Replay:
        rows = await self._db.run(self._read_replays, replay_t.c.id == replay_id)
        if not rows:
            raise recording.ReplayNotFound(replay_id=replay_id)
        return rows[0]

    async def replays(self, platform: str, space_id: str) -> list[Replay]:
        """The space's replays still kept, newest first."""
        rows = await self._db.run(self._read_replays, (replay_t.c.platform == platform)
                                  & (replay_t.c.space_id == space_id) & (replay_t.c.expires_at > self._clock.now()))
        return sorted(rows, key=lambda r: r.created_at, reverse=True)

    def _read_replays(self, where: Any) -> list[Replay]:
        with self._db.engine.connect() as conn:
            return [Replay(**{**row._asdict(), "speakers": tuple(row.speakers), "chapters": tuple(row.chapters)})
                    for row in conn.execute(select(replay_t).where(where))]

    async def delete(self, replay_id: str, actor: Actor) -> Message:
        replay = await self.replay(replay_id)
        recording.require_may_delete(await self._stage(replay.stage_id), actor)
        await self._remove(replay, actor.user_id, "ReplayDeleted")
        return Message.of(N_("The replay of “{title}” is deleted."), title=replay.title)

    async def purge(self) -> list[str]:
        """Removes the replays past their retention; returns their ids."""
        expired = await self._db.run(self._read_replays, replay_t.c.expires_at <= self._clock.now())
        for replay in expired:
            await self._remove(replay, "podium", "ReplayExpired")
        return [replay.id for replay in expired]

    async def _remove(self, replay: Replay, actor_id: str, kind: str) -> None:
        await self.store.drop(replay.file)  # a bucket that fails keeps the row: retention tries again

        def work() -> list[OutboxEntry]:
            for path in (self.folder / replay.file, *self.sources(replay.stage_id)):
                path.unlink(missing_ok=True)
            now = self._clock.now()
            with self._db.engine.begin() as conn:
                conn.execute(delete(replay_t).where(replay_t.c.id == replay.id))
                _audit(conn, replay.stage_id, now, kind, actor_id, None, {"file": replay.file})
                return self._notice(conn, replay.platform, replay.space_id, replay.stage_id, now)
        self._dispatch(await self._db.run(work))

    def sources(self, stage_id: str) -> list[Path]:
        """The per-speaker spools a replay is mixed from, kept as long as the replay to mix it again."""
        folder = self.folder / "sources" / stage_id
        return sorted(folder.glob("*")) if folder.exists() else []

    # ---- the timeline --------------------------------------------------------------------------------

    async def timeline(self, stage_id: str) -> list[Turn]:
        """Who had the floor when, from the audit log: the chapters of a recap where there is no audio."""
        def read() -> list[Any]:
            with self._db.engine.connect() as conn:
                return list(conn.execute(select(audit_t.c.at, audit_t.c.kind, audit_t.c.target_id).where(
                    audit_t.c.stage_id == stage_id, audit_t.c.kind.in_(
                        ("StageOpened", "SpeakerApproved", "SpeakerMovedToAudience", "StageClosed")))
                    .order_by(audit_t.c.id)))
        rows = await self._db.run(read)
        opened = next((row.at for row in rows if row.kind == "StageOpened"), None)
        if opened is None:
            return []
        turns: list[Turn] = []
        since: dict[str, datetime] = {}
        for row in rows:
            if row.kind == "SpeakerApproved" and row.target_id:
                since.setdefault(row.target_id, row.at)
            elif row.kind == "SpeakerMovedToAudience" and row.target_id in since:
                start = since.pop(row.target_id)
                turns.append(_turn(row.target_id, opened, start, row.at))
            elif row.kind == "StageClosed":
                for user_id, start in since.items():
                    turns.append(_turn(user_id, opened, start, row.at))
                since = {}
        return sorted(turns, key=lambda t: (t.start, t.user_id))

    # ---- internals -----------------------------------------------------------------------------------

    async def _stage(self, stage_id: str) -> Stage:
        async with self._uow() as uow:
            return await uow.stages.get(stage_id)

    def _notice(self, conn: Connection, platform: str, space_id: str, stage_id: str, now: datetime
                ) -> list[OutboxEntry]:
        """The platform's notice that who may be heard changed (in a space: a consent; on a stage: a strike, a
        deletion), written in the change's transaction. One stream per space keeps the notices in order; its lock,
        held to the commit, gives each notice the next position even when processes write at the same moment."""
        if self._outbox is None:
            return []
        stream = f"recording:{platform}:{space_id}"
        self._db.hold(conn, stream)
        last = conn.execute(select(func.max(outbox_t.c.position)).where(outbox_t.c.stream == stream)).scalar()
        entries = [OutboxEntry(stream, (last or 0) + 1, platform, CHANGED,
                               {"space_id": space_id, "stage_id": stage_id})]
        self._outbox.write(conn, entries, now)
        return entries

    def _dispatch(self, entries: list[OutboxEntry]) -> None:
        if entries and self._submit is not None:
            self._submit(entries)


def _turn(user_id: str, opened: datetime, start: datetime, end: datetime) -> Turn:
    return Turn(user_id, round((start - opened).total_seconds(), 1),
                          round(max(0.0, (end - start).total_seconds()), 1))


def _fields(replay: Replay) -> dict[str, Any]:
    return {name: getattr(replay, name) for name in Replay.__dataclass_fields__}


def _audit(conn: Connection, stage_id: str | None, at: datetime, kind: str, actor_id: str, target_id: str | None,
           data: dict[str, Any]) -> None:
    conn.execute(insert(audit_t).values(stage_id=stage_id, schedule_id=None, at=at, kind=kind, actor_id=actor_id,
                                        target_id=target_id, reason="", data=data))
