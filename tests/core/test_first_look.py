"""The first look: the desk's first screen read with the driver alone must say what the services say.

Its staff and zone look-ups mirror ``reference.staff`` and ``reference.zone``,
and the caseload runs through the driver with the same SQL the services run
through a session (desk.caseload_query). These tests hold the two ways to the
same answers on a seeded population, on SQLite and PostgreSQL, and check that
anything out of the ordinary sends the desk the ordinary way in.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from desk import caseload_query, clock, db, demo, driver
from desk.first_look import HEAD_REVISION, FirstLook, Prefetch, first_look
from desk.rows import PAGE_SIZE
from desk.services import caseload, reference
from tests.helpers.dbspec import DbSpec

NOW = datetime(2025, 3, 12, 11, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def seeded(shared_database: DbSpec, shared_engine: Engine) -> Iterator[DbSpec]:
    """A demo population of 400 across the zones (read only by these tests)."""
    with db.writing(shared_engine) as session:
        demo.seed_demo(session, people=400, now=NOW)
    yield shared_database


def _staff_of(engine: Engine, zone: str) -> int:
    with db.reading(engine) as session:
        return next(s.id for s in reference.staff(session, zone) if s.role == "coordinator")


@pytest.mark.parametrize("zone_setting", ["", "BXM", "bxm"])
@pytest.mark.parametrize("all_zones", [False, True])
def test_the_first_look_shows_what_the_services_would(
    seeded: DbSpec, shared_engine: Engine, zone_setting: str, all_zones: bool
) -> None:
    staff_id = _staff_of(shared_engine, "BXM")
    look = first_look(seeded.cli_url(), zone=zone_setting, staff_id=staff_id, all_zones=all_zones, page_size=10)
    assert look is not None
    with db.reading(shared_engine) as session:
        staff = reference.staff(session, zone_setting.upper() or None)
        zone = reference.zone(session, "BXM")
        page = caseload.page(session, None if all_zones else "BXM", staff_id=staff_id, limit=10)
    assert look.staff == staff
    assert look.chosen is not None and look.chosen.id == staff_id
    assert zone is not None
    assert (look.zone_id, look.zone_name, look.zone_phone_e164) == (zone.id, zone.name, zone.phone_e164)
    assert look.first_page == page
    assert look.first_page is not None and look.first_page.total > len(look.first_page.rows) > 0


@pytest.mark.parametrize("filter_key", ["zone", "mine", "hospital", "due", "crisis"])
@pytest.mark.parametrize("sort", ["name", "age", "due", "practice", "key_worker"])
def test_the_driver_pages_the_caseload_as_the_session_does(
    seeded: DbSpec, shared_engine: Engine, filter_key: str, sort: str
) -> None:
    """Before the ORM has loaded, the caseload's keys are answered through the driver: the same pages, every way."""
    staff_id = _staff_of(shared_engine, "BXM")
    reader = driver.connect(seeded.cli_url())
    assert reader is not None
    try:
        for zone_id, descending, search, offset in [
            ("BXM", False, "", 0),
            (None, True, "", 7),
            (None, False, "b", 3),
            ("BXM", False, "999", 0),
            (None, False, "", 10_000),
        ]:
            options = dict(
                filter_key=filter_key,
                staff_id=staff_id,
                sort=sort,
                descending=descending,
                search=search,
                offset=offset,
                limit=5,
            )
            with db.reading(shared_engine) as session:
                expected = caseload.page(session, zone_id, **options)  # type: ignore[arg-type]
            got = caseload_query.page(reader.rows, reader.dialect, zone_id, today=clock.today(), **options)  # type: ignore[arg-type]
            assert got == expected, (zone_id, options)
    finally:
        reader.close()


def test_every_zone_opens_on_its_own_caseload(seeded: DbSpec, shared_engine: Engine) -> None:
    with db.reading(shared_engine) as session:
        zones = [z.id for z in reference.zones(session)]
    assert len(zones) == 5  # the shipped reference data's zones: each is checked below
    for zone_id in zones:
        staff_id = _staff_of(shared_engine, zone_id)
        look = first_look(seeded.cli_url(), staff_id=staff_id)
        assert look is not None and look.zone_id == zone_id
        with db.reading(shared_engine) as session:
            assert look.first_page == caseload.page(session, zone_id, limit=PAGE_SIZE)


def test_nobody_chosen_gives_the_pickers_list_and_no_page(seeded: DbSpec, shared_engine: Engine) -> None:
    look = first_look(seeded.cli_url(), zone="BXM", staff_id=None)
    assert look is not None and look.chosen is None and look.first_page is None
    with db.reading(shared_engine) as session:
        assert look.staff == reference.staff(session, "BXM")
    other_zone = _staff_of(shared_engine, "PGN")
    assert first_look(seeded.cli_url(), zone="BXM", staff_id=other_zone).chosen is None  # type: ignore[union-attr]


def test_the_child_process_hands_over_the_same_look(seeded: DbSpec, shared_engine: Engine) -> None:
    """Prefetch forks, so it runs here in a fresh interpreter, as the desk command would."""
    staff_id = _staff_of(shared_engine, "BXM")
    script = (
        "import json, pickle, sys\n"
        "from desk.first_look import Prefetch\n"
        f"look = Prefetch({seeded.cli_url()!r}, staff_id={staff_id}).result()\n"
        "sys.stdout.buffer.write(pickle.dumps(look))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    look: FirstLook = pickle.loads(done.stdout)
    assert look == first_look(seeded.cli_url(), staff_id=staff_id)
    assert look.first_page is not None and look.first_page.rows


def test_without_fork_the_look_is_taken_here(
    seeded: DbSpec, shared_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import desk.first_look as module

    monkeypatch.delattr(module.os, "fork")
    staff_id = _staff_of(shared_engine, "BXM")
    assert Prefetch(seeded.cli_url(), staff_id=staff_id).result() == first_look(seeded.cli_url(), staff_id=staff_id)


# --- the ordinary way in ----------------------------------------------------------------------------


def test_a_missing_file_is_left_for_the_orm_to_create(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/new.db"
    assert first_look(url, staff_id=1) is None
    assert not (tmp_path / "new.db").exists()


def test_a_database_not_at_head_goes_the_ordinary_way(engine_spec: DbSpec, engine: Engine) -> None:
    staff_id = _staff_of(engine, "BXM")
    assert first_look(engine_spec.cli_url(), staff_id=staff_id) is not None
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    try:
        assert first_look(engine_spec.cli_url(), staff_id=staff_id) is None
    finally:  # PostgreSQL's schema is shared by the session's tests: leave it at head for the next one
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": HEAD_REVISION})


def test_an_unseeded_demo_goes_the_ordinary_way(engine_spec: DbSpec, engine: Engine) -> None:
    """The demo is seeded on the ordinary way in; an empty register must not open straight onto nothing."""
    assert first_look(engine_spec.cli_url(), staff_id=_staff_of(engine, "BXM"), seeded=True) is None


def test_a_zone_with_nobody_in_it_gives_the_same_empty_picker(engine_spec: DbSpec, engine: Engine) -> None:
    look = first_look(engine_spec.cli_url(), zone="XXX", staff_id=_staff_of(engine, "BXM"))
    with db.reading(engine) as session:
        assert reference.staff(session, "XXX") == []
    assert look is not None and look.staff == [] and look.chosen is None


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "mysql://nobody@127.0.0.1/none"])
def test_urls_only_the_orm_understands_go_the_ordinary_way(url: str) -> None:
    assert first_look(url, staff_id=1) is None


def test_an_unreachable_server_goes_the_ordinary_way() -> None:
    assert first_look("postgresql+psycopg://nobody@127.0.0.1:1/none", staff_id=1) is None
