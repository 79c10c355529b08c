"""Community reads and writes in SQL. Synchronous: callers run them through `Database.run`.

Tallies are written once per closed stage, from its audit entries and recap (bot.domain.community); every
figure shown is a sum of tallies, so the audit trail stays the one source.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Integer, case, cast, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.domain.community import Entry, MemberStats, SpaceStats, Tally, tally_stage
from bot.domain.members import SpeakerRecap
from bot.persistence.community_tables import (BadgeRow, CommunitySettingRow, DayTallyRow, HiddenStatsRow, TallyRow,
                                              TotalTallyRow)
from bot.persistence.database import Database
from bot.persistence.tables import AuditRow, RecapRow, StageRow, table_of

tally_t, hidden_t, badge_t, setting_t = (table_of(TallyRow), table_of(HiddenStatsRow), table_of(BadgeRow),
                                         table_of(CommunitySettingRow))
day_t, total_t = table_of(DayTallyRow), table_of(TotalTallyRow)
audit_t, recap_t, stage_t = table_of(AuditRow), table_of(RecapRow), table_of(StageRow)

_TALLIED = ("MemberJoined", "MemberLeft", "HandRaised", "SpeakerApproved", "MemberRemoved", "MemberBlocked")


def _insert_ignoring(db: Database, table: Any, rows: list[dict[str, Any]], keys: list[str]) -> Any:
    flavour = postgresql if db.dialect == "postgresql" else sqlite
    return flavour.insert(table).values(rows).on_conflict_do_nothing(index_elements=keys)


def tally(db: Database, conn: Connection, stage_id: str) -> tuple[str, str, list[str]] | None:
    """Writes the tallies of a closed stage unless written already; its platform, space and the members
    tallied (nothing when the stage is not closed)."""
    stage = conn.execute(select(stage_t).where(stage_t.c.id == stage_id)).first()
    recap = conn.execute(select(recap_t).where(recap_t.c.stage_id == stage_id)).first()
    if stage is None or recap is None or stage.closed_at is None:
        return None
    if conn.execute(select(tally_t.c.user_id).where(tally_t.c.stage_id == stage_id).limit(1)).first() is None:
        entries = [Entry(r.kind, r.actor_id, r.target_id, r.at) for r in conn.execute(
            select(audit_t.c.kind, audit_t.c.actor_id, audit_t.c.target_id, audit_t.c.at)
            .where(audit_t.c.stage_id == stage_id, audit_t.c.kind.in_(_TALLIED)))]
        speakers = [SpeakerRecap(s["user_id"], s["talk_seconds"], s["turns"]) for s in recap.speakers]
        tallies = tally_stage(host_id=stage.host_id, closed_at=stage.closed_at, peak_audience=stage.peak_audience,
                              entries=entries, speakers=speakers)
        rows = [_row(t, stage_id, stage.platform, stage.space_id, stage.closed_at) for t in tallies.values()]
        new = conn.execute(_insert_ignoring(db, tally_t, rows, ["stage_id", "user_id"]).returning(tally_t.c.user_id))
        added = set(new.scalars())
        _roll_up(db, conn, [r for r in rows if r["user_id"] in added])
    members = list(conn.execute(select(tally_t.c.user_id).where(tally_t.c.stage_id == stage_id)).scalars())
    return stage.platform, stage.space_id, members


_SUMMED = ("present_seconds", "turns", "spoke_seconds", "hands_raised", "hands_served", "hosted", "incidents")


def _roll_up(db: Database, conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Adds newly written tallies to each member's day and all-time sums (in the same transaction)."""
    flavour = postgresql if db.dialect == "postgresql" else sqlite
    for table, keys in ((day_t, ["platform", "space_id", "user_id", "day"]),
                        (total_t, ["platform", "space_id", "user_id"])):
        for row in rows:
            values = {"platform": row["platform"], "space_id": row["space_id"], "user_id": row["user_id"],
                      "stages": 1, **{k: int(row[k]) if k == "hosted" else row[k] for k in _SUMMED},
                      "peak_audience": row["peak_audience"] if row["hosted"] else 0}
            if table is day_t:
                values["day"] = row["closed_at"].astimezone(UTC).date()
            statement = flavour.insert(table).values(**values)
            more = {k: table.c[k] + statement.excluded[k] for k in ("stages", *_SUMMED)}
            more["peak_audience"] = case((statement.excluded.peak_audience > table.c.peak_audience,
                                          statement.excluded.peak_audience), else_=table.c.peak_audience)
            conn.execute(statement.on_conflict_do_update(index_elements=keys, set_=more))


_SCORES = {"speakers": "spoke_seconds", "listeners": "present_seconds", "hosts": "hosted"}


def ranked_sums(conn: Connection, platform: str, space_id: str, since: datetime | None, board: str,
                size: int) -> list[MemberStats]:
    """The `size` members with the most of what `board` ranks over a period (ties by id; nobody with none),
    from the day (or all-time) sums, members who hid theirs left out. A period starts at a day's start."""
    table = total_t if since is None else day_t
    c = table.c
    score = func.sum(c[_SCORES[board]])
    query = select(c.user_id, *(func.sum(c[k]).label(k) for k in ("stages", *_SUMMED)),
                   func.max(c.peak_audience).label("peak_audience")).where(
        c.platform == platform, c.space_id == space_id, c.user_id.not_in(select(hidden_t.c.user_id).where(
            hidden_t.c.platform == platform, hidden_t.c.space_id == space_id)))
    if since is not None:
        query = query.where(c.day >= since.astimezone(UTC).date())
    query = query.group_by(c.user_id).having(score > 0).order_by(score.desc(), c.user_id).limit(size)
    return [_stats(r) for r in conn.execute(query)]


def _stats(r: Any) -> MemberStats:
    return MemberStats(r.user_id, stages=int(r.stages or 0), present_seconds=float(r.present_seconds or 0),
                       turns=int(r.turns or 0), spoke_seconds=float(r.spoke_seconds or 0),
                       hands_raised=int(r.hands_raised or 0), hands_served=int(r.hands_served or 0),
                       hosted=int(r.hosted or 0), peak_audience=int(r.peak_audience or 0),
                       incidents=int(r.incidents or 0))


def _row(t: Tally, stage_id: str, platform: str, space_id: str, closed_at: datetime) -> dict[str, Any]:
    return {"stage_id": stage_id, "user_id": t.user_id, "platform": platform, "space_id": space_id,
            "closed_at": closed_at, "present_seconds": t.present_seconds, "turns": t.turns,
            "spoke_seconds": t.spoke_seconds, "hands_raised": t.hands_raised, "hands_served": t.hands_served,
            "hosted": t.hosted, "peak_audience": t.peak_audience, "incidents": t.incidents}


def _sums() -> list[Any]:
    c = tally_t.c
    return [c.user_id, func.count().label("stages"), func.sum(c.present_seconds).label("present_seconds"),
            func.sum(c.turns).label("turns"), func.sum(c.spoke_seconds).label("spoke_seconds"),
            func.sum(c.hands_raised).label("hands_raised"), func.sum(c.hands_served).label("hands_served"),
            func.sum(cast(c.hosted, Integer)).label("hosted"),
            func.max(case((c.hosted, c.peak_audience), else_=0)).label("peak_audience"),
            func.sum(c.incidents).label("incidents")]


def member_stats(conn: Connection, platform: str, space_id: str, since: datetime | None,
                 users: Iterable[str] | None = None, *, until: datetime | None = None,
                 hidden_out: bool = False) -> list[MemberStats]:
    """Sums of tallies per member over [since, until): of the members named, or everyone."""
    query = select(*_sums()).where(tally_t.c.platform == platform, tally_t.c.space_id == space_id)
    if since is not None:
        query = query.where(tally_t.c.closed_at >= since)
    if until is not None:
        query = query.where(tally_t.c.closed_at < until)
    if users is not None:
        query = query.where(tally_t.c.user_id.in_(list(users)))
    if hidden_out:
        query = query.where(tally_t.c.user_id.not_in(select(hidden_t.c.user_id).where(
            hidden_t.c.platform == platform, hidden_t.c.space_id == space_id)))
    return [_stats(r) for r in conn.execute(query.group_by(tally_t.c.user_id))]


def space_stats(conn: Connection, platform: str, space_id: str, since: datetime | None) -> SpaceStats:
    stages = select(stage_t.c.id, recap_t.c.duration_seconds).join(recap_t, recap_t.c.stage_id == stage_t.c.id).where(
        stage_t.c.platform == platform, stage_t.c.space_id == space_id, stage_t.c.state == "ended")
    speakers = select(func.count(func.distinct(tally_t.c.user_id))).where(
        tally_t.c.platform == platform, tally_t.c.space_id == space_id, tally_t.c.turns > 0)
    if since is not None:
        stages = stages.where(stage_t.c.closed_at >= since)
        speakers = speakers.where(tally_t.c.closed_at >= since)
    held = stages.subquery()
    count, seconds = conn.execute(select(func.count(), func.sum(held.c.duration_seconds))).one()
    return SpaceStats(stages=int(count or 0), seconds=float(seconds or 0), speakers=int(conn.execute(speakers).scalar() or 0))


def hidden(conn: Connection, platform: str, space_id: str) -> frozenset[str]:
    return frozenset(conn.execute(select(hidden_t.c.user_id).where(
        hidden_t.c.platform == platform, hidden_t.c.space_id == space_id)).scalars())


def hide(db: Database, conn: Connection, platform: str, space_id: str, user_id: str, now: datetime, *,
         hidden_: bool) -> bool:
    """Whether anything changed."""
    if hidden_:
        statement = _insert_ignoring(db, hidden_t, [{"platform": platform, "space_id": space_id, "user_id": user_id,
                                                     "at": now}], ["platform", "space_id", "user_id"])
    else:
        statement = delete(hidden_t).where(hidden_t.c.platform == platform, hidden_t.c.space_id == space_id,
                                           hidden_t.c.user_id == user_id)
    return conn.execute(statement.returning(hidden_t.c.user_id)).first() is not None


def badges(conn: Connection, platform: str, space_id: str, users: Iterable[str]) -> dict[str, list[str]]:
    """Each member's badges, oldest first."""
    found: dict[str, list[str]] = {}
    for row in conn.execute(select(badge_t.c.user_id, badge_t.c.badge).where(
            badge_t.c.platform == platform, badge_t.c.space_id == space_id, badge_t.c.user_id.in_(list(users)))
            .order_by(badge_t.c.at, badge_t.c.badge)):
        found.setdefault(row.user_id, []).append(row.badge)
    return found


def award(db: Database, conn: Connection, platform: str, space_id: str, stage_id: str, now: datetime,
          wanted: dict[str, list[str]]) -> dict[str, list[str]]:
    """Awards the badges not held yet; returns those newly awarded. A key held already awards nothing, even
    when two closes award it at once (the second insert finds the first)."""
    new: dict[str, list[str]] = {}
    for user, keys in wanted.items():
        for key in keys:
            row = {"platform": platform, "space_id": space_id, "user_id": user, "badge": key, "stage_id": stage_id,
                   "at": now}
            statement = _insert_ignoring(db, badge_t, [row], ["platform", "space_id", "user_id", "badge"])
            if conn.execute(statement.returning(badge_t.c.badge)).first() is not None:
                new.setdefault(user, []).append(key)
    return new


def badge_taken(conn: Connection, platform: str, space_id: str, key: str) -> bool:
    return conn.execute(select(badge_t.c.user_id).where(badge_t.c.platform == platform, badge_t.c.space_id ==
                                                        space_id, badge_t.c.badge == key).limit(1)).first() is not None


def thresholds(conn: Connection, platform: str, space_id: str) -> dict[str, int]:
    row = conn.execute(select(setting_t.c.thresholds).where(setting_t.c.platform == platform,
                                                            setting_t.c.space_id == space_id)).first()
    return dict(row.thresholds) if row is not None else {}


def set_thresholds(db: Database, conn: Connection, platform: str, space_id: str, values: dict[str, int]) -> None:
    flavour = postgresql if db.dialect == "postgresql" else sqlite
    conn.execute(flavour.insert(setting_t).values(platform=platform, space_id=space_id, thresholds=values)
                 .on_conflict_do_update(index_elements=["platform", "space_id"], set_={"thresholds": values}))
