"""`podium doctor`: what an admin checks before (or instead of) reading logs, as a ✓/✗ table with a fix for
each ✗. The core checks its settings and the database; each platform adds its own checks (adapters/*/doctor.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import text

from bot.config import Settings
from bot.persistence import schema
from bot.persistence.database import Database


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool | None  # None: not checked (what it needs is missing or not asked for); never counts as passed
    detail: str
    fix: str = ""

    @property
    def mark(self) -> str:
        return {True: "✓", False: "✗", None: "–"}[self.ok]


def passed(name: str, detail: str) -> Check:
    return Check(name, True, detail)


def failed(name: str, detail: str, fix: str) -> Check:
    return Check(name, False, detail, fix)


def skipped(name: str, detail: str) -> Check:
    return Check(name, None, detail)


def table(checks: Iterable[Check]) -> list[str]:
    rows = list(checks)
    width = max((len(c.name) for c in rows), default=0)
    lines = []
    for check in rows:
        lines.append(f"{check.mark} {check.name.ljust(width)}  {check.detail}")
        if check.ok is False and check.fix:
            lines.append(f"  {' ' * width}  fix: {check.fix}")
    return lines


def database_checks(settings: Settings, variable: str, value: str) -> list[Check]:
    """Reachable, migrated to the newest schema, writable: each its own line, each with what to do."""
    from bot.startup import explain

    db: Database | None = None
    try:
        db = Database(settings.resolved_database_url)
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:
        known = explain(error, variable=variable, value=value)
        detail = known.lines()[0].removeprefix("podium: ") if known else f"{type(error).__name__}: {error}"
        fix = known.expected if known else "see the README's troubleshooting table"
        if db is not None:
            db.engine.dispose()
        return [failed("database reachable", detail, fix),
                skipped("database migrated", "needs the database"), skipped("database writable", "needs the database")]
    try:
        checks = [passed("database reachable", f"{db.dialect} at {_where(settings)}")]
        current, newest = schema.current(db), schema.head()
        if current == newest:
            checks.append(passed("database migrated", f"schema {current} (the newest)"))
        else:
            checks.append(failed("database migrated", f"schema {current or 'empty'}, newest {newest}",
                                 "podium db upgrade (podium run also upgrades at start)"))
        checks.append(_writable(db) if current else skipped("database writable", "needs the schema first"))
        return checks
    finally:
        db.engine.dispose()


def _where(settings: Settings) -> str:
    from bot.startup import mask_url

    return mask_url(settings.database_url) if settings.database_url else str(settings.sqlite_path)


def _writable(db: Database) -> Check:
    """A write that is rolled back: a read-only file or a role without rights refuse it."""
    try:
        with db.engine.connect() as conn:
            with conn.begin() as transaction:
                conn.execute(text("UPDATE alembic_version SET version_num = version_num"))
                transaction.rollback()
        return passed("database writable", "a test write succeeded (and was rolled back)")
    except Exception as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return failed("database writable", reason,
                      "let Podium's user write the SQLite file and its directory, or GRANT the PostgreSQL role "
                      "CREATE and write rights on its schema")
