"""recording consent, struck segments and replays

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-04 00:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.persistence.types import UtcDateTime

revision = '0008'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Stages already stored keep recording off: their rules JSON has no "record" key, read as the default.
    with op.batch_alter_table('schedule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('record', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        'recording_consent',
        sa.Column('platform', sa.String(length=20), nullable=False),
        sa.Column('space_id', sa.String(length=40), nullable=False),
        sa.Column('user_id', sa.String(length=40), nullable=False),
        sa.Column('accepted', sa.Boolean(), nullable=False),
        sa.Column('at', UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('platform', 'space_id', 'user_id'))
    op.create_table(
        'replay_strike',
        sa.Column('stage_id', sa.String(length=40), nullable=False),
        sa.Column('user_id', sa.String(length=40), nullable=False),
        sa.Column('actor_id', sa.String(length=40), nullable=False),
        sa.Column('at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['stage_id'], ['stage.id']),
        sa.PrimaryKeyConstraint('stage_id', 'user_id'))
    op.create_table(
        'replay',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('stage_id', sa.String(length=40), nullable=False),
        sa.Column('platform', sa.String(length=20), nullable=False),
        sa.Column('space_id', sa.String(length=40), nullable=False),
        sa.Column('channel_id', sa.String(length=40), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('file', sa.String(length=200), nullable=False),
        sa.Column('bytes', sa.Integer(), nullable=False),
        sa.Column('seconds', sa.Float(), nullable=False),
        sa.Column('speakers', sa.JSON(), nullable=False),
        sa.Column('chapters', sa.JSON(), nullable=False),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.Column('expires_at', UtcDateTime(), nullable=False),
        sa.Column('posted_channel_id', sa.String(length=40), nullable=True),
        sa.Column('posted_message_id', sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(['stage_id'], ['stage.id']),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_replay_stage_id', 'replay', ['stage_id'])
    op.create_index('ix_replay_space_id', 'replay', ['space_id'])
    op.create_index('ix_replay_expires_at', 'replay', ['expires_at'])


def downgrade() -> None:
    with op.batch_alter_table('schedule', schema=None) as batch_op:
        batch_op.drop_column('record')
    op.drop_table('replay')
    op.drop_table('replay_strike')
    op.drop_table('recording_consent')
