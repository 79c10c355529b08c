"""Statistics, leaderboards and badges of a space, from what its stages recorded.

A stage's close asks (through the outbox, like any platform work) for its tallies and badges: written in one
transaction with the announcements they cause, so a close delivered twice (a crash before the outbox heard
it was done) tallies and awards nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from bot.domain import badges as b
from bot.domain import errors
from bot.domain.community import Board, MemberStats, Period, Thresholds, is_regular, ranking
from bot.domain.community_commands import HideStats, SetThresholds
from bot.domain.members import Actor
from bot.i18n.markers import N_
from bot.i18n.message import Mention, Message
from bot.persistence import community_store as store
from bot.persistence.database import Database
from bot.ports import Clock, OutboxEntry
from bot.services.community_show import Lines, board_lines, emoji, stats_lines, suggestion_lines, threshold_lines

log = logging.getLogger(__name__)

BOARD_SIZE = 10


class Outbox:
    """Where effects committed with a transaction go: written in it (bot.persistence.outbox.SqlOutbox), then
    handed to the dispatcher once committed (set when the dispatcher exists)."""

    def __init__(self, write: Callable[[Connection, list[OutboxEntry], datetime], None],
                 submit: Callable[[list[OutboxEntry]], None] | None = None) -> None:
        self.write, self.submit = write, submit


@dataclass(frozen=True, slots=True)
class Asked:
    """Who asks, where (what a read needs of the gateway's Where)."""

    actor: Actor
    platform: str
    space_id: str


class Community:
    def __init__(self, *, db: Database, clock: Clock, defaults: Thresholds, outbox: Outbox | None = None) -> None:
        self._db, self._clock, self.defaults, self._outbox = db, clock, defaults, outbox

    def now(self) -> datetime:
        return self._clock.now()

    # ---- commands ---------------------------------------------------------------------------------------

    async def handle(self, command: HideStats | SetThresholds) -> Message:
        match command:
            case HideStats():
                changed = await self._db.run(self._hide, command)
                if command.hidden:
                    return Message.of(N_("Your statistics are hidden: you appear on no leaderboard, and only you "
                                         "see them.") if changed else N_("Your statistics were hidden already."))
                return Message.of(N_("Your statistics are shown again.") if changed else
                                  N_("Your statistics were shown already."))
            case SetThresholds():
                if not command.actor.platform_moderator:
                    raise errors.NotModerator()
                values = await self._db.run(self._set_thresholds, command)
                return Message.of(N_("Badge thresholds updated: {changes}."),
                                  changes=", ".join(f"{k}={v}" for k, v in values.items()))
        raise TypeError(command)

    def _hide(self, command: HideStats) -> bool:
        with self._db.engine.begin() as conn:
            return store.hide(self._db, conn, command.platform, command.space_id, command.actor.user_id,
                              self._clock.now(), hidden_=command.hidden)

    def _set_thresholds(self, command: SetThresholds) -> dict[str, int]:
        changes: dict[str, int] = {}
        for name, raw in command.changes.items():
            key = name.strip().lower()
            if key not in Thresholds.names():
                raise errors.UnknownRule(rule=name, rules=", ".join(Thresholds.names()))
            if not raw.strip().isdigit() or not 1 <= int(raw) <= 100_000:
                raise errors.InvalidRule(rule=key, value=raw, expected=Message.of(N_("a whole number from 1 to "
                                                                                     "100000")))
            changes[key] = int(raw)
        with self._db.engine.begin() as conn:
            values = {**store.thresholds(conn, command.platform, command.space_id), **changes}
            store.set_thresholds(self._db, conn, command.platform, command.space_id, values)
        return changes

    # ---- reads --------------------------------------------------------------------------------------------

    async def stats(self, asked: Asked, member: str | None, period: Period) -> list[Message]:
        """A member's statistics (their own, or anyone's for a moderator) and the space's."""
        user_id = member or asked.actor.user_id
        if user_id != asked.actor.user_id and not asked.actor.platform_moderator:
            raise errors.NotModerator()
        return await self._db.run(self._stats, asked, user_id, period)

    def _stats(self, asked: Asked, user_id: str, period: Period) -> list[Message]:
        since = period.since(self._clock.now())
        with self._db.engine.connect() as conn:
            if user_id != asked.actor.user_id and user_id in store.hidden(conn, asked.platform, asked.space_id):
                raise StatsHidden(member=Mention(user_id))
            found = store.member_stats(conn, asked.platform, asked.space_id, since, [user_id])
            mine = found[0] if found else MemberStats(user_id)
            held = store.badges(conn, asked.platform, asked.space_id, [user_id]).get(user_id, [])
            space = store.space_stats(conn, asked.platform, asked.space_id, since)
            month = store.member_stats(conn, asked.platform, asked.space_id, Period.MONTH.since(self._clock.now()),
                                       [user_id])
            regular = bool(month) and is_regular(month[0], self._of(store.thresholds(conn, asked.platform,
                                                                                         asked.space_id)))
        return stats_lines(replace(mine, badges=tuple(held)), space, period, regular=regular)

    async def suggest(self, asked: Asked, moderating: Iterable[str]) -> Lines:
        """The space's regulars who spoke well without incident, for a host looking for moderators: time spoken
        in the last 30 days, then hands served; never removed nor blocked; those moderating already left out."""
        return await self._db.run(self._suggest, asked, frozenset(moderating))

    def _suggest(self, asked: Asked, moderating: frozenset[str]) -> Lines:
        with self._db.engine.connect() as conn:
            limits = self._of(store.thresholds(conn, asked.platform, asked.space_id))
            month = [s for s in store.member_stats(conn, asked.platform, asked.space_id,
                                                   Period.MONTH.since(self._clock.now()), hidden_out=True)
                     if is_regular(s, limits) and s.spoke_seconds > 0 and s.user_id not in moderating]
            ever = {s.user_id: s for s in store.member_stats(conn, asked.platform, asked.space_id, None,
                                                              [s.user_id for s in month])}
        clean = [s for s in month if not ever[s.user_id].incidents]
        ranked = sorted(clean, key=lambda s: (-s.spoke_seconds, -s.hands_served, s.user_id))[:BOARD_SIZE]
        return suggestion_lines(ranked, limits)

    async def leaderboard(self, asked: Asked, board: Board, period: Period) -> list[Message]:
        return await self._db.run(self._leaderboard, asked, board, period)

    def _leaderboard(self, asked: Asked, board: Board, period: Period) -> list[Message]:
        since = period.since(self._clock.now())
        with self._db.engine.connect() as conn:
            ranked = ranking(store.ranked_sums(conn, asked.platform, asked.space_id, since, board.value, BOARD_SIZE),
                             board, size=BOARD_SIZE)
            held = store.badges(conn, asked.platform, asked.space_id, [s.user_id for s in ranked])
        return board_lines([replace(s, badges=tuple(held.get(s.user_id, []))) for s in ranked], board, period)

    async def thresholds(self, platform: str, space_id: str) -> Thresholds:
        return await self._db.run(self._thresholds, platform, space_id)

    def _thresholds(self, platform: str, space_id: str) -> Thresholds:
        with self._db.engine.connect() as conn:
            return self._of(store.thresholds(conn, platform, space_id))

    def _of(self, chosen: Mapping[str, int]) -> Thresholds:
        return replace(self.defaults, **{k: v for k, v in chosen.items() if k in Thresholds.names()})

    async def badge_lines(self, asked: Asked) -> list[Message]:
        return threshold_lines(await self.thresholds(asked.platform, asked.space_id))

    async def marks(self, platform: str, space_id: str, users: Iterable[str]) -> dict[str, str]:
        """For boards: each member's badges as emoji to show beside their name (members without: absent)."""
        wanted = sorted(set(users))
        if not wanted:
            return {}

        def read() -> dict[str, list[str]]:
            with self._db.engine.connect() as conn:
                return store.badges(conn, platform, space_id, wanted)
        return {user: emoji(keys) for user, keys in (await self._db.run(read)).items() if keys}

    # ---- a stage closed -------------------------------------------------------------------------------------

    async def closed(self, stage_id: str) -> None:
        """Tallies a closed stage and awards what it earned; idempotent."""
        effects = await self._db.run(self._close, stage_id)
        if effects and self._outbox is not None and self._outbox.submit is not None:
            self._outbox.submit(effects)

    def _close(self, stage_id: str) -> list[OutboxEntry]:
        now = self._clock.now()
        with self._db.engine.begin() as conn:
            tallied = store.tally(self._db, conn, stage_id)
            if tallied is None:
                return []
            platform, space_id, members = tallied
            new = store.award(self._db, conn, platform, space_id, stage_id, now, self._earned(conn, *tallied, now))
            effects = _announcements(stage_id, platform, new, store.hidden(conn, platform, space_id))
            if effects and self._outbox is not None:
                self._outbox.write(conn, effects, now)
        if new:
            log.info("stage %s awarded %s", stage_id, new)
        return effects

    def _earned(self, conn: Connection, platform: str, space_id: str, members: list[str],
                now: datetime) -> dict[str, list[str]]:
        limits = self._of(store.thresholds(conn, platform, space_id))
        wanted = {s.user_id: b.earned(s, limits) for s in store.member_stats(conn, platform, space_id, None, members)}
        start, end, month = b.previous_month(now)
        key = f"{b.TOP_SPEAKER}:{month}"
        if not store.badge_taken(conn, platform, space_id, key):
            top = b.top_speaker(store.member_stats(conn, platform, space_id, start, until=end),
                                store.hidden(conn, platform, space_id))
            if top is not None:
                wanted.setdefault(top, []).append(key)
        return wanted


class StatsHidden(errors.StageError):
    message = N_("{member} keeps their statistics to themselves.")


def _announcements(stage_id: str, platform: str, new: dict[str, list[str]], hidden: frozenset[str]
                   ) -> list[OutboxEntry]:
    """Each new badge: said in the stage's channel (not for members who hid their statistics), told to its
    holder, and given as a role where the platform maps badges to roles."""
    effects: list[tuple[str, dict[str, Any]]] = []
    for user, keys in sorted(new.items()):
        for key in keys:
            if user not in hidden:
                effects.append(("community.announce", {"user": user, "badge": key}))
            effects.append(("community.tell", {"user": user, "badge": key}))
            effects.append(("community.role", {"user": user, "badge": b.kind_of(key)}))
    return [OutboxEntry(f"badges:{stage_id}", i, platform, kind, {"stage": stage_id, **args})
            for i, (kind, args) in enumerate(effects)]


def thresholds_of(settings: Any) -> Thresholds:
    """The defaults from the settings' BADGE_* and REGULAR_STAGES."""
    return Thresholds(**{f.name: getattr(settings, f"badge_{f.name}" if f.name != "regular" else "regular_stages")
                         for f in fields(Thresholds)})
