"""Screen-test fixtures: each test drives the real app on its own database.

Every screen test runs on SQLite, and on PostgreSQL too when
DESK_TEST_DATABASE_URL is set (each test in a schema of its own).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.screens.screen_zone import Zone, make_zone

PG_URL = os.environ.get("DESK_TEST_DATABASE_URL", "")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def zone(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Zone]:
    """A fresh zone for one test, on each backend available."""
    if request.param == "sqlite":
        z = make_zone(f"sqlite:///{tmp_path}/desk.db")
        yield z
        z.engine.dispose()
        return
    if not PG_URL:
        pytest.skip("DESK_TEST_DATABASE_URL not set")
    schema = f"screen_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    z = make_zone(PG_URL, search_path=schema)
    try:
        yield z
    finally:
        z.engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
