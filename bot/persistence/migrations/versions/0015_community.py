"""community: members' tallies of closed stages, badges, hidden statistics, a space's thresholds, stage links

Revision ID: 0015
Revises: 0011
Create Date: 2026-12-04 07:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.persistence.types import UtcDateTime

revision = '0015'
down_revision = '0011'
branch_labels = None
depends_on = None


def _member() -> list[sa.Column]:  # type: ignore[type-arg]
    return [sa.Column('platform', sa.String(length=20), nullable=False),
            sa.Column('space_id', sa.String(length=40), nullable=False),
            sa.Column('user_id', sa.String(length=40), nullable=False)]


def _sums() -> list[sa.Column]:  # type: ignore[type-arg]
    return [sa.Column(name, sa.Float() if name.endswith("seconds") else sa.Integer(), nullable=False)
            for name in ('stages', 'present_seconds', 'turns', 'spoke_seconds', 'hands_raised', 'hands_served',
                         'hosted', 'peak_audience', 'incidents')]


def upgrade() -> None:
    op.create_table(
        'member_tally',
        sa.Column('stage_id', sa.String(length=40), nullable=False),
        sa.Column('user_id', sa.String(length=40), nullable=False),
        sa.Column('platform', sa.String(length=20), nullable=False),
        sa.Column('space_id', sa.String(length=40), nullable=False),
        sa.Column('closed_at', UtcDateTime(), nullable=False),
        sa.Column('present_seconds', sa.Float(), nullable=False),
        sa.Column('turns', sa.Integer(), nullable=False),
        sa.Column('spoke_seconds', sa.Float(), nullable=False),
        sa.Column('hands_raised', sa.Integer(), nullable=False),
        sa.Column('hands_served', sa.Integer(), nullable=False),
        sa.Column('hosted', sa.Boolean(), nullable=False),
        sa.Column('peak_audience', sa.Integer(), nullable=False),
        sa.Column('incidents', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['stage_id'], ['stage.id']),
        sa.PrimaryKeyConstraint('stage_id', 'user_id'))
    op.create_index('ix_member_tally_space_closed', 'member_tally', ['platform', 'space_id', 'closed_at'])
    op.create_index('ix_member_tally_space_user', 'member_tally', ['platform', 'space_id', 'user_id', 'closed_at'])
    op.create_table('member_day', *_member(), *_sums(),
                    sa.Column('day', sa.Date(), nullable=False),
                    sa.PrimaryKeyConstraint('platform', 'space_id', 'user_id', 'day'))
    op.create_index('ix_member_day_space_day', 'member_day', ['platform', 'space_id', 'day'])
    op.create_table('member_total', *_member(), *_sums(),
                    sa.PrimaryKeyConstraint('platform', 'space_id', 'user_id'))
    op.create_table(
        'stats_hidden',
        sa.Column('platform', sa.String(length=20), nullable=False),
        sa.Column('space_id', sa.String(length=40), nullable=False),
        sa.Column('user_id', sa.String(length=40), nullable=False),
        sa.Column('at', UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('platform', 'space_id', 'user_id'))
    op.create_table(
        'member_badge',
        sa.Column('platform', sa.String(length=20), nullable=False),
        sa.Column('space_id', sa.String(length=40), nullable=False),
        sa.Column('user_id', sa.String(length=40), nullable=False),
        sa.Column('badge', sa.String(length=40), nullable=False),
        sa.Column('stage_id', sa.String(length=40), nullable=False),
        sa.Column('at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['stage_id'], ['stage.id']),
        sa.PrimaryKeyConstraint('platform', 'space_id', 'user_id', 'badge'))
    op.create_table(
        'community_setting',
        sa.Column('platform', sa.String(length=20), nullable=False),
        sa.Column('space_id', sa.String(length=40), nullable=False),
        sa.Column('thresholds', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('platform', 'space_id'))


    op.create_table(
        'stage_link',
        sa.Column('stage_id', sa.String(length=40), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('label', sa.String(length=80), nullable=False),
        sa.Column('actor_id', sa.String(length=40), nullable=False),
        sa.Column('at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['stage_id'], ['stage.id']),
        sa.PrimaryKeyConstraint('stage_id', 'number'))


def downgrade() -> None:
    op.drop_table('stage_link')
    op.drop_table('community_setting')
    op.drop_table('member_badge')
    op.drop_table('stats_hidden')
    op.drop_table('member_total')
    op.drop_index('ix_member_day_space_day', table_name='member_day')
    op.drop_table('member_day')
    op.drop_index('ix_member_tally_space_user', table_name='member_tally')
    op.drop_index('ix_member_tally_space_closed', table_name='member_tally')
    op.drop_table('member_tally')
