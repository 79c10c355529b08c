"""blocks held across a space: an index to find each member's latest block or unblock

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 07:30:00
"""
from __future__ import annotations

from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # bot.persistence.blocks reads a space's blocks from the audit trail at every opening: by kind, then member.
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_kind_target_id', ['kind', 'target_id', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_kind_target_id')
