"""Migration 0006: assessments and packages made before versions keep their rows and read as before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from importlib.resources import files

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text
from sqlmodel import select

from desk import db
from desk.models import Assessment, CarePackage, CarePackageItem
from desk.package_models import CarePackageVersion
from desk.services import caseload, reference
from tests.helpers.dbspec import DbSpec
from tests.helpers.fixtures import FROZEN_AT, Registrar, coordinator, frozen


def _config(conn: object) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(files("desk") / "migrations"))
    cfg.attributes["connection"] = conn
    return cfg


@pytest.fixture
def at_0005(database: DbSpec) -> Iterator[Engine]:
    """A database as the desk left it before packages on an assessment, with the reference data."""
    eng = database.engine()
    with eng.begin() as conn:
        command.upgrade(_config(conn), "0005")
    with db.writing(eng) as session:
        reference.load(session)
    yield eng
    eng.dispose()


def _old_rows(eng: Engine) -> int:
    # Today's caseload row reads and writes what 0005 lacks (the targets, 0007's WAIT flag), and the
    # caseload is a read model rebuilt from the records: the person is registered without their row.
    with frozen(FROZEN_AT), pytest.MonkeyPatch.context() as patch:
        patch.setattr(caseload, "refresh", lambda session, person_id: None)
        person = Registrar(eng, coordinator(eng))(family_name="Pascoe")
    with eng.begin() as conn:
        nurse = conn.execute(text("SELECT id FROM staff WHERE role = 'nurse' ORDER BY id")).scalar()
        conn.execute(
            text(
                "INSERT INTO assessment (person_id, staff_id, discipline, at, summary) "
                "VALUES (:p, :s, 'nursing', :at, 'Legs healing')"
            ),
            {"p": person.id, "s": nurse, "at": FROZEN_AT.replace(tzinfo=None)},
        )
        for status in ("active", "ended"):
            conn.execute(
                text(
                    "INSERT INTO carepackage (person_id, status, started_on, version) VALUES (:p, :st, '2026-10-01', 1)"
                ),
                {"p": person.id, "st": status},
            )
        conn.execute(
            text(
                "INSERT INTO carepackageitem (package_id, service, detail, provider, start_date, weekly_cost_pence, "
                "version) VALUES (1, 'Home care', 'Two visits a day', 'Bay Care', '2026-10-01', 34300, 1)"
            )
        )
    assert person.id is not None
    return person.id


def test_old_assessments_and_packages_keep_their_rows(at_0005: Engine) -> None:
    person_id = _old_rows(at_0005)
    db.migrate(at_0005)
    with db.reading(at_0005) as session:
        [assessment] = session.exec(select(Assessment)).all()
        packages = session.exec(select(CarePackage).order_by(CarePackage.id)).all()
        [item] = session.exec(select(CarePackageItem)).all()
        assert session.exec(select(CarePackageVersion)).all() == []
    assert (assessment.person_id, assessment.summary, assessment.assessor_role, assessment.corrects_id) == (
        person_id,
        "Legs healing",
        "",
        None,
    )
    states = [(p.status, p.state, p.current_version) for p in packages]
    assert states == [("active", "active", 0), ("ended", "ended", 0)]
    assert (item.service, item.weekly_cost_pence, item.line, item.service_id, item.start_date) == (
        "Home care",
        34300,
        0,
        "",
        date(2026, 10, 1),
    )


def test_0006_goes_down_and_up_again(at_0005: Engine) -> None:
    _old_rows(at_0005)
    db.migrate(at_0005)
    with at_0005.begin() as conn:
        command.downgrade(_config(conn), "0005")
    with at_0005.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0005"
        assert conn.execute(text("SELECT summary FROM assessment")).scalars().all() == ["Legs healing"]
    db.migrate(at_0005)
    with db.reading(at_0005) as session:
        assert len(session.exec(select(CarePackage)).all()) == 2
