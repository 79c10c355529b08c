"""Links on a stage: a moderator adds or removes one in one transaction with its audit entry and the board's
refresh (the outbox); the board and the recap show them, numbered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from bot.domain import errors
from bot.domain.access import require_moderator
from bot.domain.links import MAX_LINKS, AddLink, Link, NoSuchLink, RemoveLink, TooManyLinks, checked
from bot.i18n.markers import N_
from bot.i18n.message import Message
from bot.persistence.community_tables import LinkRow
from bot.persistence.database import Database
from bot.persistence.tables import AuditRow, table_of
from bot.ports import Clock, OutboxEntry, UnitOfWork
from bot.services.community import Outbox

link_t, audit_t = table_of(LinkRow), table_of(AuditRow)


class Links:
    def __init__(self, *, db: Database, clock: Clock, uow: Callable[[], UnitOfWork], outbox: Outbox) -> None:
        self._db, self._clock, self._uow, self._outbox = db, clock, uow, outbox

    async def handle(self, command: AddLink | RemoveLink) -> Message:
        async with self._uow() as uow:
            stage = await uow.stages.get(command.stage_id)
        stage.require_live()
        require_moderator(stage, command.actor)
        match command:
            case AddLink():
                url, label = checked(command.url, command.label)
                number = await self._write(self._add, command, stage.platform, url, label)
                return Message.of(N_("Link #{number} added to the board."), number=number)
            case RemoveLink():
                await self._write(self._remove, command, stage.platform)
                return Message.of(N_("Link #{number} removed."), number=command.number)
        raise TypeError(command)

    async def _write(self, work: Callable[..., int], command: Any, platform: str, *args: Any) -> int:
        for attempt in range(3):
            try:
                number, effects = await self._db.run(self._transaction, work, command, platform, *args)
                break
            except IntegrityError:  # two moderators took the same number at once: the second takes the next
                if attempt == 2:
                    raise errors.Unexpected() from None
        if self._outbox.submit is not None:
            self._outbox.submit(effects)
        return number

    def _transaction(self, work: Callable[..., int], command: Any, platform: str,
                     *args: Any) -> tuple[int, list[OutboxEntry]]:
        now = self._clock.now()
        with self._db.engine.begin() as conn:
            number = work(conn, command, *args)
            # The board shows the links as they are when it is drawn: one refresh of it, after this commit, in
            # the stream's place given by how many link changes the stage has had.
            changes = conn.execute(select(func.count()).where(audit_t.c.stage_id == command.stage_id,
                                                              audit_t.c.kind.in_(("LinkAdded", "LinkRemoved")))
                                   ).scalar_one()
            effects = [OutboxEntry(f"links:{command.stage_id}", changes, platform, "community.board",
                                   {"stage": command.stage_id})]
            self._outbox.write(conn, effects, now)
        return number, effects

    def _add(self, conn: Connection, command: AddLink, url: str, label: str) -> int:
        now = self._clock.now()
        held = conn.execute(select(func.count(), func.max(link_t.c.number)).where(
            link_t.c.stage_id == command.stage_id)).one()
        if held[0] >= MAX_LINKS:
            raise TooManyLinks(max=MAX_LINKS)
        number = (held[1] or 0) + 1
        conn.execute(insert(link_t).values(stage_id=command.stage_id, number=number, url=url, label=label,
                                           actor_id=command.actor.user_id, at=now))
        _audit(conn, command.stage_id, now, "LinkAdded", command.actor.user_id, {"url": url, "label": label})
        return number

    def _remove(self, conn: Connection, command: RemoveLink) -> int:
        now = self._clock.now()
        gone = conn.execute(delete(link_t).where(link_t.c.stage_id == command.stage_id,
                                                 link_t.c.number == command.number).returning(link_t.c.url)).first()
        if gone is None:
            count = conn.execute(select(func.count()).where(link_t.c.stage_id == command.stage_id)).scalar_one()
            raise NoSuchLink(number=command.number, count=count)
        _audit(conn, command.stage_id, now, "LinkRemoved", command.actor.user_id, {"url": gone.url,
                                                                                  "number": command.number})
        return command.number

    async def of(self, stage_id: str) -> tuple[Link, ...]:
        def read() -> tuple[Link, ...]:
            with self._db.engine.connect() as conn:
                return tuple(Link(r.number, r.url, r.label) for r in conn.execute(
                    select(link_t).where(link_t.c.stage_id == stage_id).order_by(link_t.c.number)))
        return await self._db.run(read)


def _audit(conn: Connection, stage_id: str, at: Any, kind: str, actor_id: str, data: dict[str, Any]) -> None:
    conn.execute(insert(audit_t).values(stage_id=stage_id, schedule_id=None, at=at, kind=kind, actor_id=actor_id,
                                        target_id=None, reason="", data=data))
