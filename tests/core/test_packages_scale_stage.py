"""`desk seed`'s care packages: the demo's shapes at trust scale, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import col, func, select

from desk import clock, db
from desk.models import CarePackage, Person
from desk.package_models import CarePackageVersion, PackageReview
from desk.packages import arrange, assessments, reviews, targets
from desk.packages.demo_stage import VALID_DAYS
from desk.scale import seed_scale
from tests.helpers.generated_packages import current_rows_are_the_newest_version, versions_were_authorised

SEED_AT = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)  # a Monday, GMT
TODAY = clock.local(SEED_AT).date()
ZONES = ("BXM", "PGN", "PGS", "TQN", "TQS")


@pytest.fixture(scope="module")
def seeded(shared_engine: Engine) -> tuple[Engine, dict[str, int]]:
    counts = seed_scale(shared_engine, people=3000, caseload=1200, calls=500, seed=12, now=SEED_AT)
    return shared_engine, counts


def test_a_third_of_the_caseload_has_an_active_package_with_several_versions(
    seeded: tuple[Engine, dict[str, int]],
) -> None:
    engine, counts = seeded
    with db.reading(engine) as s:
        active = s.exec(select(func.count()).select_from(CarePackage).where(CarePackage.status == "active")).one()
        assert 0.3 * 1200 <= active <= 0.45 * 1200
        assert counts["packages"] == s.exec(select(func.count()).select_from(CarePackage)).one() > active
        versions = s.exec(select(func.count()).select_from(CarePackageVersion)).one()
        assert versions >= 3 * active
        oldest = s.exec(select(func.min(CarePackageVersion.arranged_at))).one()
        assert oldest is not None and SEED_AT - oldest > timedelta(days=365), "a year of changes and more"


def test_a_sample_of_packages_agree_with_their_newest_version_each_on_a_recent_assessment(
    seeded: tuple[Engine, dict[str, int]],
) -> None:
    engine, _ = seeded
    with db.reading(engine) as s:
        ids = s.exec(select(CarePackage.id).order_by(col(CarePackage.id))).all()
        sample = random.Random(3).sample(list(ids), 120)
        roles: set[str] = set()
        for pkg in s.exec(select(CarePackage).where(col(CarePackage.id).in_(sample))).all():
            roles |= versions_were_authorised(s, pkg, current_rows_are_the_newest_version(s, pkg))
        assert {"district_nurse", "community_matron", "physiotherapist", "occupational_therapist"} <= roles


def test_recent_assessments_can_authorise_a_change_today(seeded: tuple[Engine, dict[str, int]]) -> None:
    engine, _ = seeded
    with db.reading(engine) as s:
        recent = s.exec(
            select(CarePackageVersion.assessment_id).where(
                CarePackageVersion.arranged_at >= SEED_AT - timedelta(days=VALID_DAYS)
            )
        ).all()
        records = [assessments.get(s, aid) for aid in recent if aid is not None]
        fresh = [r for r in records if (TODAY - r.assessed_on).days <= VALID_DAYS]
        assert {r.assessor_role for r in fresh} >= {"district_nurse", "physiotherapist"}


def test_reviews_and_the_waiting_list_at_scale(seeded: tuple[Engine, dict[str, int]]) -> None:
    engine, _ = seeded
    with db.reading(engine) as s:
        overdue = sum(len(reviews.review_list(s, z, today=TODAY).overdue) for z in ZONES)
        upcoming = sum(len(reviews.review_list(s, z, today=TODAY).upcoming) for z in ZONES)
        assert overdue >= 5 and upcoming >= 100
        open_ = s.exec(select(func.count()).select_from(PackageReview).where(PackageReview.state == "pending")).one()
        active = s.exec(select(func.count()).select_from(CarePackage).where(CarePackage.status == "active")).one()
        assert open_ == active, "one open review per active package"
        waiting = targets.waiting_list(s, today=TODAY, limit=1000)
        assert {w.kind for w in waiting} == {"package", "equipment"}
        assert {"at risk", ""} <= {w.flag for w in waiting}
        assert all(s.get(Person, w.person_id) is not None for w in waiting)
        pkg = s.exec(select(CarePackage).where(CarePackage.status == "active")).first()
        assert pkg is not None and arrange.current(s, pkg.id or 0) is not None
