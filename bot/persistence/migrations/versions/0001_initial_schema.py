"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 22:34:30.888327
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import bot.persistence.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('member_setting',
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.PrimaryKeyConstraint('platform', 'user_id')
    )
    op.create_table('space_setting',
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('space_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.PrimaryKeyConstraint('platform', 'space_id')
    )
    op.create_table('stage',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('space_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('host_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('hands_locked', sa.Boolean(), nullable=False),
    sa.Column('created_at', bot.persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('opened_at', bot.persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', bot.persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('hand_seq', sa.Integer(), nullable=False),
    sa.Column('peak_audience', sa.Integer(), nullable=False),
    sa.Column('hands_raised', sa.Integer(), nullable=False),
    sa.Column('hands_served', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_state'), ['state'], unique=False)
        batch_op.create_index('uq_stage_live_channel', ['platform', 'space_id', 'channel_id'], unique=True, sqlite_where=sa.text("state = 'live'"), postgresql_where=sa.text("state = 'live'"))

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('at', bot.persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('actor_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('target_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['stage_id'], ['stage.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_stage_id_id', ['stage_id', 'id'], unique=False)

    op.create_table('participant',
    sa.Column('stage_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('left_at', bot.persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('hand_raised_at', bot.persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('hand_seq', sa.Integer(), nullable=True),
    sa.Column('hand_note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('hand_priority', sa.Float(), nullable=True),
    sa.Column('speaking_since', bot.persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('warned', sa.Boolean(), nullable=False),
    sa.Column('talk_seconds', sa.Float(), nullable=False),
    sa.Column('turns', sa.Integer(), nullable=False),
    sa.Column('hands_raised', sa.Integer(), nullable=False),
    sa.Column('cooldown_until', bot.persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('invited', sa.Boolean(), nullable=False),
    sa.Column('blocked', sa.Boolean(), nullable=False),
    sa.Column('moderator', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['stage_id'], ['stage.id'], ),
    sa.PrimaryKeyConstraint('stage_id', 'user_id')
    )
    op.create_table('recap',
    sa.Column('stage_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('created_at', bot.persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('duration_seconds', sa.Float(), nullable=False),
    sa.Column('peak_audience', sa.Integer(), nullable=False),
    sa.Column('hands_raised', sa.Integer(), nullable=False),
    sa.Column('hands_served', sa.Integer(), nullable=False),
    sa.Column('speakers', sa.JSON(), nullable=False),
    sa.Column('still_waiting', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['stage_id'], ['stage.id'], ),
    sa.PrimaryKeyConstraint('stage_id')
    )


def downgrade() -> None:
    op.drop_table('recap')
    op.drop_table('participant')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_stage_id_id')

    op.drop_table('audit_log')
    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.drop_index('uq_stage_live_channel', sqlite_where=sa.text("state = 'live'"), postgresql_where=sa.text("state = 'live'"))
        batch_op.drop_index(batch_op.f('ix_stage_state'))

    op.drop_table('stage')
    op.drop_table('space_setting')
    op.drop_table('member_setting')
