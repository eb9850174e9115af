"""Packages arranged through the core for screen and core tests: a nurse's assessment, then a change on it."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine
from sqlmodel import select

from desk import clock, db
from desk.history import Actor
from desk.models import CarePackage
from desk.packages import arrange, assessments
from desk.packages.arrange import Arranged, PackageChange, ServiceLine
from desk.packages.assessments import AssessmentInput, FindingInput
from desk.services import reference
from tests.helpers.records import package

TWO_VISITS = ("08:00", "17:00")


def had_support_before(engine: Engine, person_id: int) -> None:
    """An old package, ended: eligibility was decided long ago, so the desk may arrange directly."""
    package(engine, person_id, "Home care", started_on=clock.today() - timedelta(days=400))
    with db.writing(engine) as session:
        for old in session.exec(select(CarePackage).where(CarePackage.person_id == person_id)).all():
            old.status, old.state = "ended", "ended"


def nurse_assessment(
    engine: Engine, actor: Actor, person_id: int, areas: tuple[str, ...] = ("personal_care", "home_environment")
) -> int:
    """A district nurse's assessment at home today, of ``areas``; its id."""
    with db.writing(engine) as session:
        nurse = next(s for s in reference.staff(session, "BXM") if s.role == "nurse")
        return assessments.record(
            session,
            actor,
            AssessmentInput(
                person_id=person_id,
                assessor_id=nurse.id,
                assessor_role="district_nurse",
                at=clock.now(),
                place="home",
                findings=tuple(FindingInput(a, "high") for a in areas),
                recommendations="Help at home",
            ),
        ).id


def home_care(start: date, times: tuple[str, ...] = TWO_VISITS, line: int | None = None) -> ServiceLine:
    """Home care visits of 30 minutes by one carer from Bay Care."""
    return ServiceLine("home_care", "bay_care", start, times=times, minutes=30, carers=1, line=line)


def arrange_package(
    engine: Engine, actor: Actor, person_id: int, *services: ServiceLine, why: str = "Help at home"
) -> Arranged:
    """A new package on a fresh nurse assessment (home care twice a day unless ``services`` say otherwise)."""
    assessment_id = nurse_assessment(engine, actor, person_id)
    with db.writing(engine) as session:
        out = arrange.change(
            session, actor, PackageChange(person_id, assessment_id, services or (home_care(clock.today()),), why)
        )
    assert isinstance(out, Arranged), out
    return out
