"""tags on stages and series: what members find and follow them by

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 12:45:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A JSON list, as the stage's rules are; stages and series stored before have none.
    for table in ('stage', 'schedule'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('tags', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    for table in ('stage', 'schedule'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('tags')
