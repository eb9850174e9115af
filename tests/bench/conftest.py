"""One small seeded trust for the bench's measure tests, on SQLite and (with DESK_TEST_DATABASE_URL) PostgreSQL.

Seeded once a run for every module that measures on it: each measure puts
the database back as it was seeded, and its module's tests check that, so
the next module finds the trust as seeded. The figures at this size mean
nothing and are not checked.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from bench.core import Context
from bench.data import engine_for, prepare

PG_URL = os.environ.get("DESK_TEST_DATABASE_URL", "")


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def small_trust(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    """A seeded trust of 3,000 people, 2,000 on the caseload: about 30 in hospital and a year of discharges."""
    if request.param == "sqlite":
        url, schema = f"sqlite:///{tmp_path_factory.mktemp('bench')}/scale.db", ""
    else:
        url, schema = PG_URL, f"bench_{uuid.uuid4().hex[:12]}"
    engine, counts, _ = prepare(url, schema=schema, people=3000, caseload=2000, calls=2000, seed=380, reuse=False)
    try:
        yield Context(engine=engine, url=url, backend=request.param, counts=counts, once=True)
    finally:
        engine.dispose()
        if schema:
            base = engine_for(url, "public")
            with base.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            base.dispose()
