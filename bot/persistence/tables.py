"""SQLModel tables. Rows only: the repository turns them into domain objects and back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Table, text
from sqlmodel import Field, SQLModel

from bot.persistence.types import UtcDateTime


def table_of(model: type[SQLModel]) -> Table:
    """A model's SQLAlchemy Core table, for the statements written with Core (SQLModel sets `__table__` when
    the class is created, where type checkers do not see it)."""
    table = getattr(model, "__table__", None)
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} declares no table")
    return table


def _when(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UtcDateTime, nullable=nullable, index=index)


class StageRow(SQLModel, table=True):
    __tablename__ = "stage"
    __table_args__ = (
        # One live stage per channel, even with several bot processes on one database.
        Index("uq_stage_live_channel", "platform", "space_id", "channel_id", unique=True,
              sqlite_where=text("state = 'live'"), postgresql_where=text("state = 'live'")),
    )

    id: str = Field(primary_key=True, max_length=40)
    platform: str = Field(max_length=20)
    space_id: str = Field(max_length=40)
    channel_id: str = Field(max_length=40)
    title: str = Field(max_length=200)
    topic: str = Field(default="", max_length=200)
    state: str = Field(max_length=20, index=True)
    visibility: str = Field(max_length=20)
    capacity: int = 0
    host_id: str = Field(max_length=40)
    rules: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    hands_locked: bool = False
    created_at: datetime = _when(nullable=False)
    opened_at: datetime | None = _when()
    closed_at: datetime | None = _when()
    hand_seq: int = 0
    peak_audience: int = 0
    hands_raised: int = 0
    hands_served: int = 0
    idle_since: datetime | None = _when()
    schedule_id: str | None = Field(default=None, max_length=40)
    presence_known: bool = True  # False while the platform cannot see the audio room (Slack, no huddle)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    version: int = 0


class ParticipantRow(SQLModel, table=True):
    __tablename__ = "participant"

    stage_id: str = Field(foreign_key="stage.id", primary_key=True, max_length=40)
    user_id: str = Field(primary_key=True, max_length=40)
    present: bool = False
    left_at: datetime | None = _when()
    hand_raised_at: datetime | None = _when()
    hand_seq: int | None = None
    hand_note: str | None = Field(default=None, max_length=200)
    hand_priority: float | None = None
    hand_native: bool | None = None
    speaking_since: datetime | None = _when()
    warned: bool = False
    talk_seconds: float = 0.0
    turns: int = 0
    hands_raised: int = 0
    cooldown_until: datetime | None = _when()
    invited: bool = False
    blocked: bool = False
    moderator: bool = False


class AuditRow(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_stage_id_id", "stage_id", "id"),
                      Index("ix_audit_kind_target_id", "kind", "target_id", "id"))

    id: int | None = Field(default=None, primary_key=True)
    stage_id: str | None = Field(default=None, foreign_key="stage.id", max_length=40)
    schedule_id: str | None = Field(default=None, foreign_key="schedule.id", max_length=40, index=True)
    at: datetime = _when(nullable=False)
    kind: str = Field(max_length=40)
    actor_id: str = Field(max_length=40)
    target_id: str | None = Field(default=None, max_length=40)
    reason: str = Field(default="", max_length=200)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class RecapRow(SQLModel, table=True):
    __tablename__ = "recap"

    stage_id: str = Field(foreign_key="stage.id", primary_key=True, max_length=40)
    created_at: datetime = _when(nullable=False)
    duration_seconds: float
    peak_audience: int
    hands_raised: int
    hands_served: int
    speakers: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    still_waiting: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class SpaceSettingRow(SQLModel, table=True):
    __tablename__ = "space_setting"

    platform: str = Field(primary_key=True, max_length=20)
    space_id: str = Field(primary_key=True, max_length=40)
    locale: str | None = Field(default=None, max_length=10)
    timezone: str | None = Field(default=None, max_length=60)


class MemberSettingRow(SQLModel, table=True):
    __tablename__ = "member_setting"

    platform: str = Field(primary_key=True, max_length=20)
    user_id: str = Field(primary_key=True, max_length=40)
    locale: str | None = Field(default=None, max_length=10)


class BoardMessageRow(SQLModel, table=True):
    """Where an adapter posted a stage's board, so it edits the same message after a restart."""

    __tablename__ = "board_message"

    stage_id: str = Field(foreign_key="stage.id", primary_key=True, max_length=40)
    platform: str = Field(max_length=20)
    channel_id: str = Field(max_length=40)
    message_id: str = Field(max_length=40)
    thread_id: str | None = Field(default=None, max_length=40)


class ProcessedEventRow(SQLModel, table=True):
    """Platform deliveries already acted on (Slack event ids, Discord interaction ids): retries act once."""

    __tablename__ = "processed_event"

    key: str = Field(primary_key=True, max_length=120)
    seen_at: datetime = _when(nullable=False, index=True)


class ScheduleRow(SQLModel, table=True):
    __tablename__ = "schedule"

    id: str = Field(primary_key=True, max_length=40)
    platform: str = Field(max_length=20)
    space_id: str = Field(max_length=40, index=True)
    channel_id: str = Field(max_length=40)
    title: str = Field(max_length=200)
    topic: str = Field(default="", max_length=200)
    host_id: str = Field(max_length=40)
    timezone: str = Field(max_length=60)
    first_at: datetime = _when(nullable=False)
    duration: int
    recurrence: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    reminder_lead: int
    state: str = Field(max_length=20, index=True)
    next_at: datetime | None = _when(index=True)
    skipped: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reminded: datetime | None = _when()
    last_opened: datetime | None = _when()
    platform_event_id: str | None = Field(default=None, max_length=40, index=True)
    created_at: datetime = _when(nullable=False)
    record: bool = False  # each occurrence opens recorded
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    version: int = 0


class RsvpRow(SQLModel, table=True):
    __tablename__ = "rsvp"

    schedule_id: str = Field(foreign_key="schedule.id", primary_key=True, max_length=40)
    occurrence: datetime = Field(sa_type=UtcDateTime, primary_key=True)
    user_id: str = Field(primary_key=True, max_length=40)


class ScheduleMessageRow(SQLModel, table=True):
    """Where an adapter announced a series, so it edits that same message as the series changes."""

    __tablename__ = "schedule_message"

    schedule_id: str = Field(foreign_key="schedule.id", primary_key=True, max_length=40)
    platform: str = Field(max_length=20)
    channel_id: str = Field(max_length=40)
    message_id: str = Field(max_length=40)


class OutboxRow(SQLModel, table=True):
    """A platform effect a committed command caused, written in the command's own transaction and deleted
    once the platform acknowledged it. `position` orders one stream (a stage or a series): the stream's
    version at that commit, then the effect's place among the commit's effects."""

    __tablename__ = "outbox"
    __table_args__ = {"sqlite_with_rowid": False}  # one b-tree on SQLite (migration 0020)

    stream: str = Field(primary_key=True, max_length=40)
    position: int = Field(primary_key=True, sa_type=BigInteger)
    platform: str = Field(max_length=20)  # no index: the table holds only what is not yet delivered
    kind: str = Field(max_length=30)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _when(nullable=False)
    # The process delivering it, until when: a restarted process takes its own back at once, another
    # process's once that lease ran out.
    owner: str = Field(max_length=60)
    claimed_until: datetime = _when(nullable=False)


class RequestInboxRow(SQLModel, table=True):
    """A platform request acknowledged before its command could commit (the platform's patience ran out):
    kept so that a restarted bot works it through once."""

    __tablename__ = "request_inbox"

    key: str = Field(primary_key=True, max_length=120)
    platform: str = Field(max_length=20)
    body: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    received_at: datetime = _when(nullable=False)


from bot.persistence.replay_tables import ConsentRow, ReplayRow, StrikeRow  # noqa: E402,F401  (same metadata)
from bot.persistence.community_tables import (BadgeRow, CommunitySettingRow, DayTallyRow,  # noqa: E402,F401
                                                 FollowNoticeRow, FollowRow, HiddenStatsRow, LinkRow, TallyRow,
                                                 TotalTallyRow)
