"""Real databases, Apps built by the composition root, and a fake platform that records what it is asked.

Every test that takes ``database_url`` runs twice: on a SQLite file and on PostgreSQL. Each PostgreSQL test
gets a schema of its own, named in the connection's ``search_path``, so Alembic's version table and every
table the test creates live there and vanish with ``DROP SCHEMA ... CASCADE``; tests never see each other's
rows nor whatever else lives in the database's ``public`` schema.
"""

from __future__ import annotations

import pytest

from tests.fakes.platform import FakePlatform
from tests.support.apps import apps, pg_apps  # noqa: F401 - fixtures
from tests.support.databases import database_url, db, pg_engine, pg_url, plain_engine  # noqa: F401 - fixtures


@pytest.fixture
def platform() -> FakePlatform:
    return FakePlatform()
