"""one board editor at a time per Slack stage across replicas: who edits its board, until when

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 12:45:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('slack_stage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('board_editor', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('board_turn_until', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('slack_stage', schema=None) as batch_op:
        batch_op.drop_column('board_turn_until')
        batch_op.drop_column('board_editor')
