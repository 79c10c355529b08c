"""Follows: members follow tags and hosts; when a matching stage opens or is scheduled, each follower hears of it
once, by direct message.

A stage's opening (or a series' scheduling) asks, through the outbox, for its followers to be told. That
delivery reads them, leaves out the host, members blocked in the space and those told already, and writes one
direct-message effect per follower with the notice that they were told, in one transaction: a notice delivered
again after a crash finds them told and writes nothing, and each direct message is its own outbox effect, sent
once and paced by the platform's adapter.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.domain.follows import (MAX_FOLLOWS, Follow, Followed, FollowingYourself, NotFollowing, NothingToFollow,
                                TooManyFollows)
from bot.domain.tags import shown
from bot.i18n.markers import N_
from bot.i18n.message import Mention, Message
from bot.persistence import follow_store as store
from bot.persistence.database import Database
from bot.ports import Clock, OutboxEntry
from bot.services.community import Asked, Outbox
from bot.services.community_show import Lines

log = logging.getLogger(__name__)

DM = "community.follow_dm"
# Members a block holds in a space at a moment (bot.persistence.blocks), read before the transaction.
Blocked = Callable[[str, str, datetime], Awaitable[frozenset[str]]]


class Follows:
    def __init__(self, *, db: Database, clock: Clock, outbox: Outbox, blocked: Blocked) -> None:
        self._db, self._clock, self._outbox, self._blocked = db, clock, outbox, blocked

    # ---- /follow, /follow off ------------------------------------------------------------------------------

    async def handle(self, command: Follow) -> Message:
        if not command.targets:
            raise NothingToFollow()
        if command.kind is Followed.HOST and command.actor.user_id in command.targets:
            raise FollowingYourself()
        changed = await self._db.run(self._change, command)
        what = _what(command.kind, command.targets)
        if command.on:
            return Message.of(N_("You follow {what}: a direct message tells you when their stages open or are "
                                 "scheduled.") if changed else N_("You were following {what} already."), what=what)
        if not changed:
            raise NotFollowing(what=what)
        return Message.of(N_("You no longer follow {what}."), what=_what(command.kind, changed))

    def _change(self, command: Follow) -> list[str]:
        who = (command.platform, command.space_id, command.actor.user_id)
        with self._db.engine.begin() as conn:
            if not command.on:
                return store.unfollow(conn, *who, command.kind.value, command.targets)
            existing = store.follows_of(conn, *who)
            new = [t for t in command.targets if (command.kind.value, t) not in existing]
            if new and len(existing) + len(new) > MAX_FOLLOWS:
                raise TooManyFollows(max=MAX_FOLLOWS)
            return store.follow(self._db, conn, *who, command.kind.value, new, self._clock.now())

    async def listing(self, asked: Asked) -> Lines:
        """`/follows`: the tags and hosts a member follows in the space."""
        def read() -> list[tuple[str, str]]:
            with self._db.engine.connect() as conn:
                return store.follows_of(conn, asked.platform, asked.space_id, asked.actor.user_id)
        found = await self._db.run(read)
        if not found:
            return Lines([Message.of(N_("You follow no tag and no host here. Try /follow tag pricing or /follow "
                                        "host @someone."))])
        tags = [t for kind, t in found if kind == Followed.TAG]
        hosts = [t for kind, t in found if kind == Followed.HOST]
        lines = Lines([Message.of(N_("You follow {count} tags and hosts (at most {max}):"), count=len(found),
                                  max=MAX_FOLLOWS)])
        if tags:
            lines.append(Message.of(N_("Tags: {tags}"), tags=shown(tags)))
        lines.extend(Message.of(N_("Host: {member}"), member=Mention(h)) for h in hosts)
        return lines

    # ---- a stage opened, a series was scheduled ------------------------------------------------------------

    async def notify(self, subject_id: str, *, series: bool) -> int:
        """Tells the followers of a stage that opened (or a series just scheduled) who were not told yet;
        idempotent. Returns how many are to be told."""
        found = await self._db.run(_place, self._db, subject_id, series)
        if found is None:
            return 0
        blocked = await self._blocked(found[0], found[1], self._clock.now())
        effects = await self._db.run(self._plan, subject_id, series, blocked)
        if effects and self._outbox.submit is not None:
            self._outbox.submit(effects)
        return len(effects)

    def _plan(self, subject_id: str, series: bool, blocked: frozenset[str]) -> list[OutboxEntry]:
        now = self._clock.now()
        with self._db.engine.begin() as conn:
            row = store.series(conn, subject_id) if series else store.stage(conn, subject_id)
            if row is None or row.state not in ("active" if series else "live",):
                return []  # gone by the time its notice was delivered: nobody is told of it
            matched = store.followers(conn, row.platform, row.space_id, row.tags or [], row.host_id)
            told = store.told(conn, subject_id)
            if not series and row.schedule_id:  # those going hear from the series itself
                opened = store.series(conn, row.schedule_id)
                told |= store.going(conn, row.schedule_id, opened.last_opened if opened else None)
            wanted = sorted(set(matched) - told - blocked - {row.host_id})
            before = len(told)
            fresh = store.tell(self._db, conn, subject_id, wanted, now)
            effects = [OutboxEntry(f"follow:{subject_id}", before + i, row.platform, DM,
                                   {"user": user, "subject": subject_id, "series": series, "why": matched[user]})
                       for i, user in enumerate(fresh)]
            if effects:
                self._outbox.write(conn, effects, now)
        if effects:
            log.info("%s %s: %d followers to tell", "series" if series else "stage", subject_id, len(effects))
        return effects


def _place(db: Database, subject_id: str, series: bool) -> tuple[str, str] | None:
    with db.engine.connect() as conn:
        row = store.series(conn, subject_id) if series else store.stage(conn, subject_id)
    return (row.platform, row.space_id) if row is not None else None


def _what(kind: Followed, targets: Any) -> Mention | str:
    if kind is Followed.TAG:
        return shown(targets)
    return Mention(targets[0])


def why_message(why: list[str], host_id: str) -> Message:
    """Why a follower was told: the host they follow, else the tags they follow."""
    if "host" in why:
        return Message.of(N_("You follow {host}."), host=Mention(host_id))
    return Message.of(N_("You follow {tags}."), tags=shown(why))
