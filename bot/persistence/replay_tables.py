"""Recording consent per member and space, segments struck from a stage's replay, and the replays kept."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from bot.persistence.types import UtcDateTime


class ConsentRow(SQLModel, table=True):
    """A member's answer to being recorded in a space, kept until they change it."""

    __tablename__ = "recording_consent"

    platform: str = Field(primary_key=True, max_length=20)
    space_id: str = Field(primary_key=True, max_length=40)
    user_id: str = Field(primary_key=True, max_length=40)
    accepted: bool = False
    at: datetime = Field(sa_type=UtcDateTime, nullable=False)


class StrikeRow(SQLModel, table=True):
    """A member whose voice is left out of a stage's replay (struck by a moderator, or removed at their asking)."""

    __tablename__ = "replay_strike"

    stage_id: str = Field(foreign_key="stage.id", primary_key=True, max_length=40)
    user_id: str = Field(primary_key=True, max_length=40)
    actor_id: str = Field(max_length=40)
    at: datetime = Field(sa_type=UtcDateTime, nullable=False)


class ReplayRow(SQLModel, table=True):
    __tablename__ = "replay"

    id: str = Field(primary_key=True, max_length=40)
    stage_id: str = Field(foreign_key="stage.id", index=True, max_length=40)
    platform: str = Field(max_length=20)
    space_id: str = Field(max_length=40, index=True)
    channel_id: str = Field(max_length=40)
    title: str = Field(max_length=200)
    file: str = Field(max_length=200)  # inside REPLAY_DIR
    bytes: int = 0
    seconds: float = 0.0
    speakers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    chapters: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_type=UtcDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UtcDateTime, nullable=False, index=True)
    posted_channel_id: str | None = Field(default=None, max_length=40)
    posted_message_id: str | None = Field(default=None, max_length=40)
