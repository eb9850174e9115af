"""The demo's packages: histories of versions on assessments, current rows that agree, reviews and the waiting list.

Read back through the desk's own services (desk.packages.*), on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from desk import clock, db, demo
from desk.history import Actor
from desk.models import CarePackage, Person, Staff
from desk.package_models import PackageReview
from desk.packages import arrange, assessments, authority, reviews, targets
from desk.packages.arrange import PackageChange, ServiceLine
from desk.packages.demo_stage import TOO_OLD_DAYS, VALID_DAYS
from tests.helpers.fixtures import frozen
from tests.helpers.generated_packages import current_rows_are_the_newest_version, versions_were_authorised

NOW = datetime(2025, 3, 12, 11, 5, tzinfo=UTC)  # a Wednesday morning in the office
TODAY = clock.local(NOW).date()
ZONES = ("BXM", "PGN", "PGS", "TQN", "TQS")


@pytest.fixture(scope="module")
def seeded(shared_engine: Engine) -> Iterator[Engine]:
    with frozen(NOW), db.writing(shared_engine) as session:
        demo.seed_demo(session, people=300, now=NOW)
    yield shared_engine


@pytest.fixture
def session(seeded: Engine) -> Iterator[Session]:
    with frozen(NOW), db.reading(seeded) as s:
        yield s


def _person(session: Session, given: str, family: str) -> Person:
    person = session.exec(select(Person).where(Person.given_name == given, Person.family_name == family)).one()
    return person


def test_every_package_has_versions_and_its_current_rows_are_the_newest(session: Session) -> None:
    packages = session.exec(select(CarePackage).order_by(col(CarePackage.id))).all()
    assert len(packages) >= 50
    counts = [len(current_rows_are_the_newest_version(session, pkg)) for pkg in packages]
    assert sum(1 for n in counts if n >= 3) >= 20, "several versions each"


def test_each_version_was_authorised_by_a_recent_assessment_of_the_areas_it_changed(session: Session) -> None:
    roles: set[str] = set()
    checked = 0
    for pkg in session.exec(select(CarePackage)).all():
        versions = arrange.versions(session, pkg.id or 0)
        roles |= versions_were_authorised(session, pkg, versions)
        checked += len(versions)
    assert checked >= 150
    assert {"district_nurse", "community_matron", "physiotherapist", "occupational_therapist"} <= roles


def test_a_recent_nurse_assessment_authorises_a_change_today_and_a_20_day_old_one_is_refused(
    seeded: Engine,
) -> None:
    with frozen(NOW), db.reading(seeded) as session:
        ethel = _person(session, "Ethel", "Hannaford")
        doris = _person(session, "Doris", "Smith")
        nurse = assessments.latest(session, ethel.id or 0)
        old = next(a for a in assessments.for_person(session, doris.id or 0) if a.assessor_role == "physiotherapist")
        coordinator = session.exec(select(Staff).where(Staff.zone_id == "PGN", Staff.role == "coordinator")).first()
        doris_pkg = arrange.package_of(session, doris.id or 0)
        assert nurse is not None and coordinator is not None and doris_pkg is not None
        assert nurse.assessor_role == "district_nurse" and (TODAY - nurse.assessed_on).days <= VALID_DAYS
        assert {"personal_care", "mobility_falls"} <= nurse.areas
        assert (TODAY - old.assessed_on).days == TOO_OLD_DAYS
        assert arrange.package_of(session, ethel.id or 0) is None
        base = arrange.current(session, doris_pkg.id or 0)
        assert base is not None
    actor = Actor(coordinator.id, "desk-test")
    reablement = ServiceLine(
        "reablement_health",
        "torbay_reablement",
        TODAY,
        TODAY + timedelta(days=14),
        times=("08:00", "12:30", "17:00"),
        minutes=45,
        carers=1,
    )
    frame = ServiceLine("walking_frame", "community_equipment", TODAY)
    with frozen(NOW), db.writing(seeded) as session:
        change = PackageChange(ethel.id or 0, nurse.id, (reablement, frame), why="Kept at home with reablement")
        done = arrange.change(session, actor, change)
        assert isinstance(done, arrange.Arranged) and done.version.assessor.startswith(nurse.assessor_name)
        session.rollback()
    stale = PackageChange(
        doris.id or 0,
        old.id,
        (*arrange.as_lines(base), frame),
        why="A frame",
        package_id=doris_pkg.id,
        based_on=base.number,
    )
    with frozen(NOW), db.writing(seeded) as session:
        with pytest.raises(authority.AuthorityRefused) as refused:
            arrange.change(session, actor, stale)
        assert refused.value.reason == "stale" and "20 days old" in refused.value.problems["assessment"]
        session.rollback()


def test_marys_package_was_put_in_on_the_assessment_of_the_nurse_who_knows_her(session: Session) -> None:
    mary = _person(session, "Mary", "Luscombe")
    pkg = arrange.package_of(session, mary.id or 0)
    assert pkg is not None and pkg.current_version >= 2
    for v in arrange.versions(session, pkg.id or 0):
        record = assessments.get(session, v.assessment_id or 0)
        assert record.assessor_id == mary.key_worker_id and record.assessor_role == "district_nurse"
    assert pkg.review_due == TODAY + timedelta(days=12)
    reg = _person(session, "Reg", "Westaway")
    reg_pkg = arrange.package_of(session, reg.id or 0)
    assert reg_pkg is not None and reg_pkg.state == "suspended"


def test_reviews_due_and_overdue_and_each_package_has_one_open(session: Session) -> None:
    overdue = due = 0
    for zone in ZONES:
        listed = reviews.review_list(session, zone, today=TODAY)
        overdue += len(listed.overdue)
        due += len(listed.due)
        assert listed.upcoming, zone
    assert overdue >= 3 and due >= 1
    for pkg in session.exec(select(CarePackage).where(CarePackage.status == "active")).all():
        open_ = session.exec(
            select(PackageReview).where(PackageReview.package_id == pkg.id, PackageReview.state == "pending")
        ).all()
        assert len(open_) == 1 and clock.local(open_[0].due_at).date() == pkg.review_due, pkg.id
    assert session.exec(select(PackageReview).where(PackageReview.kind == "yearly")).first() is not None


def test_packages_and_equipment_wait_against_their_targets_some_at_risk_one_missed(session: Session) -> None:
    waiting = targets.waiting_list(session, today=TODAY)
    packages = [w for w in waiting if w.kind == "package"]
    equipment = [w for w in waiting if w.kind == "equipment"]
    assert len(packages) >= 5 and len(equipment) >= 5
    assert {w.flag for w in packages} >= {"", "at risk", "missed"}
    assert {w.flag for w in equipment} >= {"", "at risk", "missed"}
    for w in waiting:
        assert (w.target_on - w.requested_on).days == (7 if w.kind == "equipment" else 28)


def test_whichever_zone_a_desk_opens_on_has_a_package_waiting_against_its_28_days(session: Session) -> None:
    for zone in ZONES:
        kinds = {w.kind for w in targets.waiting_list(session, zone_id=zone, today=TODAY)}
        assert "package" in kinds, zone
