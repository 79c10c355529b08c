"""schedule messages, slack huddles and stages

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 00:04:48.394219
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Before this revision the Slack adapter created its two tables itself at start, with these very
    # columns and indexes: a database that has them keeps them, rows and all.
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if 'slack_huddle' not in existing:
        op.create_table('slack_huddle',
        sa.Column('room_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('thread_ts', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('participants', sa.JSON(), nullable=False),
        sa.Column('ended', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('room_id')
        )
        with op.batch_alter_table('slack_huddle', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_slack_huddle_channel_id'), ['channel_id'], unique=False)

    if 'slack_stage' not in existing:
        op.create_table('slack_stage',
        sa.Column('stage_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('follow_huddle', sa.Boolean(), nullable=False),
        sa.Column('room_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column('thread_board_ts', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.PrimaryKeyConstraint('stage_id')
        )
        with op.batch_alter_table('slack_stage', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_slack_stage_room_id'), ['room_id'], unique=False)

    op.create_table('schedule_message',
    sa.Column('schedule_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.ForeignKeyConstraint(['schedule_id'], ['schedule.id'], ),
    sa.PrimaryKeyConstraint('schedule_id')
    )


def downgrade() -> None:
    op.drop_table('schedule_message')
    with op.batch_alter_table('slack_stage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slack_stage_room_id'))

    op.drop_table('slack_stage')
    with op.batch_alter_table('slack_huddle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slack_huddle_channel_id'))

    op.drop_table('slack_huddle')
