"""scheduled stages, rsvps, idle close

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 23:17:31.327450
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import bot.persistence.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('schedule',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('space_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('host_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('first_at', bot.persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('duration', sa.Integer(), nullable=False),
    sa.Column('recurrence', sa.JSON(), nullable=False),
    sa.Column('reminder_lead', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('next_at', bot.persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('skipped', sa.JSON(), nullable=False),
    sa.Column('reminded', bot.persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_opened', bot.persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('platform_event_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('created_at', bot.persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('schedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_next_at'), ['next_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedule_platform_event_id'), ['platform_event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedule_space_id'), ['space_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedule_state'), ['state'], unique=False)

    op.create_table('rsvp',
    sa.Column('schedule_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('occurrence', bot.persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.ForeignKeyConstraint(['schedule_id'], ['schedule.id'], ),
    sa.PrimaryKeyConstraint('schedule_id', 'occurrence', 'user_id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('schedule_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.alter_column('stage_id',
               existing_type=sa.VARCHAR(length=40),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_audit_log_schedule_id'), ['schedule_id'], unique=False)
        batch_op.create_foreign_key('fk_audit_log_schedule_id', 'schedule', ['schedule_id'], ['id'])

    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idle_since', bot.persistence.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('schedule_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.drop_column('schedule_id')
        batch_op.drop_column('idle_since')

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_constraint('fk_audit_log_schedule_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_audit_log_schedule_id'))
        batch_op.alter_column('stage_id',
               existing_type=sa.VARCHAR(length=40),
               nullable=False)
        batch_op.drop_column('schedule_id')

    op.drop_table('rsvp')
    with op.batch_alter_table('schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_state'))
        batch_op.drop_index(batch_op.f('ix_schedule_space_id'))
        batch_op.drop_index(batch_op.f('ix_schedule_platform_event_id'))
        batch_op.drop_index(batch_op.f('ix_schedule_next_at'))

    op.drop_table('schedule')
