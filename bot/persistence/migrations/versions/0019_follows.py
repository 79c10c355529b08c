"""follows: members following tags and hosts, and the followers told of each stage or series

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 13:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.persistence.types import UtcDateTime

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'follow',
        sa.Column('platform', sa.String(length=20), nullable=False),
        sa.Column('space_id', sa.String(length=40), nullable=False),
        sa.Column('user_id', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('target', sa.String(length=40), nullable=False),
        sa.Column('at', UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('platform', 'space_id', 'user_id', 'kind', 'target'),
    )
    with op.batch_alter_table('follow', schema=None) as batch_op:
        batch_op.create_index('ix_follow_target', ['platform', 'space_id', 'kind', 'target'], unique=False)
    op.create_table(
        'follow_notice',
        sa.Column('subject_id', sa.String(length=40), nullable=False),
        sa.Column('user_id', sa.String(length=40), nullable=False),
        sa.Column('at', UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('subject_id', 'user_id'),
    )


def downgrade() -> None:
    op.drop_table('follow_notice')
    with op.batch_alter_table('follow', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_target')
    op.drop_table('follow')
