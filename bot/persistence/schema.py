"""Schema versions through Alembic: `podium db upgrade`, and the bot upgrades on start."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from bot.persistence.database import Database

MIGRATIONS = Path(__file__).with_name("migrations")
_MIGRATION_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended('podium:migrations:' || current_schema(), 0))")


def alembic_config(db: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", db.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def upgrade(db: Database, revision: str = "head") -> None:
    """Several processes may start at once on one PostgreSQL: the first to take the migration lock upgrades,
    the others wait for it, then find nothing left to do."""
    config = alembic_config(db)
    with db.engine.begin() as conn:
        if db.shared:
            conn.execute(_MIGRATION_LOCK)
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def downgrade(db: Database, revision: str) -> None:
    config = alembic_config(db)
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def current(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()
