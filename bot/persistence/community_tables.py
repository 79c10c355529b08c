"""Community tables: each member's tally of each closed stage (derived from the stage's audit entries and
recap when it closes, never written otherwise), the badges awarded, who hid their statistics, and the
thresholds a space chose."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from bot.persistence.types import UtcDateTime


class TallyRow(SQLModel, table=True):
    """One member's share of one closed stage (bot.domain.community.Tally)."""

    __tablename__ = "member_tally"
    __table_args__ = (Index("ix_member_tally_space_closed", "platform", "space_id", "closed_at"),
                      Index("ix_member_tally_space_user", "platform", "space_id", "user_id", "closed_at"))

    stage_id: str = Field(foreign_key="stage.id", primary_key=True, max_length=40)
    user_id: str = Field(primary_key=True, max_length=40)
    platform: str = Field(max_length=20)
    space_id: str = Field(max_length=40)
    closed_at: datetime = Field(sa_type=UtcDateTime, nullable=False)
    present_seconds: float = 0.0
    turns: int = 0
    spoke_seconds: float = 0.0
    hands_raised: int = 0
    hands_served: int = 0
    hosted: bool = False
    peak_audience: int = 0
    incidents: int = 0


class _Sums(SQLModel):
    stages: int = 0
    present_seconds: float = 0.0
    turns: int = 0
    spoke_seconds: float = 0.0
    hands_raised: int = 0
    hands_served: int = 0
    hosted: int = 0
    peak_audience: int = 0
    incidents: int = 0


class DayTallyRow(_Sums, table=True):
    """A member's tallies of one UTC day summed, added to as each stage closes: a 30-day leaderboard reads 30
    rows a member, not one a stage."""

    __tablename__ = "member_day"
    __table_args__ = (Index("ix_member_day_space_day", "platform", "space_id", "day"),)

    platform: str = Field(primary_key=True, max_length=20)
    space_id: str = Field(primary_key=True, max_length=40)
    user_id: str = Field(primary_key=True, max_length=40)
    day: date = Field(primary_key=True)


class TotalTallyRow(_Sums, table=True):
    """A member's tallies of all time summed, added to as each stage closes (the all-time leaderboard)."""

    __tablename__ = "member_total"

    platform: str = Field(primary_key=True, max_length=20)
    space_id: str = Field(primary_key=True, max_length=40)
    user_id: str = Field(primary_key=True, max_length=40)


class HiddenStatsRow(SQLModel, table=True):
    """A member who opted out of the statistics of a space: on no leaderboard, and nobody else sees theirs."""

    __tablename__ = "stats_hidden"

    platform: str = Field(primary_key=True, max_length=20)
    space_id: str = Field(primary_key=True, max_length=40)
    user_id: str = Field(primary_key=True, max_length=40)
    at: datetime = Field(sa_type=UtcDateTime, nullable=False)


class BadgeRow(SQLModel, table=True):
    """A badge awarded: once per member and key (the key of a monthly badge carries its month)."""

    __tablename__ = "member_badge"

    platform: str = Field(primary_key=True, max_length=20)
    space_id: str = Field(primary_key=True, max_length=40)
    user_id: str = Field(primary_key=True, max_length=40)
    badge: str = Field(primary_key=True, max_length=40)
    stage_id: str = Field(foreign_key="stage.id", max_length=40)  # the stage whose close awarded it
    at: datetime = Field(sa_type=UtcDateTime, nullable=False)


class CommunitySettingRow(SQLModel, table=True):
    """A space's own badge and regular thresholds; what is absent is the settings' default."""

    __tablename__ = "community_setting"

    platform: str = Field(primary_key=True, max_length=20)
    space_id: str = Field(primary_key=True, max_length=40)
    thresholds: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class LinkRow(SQLModel, table=True):
    """A link or document a moderator attached to a stage (shown on its board and in its recap)."""

    __tablename__ = "stage_link"

    stage_id: str = Field(foreign_key="stage.id", primary_key=True, max_length=40)
    number: int = Field(primary_key=True)
    url: str = Field(max_length=500)
    label: str = Field(default="", max_length=80)
    actor_id: str = Field(max_length=40)
    at: datetime = Field(sa_type=UtcDateTime, nullable=False)


class FollowRow(SQLModel, table=True):
    """A member following a tag or a host in a space (`/follow tag pricing`, `/follow host @ann`)."""

    __tablename__ = "follow"
    # A stage opening reads its followers by what they follow: by tag, or by host.
    __table_args__ = (Index("ix_follow_target", "platform", "space_id", "kind", "target"),)

    platform: str = Field(primary_key=True, max_length=20)
    space_id: str = Field(primary_key=True, max_length=40)
    user_id: str = Field(primary_key=True, max_length=40)
    kind: str = Field(primary_key=True, max_length=10)  # tag | host
    target: str = Field(primary_key=True, max_length=40)  # the tag as kept, or the host's user id
    at: datetime = Field(sa_type=UtcDateTime, nullable=False)


class FollowNoticeRow(SQLModel, table=True):
    """A follower told of a stage or a series: one direct message each, whatever they matched by, even when the
    notice is delivered again after a crash."""

    __tablename__ = "follow_notice"

    subject_id: str = Field(primary_key=True, max_length=40)  # the stage's or the series' id
    user_id: str = Field(primary_key=True, max_length=40)
    at: datetime = Field(sa_type=UtcDateTime, nullable=False)
