"""Follows as rows: who follows which tag or host in a space, and which followers were told of which stage or
series (one direct message each, written with the outbox entries that send them)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.persistence.community_tables import FollowNoticeRow, FollowRow
from bot.persistence.database import Database
from bot.persistence.tables import RsvpRow, ScheduleRow, StageRow, table_of

follow_t, notice_t = table_of(FollowRow), table_of(FollowNoticeRow)
stage_t, schedule_t, rsvp_t = table_of(StageRow), table_of(ScheduleRow), table_of(RsvpRow)


def _insert_ignoring(db: Database, table: Any, rows: list[dict[str, Any]]) -> Any:
    flavour = postgresql if db.dialect == "postgresql" else sqlite
    keys = [c.name for c in table.primary_key.columns]
    return flavour.insert(table).values(rows).on_conflict_do_nothing(index_elements=keys)


def follow(db: Database, conn: Connection, platform: str, space_id: str, user_id: str, kind: str,
           targets: Iterable[str], now: datetime) -> list[str]:
    """The targets newly followed (those followed already are left as they are)."""
    rows = [{"platform": platform, "space_id": space_id, "user_id": user_id, "kind": kind, "target": t, "at": now}
            for t in targets]
    if not rows:
        return []
    return list(conn.execute(_insert_ignoring(db, follow_t, rows).returning(follow_t.c.target)).scalars())


def unfollow(conn: Connection, platform: str, space_id: str, user_id: str, kind: str,
             targets: Iterable[str]) -> list[str]:
    """The targets no longer followed (those not followed are not named)."""
    return list(conn.execute(delete(follow_t).where(
        follow_t.c.platform == platform, follow_t.c.space_id == space_id, follow_t.c.user_id == user_id,
        follow_t.c.kind == kind, follow_t.c.target.in_(list(targets))).returning(follow_t.c.target)).scalars())


def follows_of(conn: Connection, platform: str, space_id: str, user_id: str) -> list[tuple[str, str]]:
    """(kind, target) a member follows in a space, tags first, each kind in the order followed."""
    return [(r.kind, r.target) for r in conn.execute(
        select(follow_t.c.kind, follow_t.c.target).where(
            follow_t.c.platform == platform, follow_t.c.space_id == space_id, follow_t.c.user_id == user_id)
        .order_by(follow_t.c.kind.desc(), follow_t.c.at, follow_t.c.target))]


def followers(conn: Connection, platform: str, space_id: str, tags: Iterable[str], host_id: str
              ) -> dict[str, list[str]]:
    """Each member following the host or one of the tags, with what they follow of it (`host` first, then
    the tags in the order given)."""
    wanted = list(tags)
    matches = or_(and_(follow_t.c.kind == "host", follow_t.c.target == host_id),
                  and_(follow_t.c.kind == "tag", follow_t.c.target.in_(wanted)))
    found: dict[str, list[str]] = {}
    for row in conn.execute(select(follow_t.c.user_id, follow_t.c.kind, follow_t.c.target).where(
            follow_t.c.platform == platform, follow_t.c.space_id == space_id, matches)):
        found.setdefault(row.user_id, []).append("host" if row.kind == "host" else row.target)
    order = {t: i for i, t in enumerate(["host", *wanted])}
    return {user: sorted(why, key=order.__getitem__) for user, why in found.items()}


def told(conn: Connection, subject_id: str) -> set[str]:
    return set(conn.execute(select(notice_t.c.user_id).where(notice_t.c.subject_id == subject_id)).scalars())


def tell(db: Database, conn: Connection, subject_id: str, users: list[str], now: datetime) -> list[str]:
    """Marks followers told of a subject; returns those who were not already (another process may have
    told some since they were read)."""
    if not users:
        return []
    rows = [{"subject_id": subject_id, "user_id": u, "at": now} for u in users]
    return sorted(conn.execute(_insert_ignoring(db, notice_t, rows).returning(notice_t.c.user_id)).scalars())


def stage(conn: Connection, stage_id: str) -> Any:
    return conn.execute(select(stage_t).where(stage_t.c.id == stage_id)).first()


def series(conn: Connection, schedule_id: str) -> Any:
    return conn.execute(select(schedule_t).where(schedule_t.c.id == schedule_id)).first()


def going(conn: Connection, schedule_id: str, occurrence: datetime | None) -> set[str]:
    """Who answered they are going to an occurrence: the series tells them itself when it opens."""
    if occurrence is None:
        return set()
    return set(conn.execute(select(rsvp_t.c.user_id).where(rsvp_t.c.schedule_id == schedule_id,
                                                           rsvp_t.c.occurrence == occurrence)).scalars())
