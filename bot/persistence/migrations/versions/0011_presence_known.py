"""presence that can be unknown: whether the platform sees a stage's audio room

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-04 00:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('stage', schema=None) as batch_op:
        # Every stage stored so far had its presence known (the rule applied to all of them).
        batch_op.add_column(sa.Column('presence_known', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.drop_column('presence_known')
