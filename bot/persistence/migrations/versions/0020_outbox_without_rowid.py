"""outbox without rowid on SQLite: one b-tree keyed by (stream, position) instead of a table and its key's index

Every command writes an outbox row and every delivery deletes it; keyed by a composite primary key, a rowid
table keeps the rows and that key in two b-trees, each a page more to write at the commit. PostgreSQL is
unchanged.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 15:30:00
"""
from __future__ import annotations

from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

_COLUMNS = "stream, position, platform, kind, payload, created_at, owner, claimed_until"


def _rebuild(rowid: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("""CREATE TABLE outbox_rebuilt (
        stream VARCHAR(40) NOT NULL,
        position BIGINT NOT NULL,
        platform VARCHAR(20) NOT NULL,
        kind VARCHAR(30) NOT NULL,
        payload JSON NOT NULL,
        created_at DATETIME NOT NULL,
        owner VARCHAR(60) NOT NULL,
        claimed_until DATETIME NOT NULL,
        PRIMARY KEY (stream, position)
    )""" + ("" if rowid else " WITHOUT ROWID"))
    op.execute(f"INSERT INTO outbox_rebuilt ({_COLUMNS}) SELECT {_COLUMNS} FROM outbox")
    op.execute("DROP TABLE outbox")
    op.execute("ALTER TABLE outbox_rebuilt RENAME TO outbox")


def upgrade() -> None:
    _rebuild(rowid=False)


def downgrade() -> None:
    _rebuild(rowid=True)
