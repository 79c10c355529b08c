"""The Slack adapter's tables, in the core's database (so several bot processes on one PostgreSQL share them)
and versioned with the core's Alembic history: the migration environment imports this module through
adapters/platforms.py, so autogenerate sees these tables next to the core's."""

from __future__ import annotations

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class SlackHuddleRow(SQLModel, table=True):
    """A Slack huddle seen in a channel: its thread there, who is in it, whether it ended."""

    __tablename__ = "slack_huddle"

    room_id: str = Field(primary_key=True, max_length=40)
    team_id: str = Field(max_length=40)
    channel_id: str = Field(max_length=40, index=True)
    thread_ts: str = Field(max_length=40)
    participants: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    ended: bool = False


class SlackStageRow(SQLModel, table=True):
    """Per live Slack stage: the huddle it follows, its board in the huddle's thread, whether the huddle's
    end closes it."""

    __tablename__ = "slack_stage"

    stage_id: str = Field(primary_key=True, max_length=40)
    follow_huddle: bool = False
    room_id: str | None = Field(default=None, max_length=40, index=True)
    thread_board_ts: str | None = Field(default=None, max_length=40)
    # One replica edits the stage's boards at a time (board_turns.py): which one, and until when (seconds
    # since the epoch): the end of its turn while it edits, then the earliest moment of the next edit.
    board_editor: str | None = Field(default=None, max_length=60)
    board_turn_until: float | None = None
