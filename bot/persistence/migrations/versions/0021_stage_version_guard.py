"""podium_still: a stage version check the server makes inside the transaction (PostgreSQL)

A transaction that writes stages checks that each is still at the version its commands were judged on. Made by
the server, a failed check aborts the transaction before its COMMIT, so BEGIN, the writes, the checks and the
COMMIT can go out together, answered once. The function raises SQLSTATE PDMOV naming, in its detail (a JSON
array), the expected stage ids not seen; it returns how many were seen (none: `seen` may be NULL, as array_agg
of no rows is; not called `found`, a name PL/pgSQL keeps). SQLite is unchanged (one process: its checks stay in
the bot).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 06:50:00
"""
from __future__ import annotations

from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""CREATE OR REPLACE FUNCTION podium_still(expected text[], seen text[]) RETURNS integer
        LANGUAGE plpgsql AS $$
        DECLARE
            gone text[] := ARRAY(SELECT e FROM unnest(expected) AS e
                                 WHERE NOT (e = ANY (coalesce(seen, '{}'::text[]))) ORDER BY e);
        BEGIN
            IF cardinality(gone) > 0 THEN
                RAISE EXCEPTION 'stages written by another process meanwhile: %', array_to_string(gone, ', ')
                    USING ERRCODE = 'PDMOV', DETAIL = to_json(gone)::text;
            END IF;
            RETURN coalesce(cardinality(seen), 0);
        END $$""")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS podium_still(text[], text[])")
