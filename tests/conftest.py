"""Fixtures shared by every test: databases on each backend, a frozen clock, a desk user.

Every storage test runs on SQLite and, when ``DESK_TEST_DATABASE_URL`` points
at PostgreSQL, again on PostgreSQL (in schemas the tests create and drop), so
the same rules are proven on both databases the desk supports. PostgreSQL cases
carry the ``postgres`` marker; without ``DESK_TEST_DATABASE_URL`` they are
deselected when collected, so a SQLite-only run lists no skips for them.

Nothing here touches a real home directory: ``DESK_DATA_DIR`` and
``DESK_CONFIG`` point into pytest's temporary area for the whole run.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

import desk.models  # noqa: F401  (every table on SQLModel.metadata)
from desk import db
from desk.history import Actor
from desk.services import reference
from desk.services.reference import StaffRow
from tests.helpers.dbspec import DbSpec
from tests.helpers.fixtures import FROZEN_AT, FrozenClock, Registrar, frozen

PG_URL = os.environ.get("DESK_TEST_DATABASE_URL", "")
ZONE = "BXM"


def pytest_report_header() -> str:
    """Say on which databases this run proves the rules."""
    if PG_URL:
        return f"PostgreSQL tests: on ({PG_URL})"
    return "PostgreSQL tests: deselected (set DESK_TEST_DATABASE_URL to run the postgres-marked cases too)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without a PostgreSQL URL, leave the ``postgres`` cases out of the run instead of listing each as skipped."""
    if PG_URL:
        return
    kept = [item for item in items if item.get_closest_marker("postgres") is None]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item.get_closest_marker("postgres")])
        items[:] = kept


@pytest.fixture(scope="session", autouse=True)
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the desk (and any subprocess it starts) away from the real data and config directories."""
    home = tmp_path_factory.mktemp("desk-home")
    saved = {k: os.environ.get(k) for k in ("DESK_DATA_DIR", "DESK_CONFIG")}
    os.environ["DESK_DATA_DIR"] = str(home / "data")
    os.environ["DESK_CONFIG"] = str(home / "config.toml")  # never created: defaults only
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


# --- databases --------------------------------------------------------------------
#
# A test gets a clean database in one of two ways:
#   ``database``  an EMPTY one: a new SQLite file, or a new PostgreSQL schema dropped
#                 afterwards (the migration tests start here);
#   ``engine``    a READY one, migrated and holding the reference data. Migrating from
#                 nothing for every test costs 0.3-0.5 s on PostgreSQL, so each backend is
#                 migrated once per session and every test starts from a clean copy: a copy
#                 of the SQLite file, or the session's PostgreSQL schema emptied and its
#                 sequences restarted. The fixture still runs ``db.migrate`` and
#                 ``reference.load`` itself, exactly as the desk does when it opens.

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Which database the test runs on; ``parametrize("backend", [...], indirect=True)`` narrows it."""
    if request.param == "postgresql" and not PG_URL:
        pytest.skip("PostgreSQL: set DESK_TEST_DATABASE_URL to run")
    return str(request.param)


@contextmanager
def _empty_database(backend: str, folder: Path) -> Iterator[DbSpec]:
    """A new SQLite file in ``folder``, or a new PostgreSQL schema dropped afterwards."""
    if backend == "sqlite":
        yield DbSpec(f"sqlite:///{folder}/desk.db")
        return
    if not PG_URL:
        pytest.skip("PostgreSQL: set DESK_TEST_DATABASE_URL to run")
    schema = f"desk_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield DbSpec(PG_URL, schema)
    finally:
        with admin.begin() as conn:
            # A leaked transaction must fail the teardown, not hang the run.
            conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def _ready_engine(spec: DbSpec) -> Iterator[Engine]:
    """The desk's own start-up on ``spec``: migrate, then load the reference data."""
    eng = spec.engine()
    db.migrate(eng)
    with db.writing(eng) as session:
        reference.load(session)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def database(backend: str, tmp_path: Path) -> Iterator[DbSpec]:
    """An empty database, private to one test."""
    with _empty_database(backend, tmp_path) as spec:
        yield spec


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated once, with the reference data, to copy for each test."""
    spec = DbSpec(f"sqlite:///{tmp_path_factory.mktemp('template')}/desk.db")
    with _ready_engine(spec):
        pass  # disposing the engine checkpoints the WAL into the file
    return Path(make_url(spec.url).database or "")


@pytest.fixture(scope="session")
def _postgres_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DbSpec]:
    """This session's PostgreSQL schema, migrated once; emptied before each test that uses it."""
    with _empty_database("postgresql", tmp_path_factory.getbasetemp()) as spec:
        with _ready_engine(spec):
            pass
        yield spec


def _empty_tables(spec: DbSpec) -> None:
    """Delete every row and restart every id sequence: a clean slate without new DDL."""
    names = [f'"{t.name}"' for t in reversed(SQLModel.metadata.sorted_tables)]  # children first
    eng = spec.engine(poolclass=NullPool)
    try:
        with eng.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '10s'"))  # a leaked transaction fails, not hangs
            sequences = (
                conn.execute(
                    text(
                        "SELECT sequence_name FROM information_schema.sequences"
                        " WHERE sequence_schema = current_schema()"
                    )
                )
                .scalars()
                .all()
            )
            conn.exec_driver_sql(
                "; ".join([f"DELETE FROM {n}" for n in names] + [f'ALTER SEQUENCE "{s}" RESTART' for s in sequences])
            )
    finally:
        eng.dispose()


@pytest.fixture
def engine_spec(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> DbSpec:
    """Where ``engine`` lives, for tests that open more engines or processes on it."""
    if backend == "sqlite":
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), tmp_path / "desk.db")
        return DbSpec(f"sqlite:///{tmp_path}/desk.db")
    spec: DbSpec = request.getfixturevalue("_postgres_schema")
    _empty_tables(spec)
    return spec


@pytest.fixture
def engine(engine_spec: DbSpec) -> Iterator[Engine]:
    """A migrated database with the shipped reference data (zones, practices, wards, staff) and nothing else."""
    with _ready_engine(engine_spec) as eng:
        yield eng


@pytest.fixture(scope="module", params=BACKENDS)
def shared_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DbSpec]:
    """One database of each backend for a whole module (see ``shared_engine``)."""
    with _empty_database(request.param, tmp_path_factory.mktemp("shared")) as spec:
        yield spec


@pytest.fixture(scope="module")
def shared_engine(shared_database: DbSpec) -> Iterator[Engine]:
    """Like ``engine`` but set up once per module: for tests that only read what a module fixture wrote."""
    with _ready_engine(shared_database) as eng:
        yield eng


@pytest.fixture
def reopen(engine_spec: DbSpec) -> Iterator[Callable[[], Engine]]:
    """Open a brand-new engine on the engine's database, as a restarted desk would."""
    opened: list[Engine] = []

    def _open() -> Engine:
        eng = engine_spec.engine()
        opened.append(eng)
        return eng

    yield _open
    for eng in opened:
        eng.dispose()


# --- time -------------------------------------------------------------------------


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    """Freeze desk.clock at 2026-11-23 10:30 UTC (a Monday, GMT) and restore it afterwards."""
    with frozen(FROZEN_AT) as stopped:
        yield stopped


# --- people at the desk -------------------------------------------------------------


@pytest.fixture
def bxm_staff(engine: Engine) -> dict[str, StaffRow]:
    """Brixham's team by role (the first of each role by name)."""
    with db.reading(engine) as session:
        team: dict[str, StaffRow] = {}
        for row in reference.staff(session, ZONE):
            team.setdefault(row.role, row)
    return team


@pytest.fixture
def actor(bxm_staff: dict[str, StaffRow]) -> Actor:
    """A Brixham co-ordinator at desk-1."""
    return Actor(bxm_staff["coordinator"].id, "desk-1")


@pytest.fixture
def register(engine: Engine, actor: Actor, clock: FrozenClock) -> Registrar:
    """Register people quickly: ``register(family_name="Pascoe")``."""
    return Registrar(engine, actor)
