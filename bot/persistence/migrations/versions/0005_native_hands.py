"""hands raised with the platform's own control

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 01:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Hands already up were raised before anyone told them apart: none is taken for a native one.
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hand_native', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_column('hand_native')
