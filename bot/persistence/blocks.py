"""Blocks held across a space: read from the audit trail, where every block and unblock is written anyway.

A member blocked on any stage of a space (`/stage block NAME [for=7d]`) stays blocked from the space's next
stages, scheduled occurrences included, until someone unblocks them on a stage or the block's time runs out:
the latest MemberBlocked or MemberUnblocked of that member in the space decides. Kept as a projection of the
audit log rather than a table of its own, so a block and its record can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select

from bot.persistence.database import Database
from bot.persistence.tables import AuditRow, StageRow, table_of

audit_t = table_of(AuditRow)
stage_t = table_of(StageRow)
KINDS = ("MemberBlocked", "MemberUnblocked")


@dataclass(frozen=True, slots=True)
class SpaceBlock:
    user_id: str
    since: datetime
    until: datetime | None  # None: until someone unblocks them
    by: str
    reason: str


async def space_blocks(db: Database, platform: str, space_id: str, now: datetime) -> list[SpaceBlock]:
    """The blocks in force in a space at `now`, oldest first."""
    rows = await db.run(_latest, db, platform, space_id)
    found = []
    for row in rows:
        until = _instant(row.data.get("until")) if row.kind == "MemberBlocked" else None
        if row.kind == "MemberBlocked" and (until is None or until > now):
            found.append(SpaceBlock(row.target_id, row.at, until, row.actor_id, row.reason))
    return sorted(found, key=lambda b: (b.since, b.user_id))


async def blocked_ids(db: Database, platform: str, space_id: str, now: datetime) -> frozenset[str]:
    """Who is blocked in a space at `now`."""
    return frozenset(b.user_id for b in await space_blocks(db, platform, space_id, now))


def _latest(db: Database, platform: str, space_id: str) -> list[Any]:
    in_space = (select(audit_t.c.target_id, func.max(audit_t.c.id).label("last"))
                .join(stage_t, stage_t.c.id == audit_t.c.stage_id)
                .where(stage_t.c.platform == platform, stage_t.c.space_id == space_id,
                       audit_t.c.kind.in_(KINDS))
                .group_by(audit_t.c.target_id).subquery())
    query = select(audit_t).join(in_space, and_(audit_t.c.id == in_space.c.last))
    with db.engine.connect() as conn:
        return list(conn.execute(query))


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
