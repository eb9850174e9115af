"""People in hospital for the ward screen tests: a package of home care, an admission, a plan.

Built through the desk's own services (packages arranged on an assessment,
an admission recorded by desk.discharge.stays), so what the screens show is
what the desk would have made.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from desk import clock, db
from desk.discharge import stays
from desk.discharge.stays import AdmissionInput, PlanInput, TaskInput
from desk.discharge_models import DischargeTask
from desk.history import Actor
from desk.models import CarePackage, CarePackageItem, Organisation, Staff
from desk.packages import arrange, assessments
from desk.packages.arrange import Arranged, PackageChange, ServiceLine, StepInput
from desk.packages.assessments import AssessmentInput, FindingInput
from desk.services import people, reference
from tests.screens.screen_zone import SIZE, Zone, on_screen, until

TWO_VISITS = ("08:00", "17:00")


def ward_coordinator(zone: Zone) -> int:
    """Kevin Heard, Brixham's ward discharge co-ordinator (Ward 3 and Brixham Community Hospital)."""
    with db.reading(zone.engine) as session:
        staff = session.exec(select(Staff).where(Staff.name == "Kevin Heard")).one()
        assert staff.id is not None
        return staff.id


def actor_of(zone: Zone, desk: str = "ward-desk") -> Actor:
    return Actor(ward_coordinator(zone), desk)


def ward_id(zone: Zone, prefix: str = "Ward 3") -> int:
    """The id of the ward whose name starts with ``prefix``."""
    with db.reading(zone.engine) as session:
        ward = session.exec(
            select(Organisation).where(Organisation.kind == "ward", col(Organisation.name).startswith(prefix))
        ).one()
        assert ward.id is not None
        return ward.id


def register_reg(zone: Zone) -> int:
    """Reg Westaway, 77, lives alone in Brixham."""
    with db.writing(zone.engine) as session:
        reg = people.register(
            session,
            Actor(zone.staff_id, "test"),
            people.PersonDetails(
                nhs_number="999 000 0034",
                family_name="Westaway",
                given_name="Reg",
                date_of_birth="02/03/1949",
                postcode="TQ5 8AA",
                address="9 Berry Head Road, Brixham",
                phone="01632 960002",
                practice_id="L99013",
                lives_alone=True,
            ),
        )
    assert reg.id is not None
    return reg.id


def home_care(zone: Zone, person_id: int, *, times: tuple[str, ...] = TWO_VISITS, since_days: int = 5) -> int:
    """A package of home care visits, live: arranged on a nurse's assessment, started ``since_days`` ago."""
    who = Actor(zone.staff_id, "test")
    with db.writing(zone.engine) as session:  # had home care before: eligibility was decided then
        old = CarePackage(
            person_id=person_id, started_on=date(2023, 1, 9), status="ended", state="ended", ended_on=date(2023, 6, 1)
        )
        session.add(old)
        session.flush()
        session.add(
            CarePackageItem(
                package_id=old.id,  # type: ignore[arg-type]
                service="Home care",
                provider="Bay Care",
                start_date=date(2023, 1, 9),
                end_date=date(2023, 6, 1),
            )
        )
    with db.writing(zone.engine) as session:
        nurse = next(s for s in reference.staff(session, "BXM") if s.role == "nurse")
        rec = assessments.record(
            session,
            who,
            AssessmentInput(
                person_id=person_id,
                assessor_id=nurse.id,
                assessor_role="district_nurse",
                at=clock.now() - timedelta(days=since_days + 1),
                place="home",
                findings=(FindingInput("personal_care", "high"),),
                recommendations="Help morning and evening",
            ),
        )
    with db.writing(zone.engine) as session:
        start = clock.today() - timedelta(days=since_days)
        out = arrange.change(
            session,
            who,
            PackageChange(
                person_id,
                rec.id,
                (ServiceLine("home_care", "bay_care", start, times=times, minutes=30, carers=1),),
                "Help getting up and to bed",
            ),
        )
        assert isinstance(out, Arranged)
        pkg = session.get(CarePackage, out.package_id)
        assert pkg is not None
        arrange.move(session, who, StepInput(out.package_id, pkg.version, "arranged", start, confirmed_by="Bay Care"))
        arrange.move(session, who, StepInput(out.package_id, pkg.version, "active", start))
        for notice in arrange.providers_to_tell(session, out.package_id, untold_only=True):
            arrange.mark_told(session, who, notice.id, notice.version)  # told when it was arranged
        return out.package_id


def admit(zone: Zone, person_id: int, at: datetime, *, ward: str = "Ward 3", reason: str = "A fall at home") -> int:
    """An admission recorded as the ward's co-ordinator would: the package suspended, the tasks made."""
    with db.writing(zone.engine) as session:
        return stays.admit(session, actor_of(zone), AdmissionInput(person_id, ward_id(zone, ward), at, reason))


def plan(zone: Zone, admission_id: int, *, ready_on: date, pathway: str = "0", **more: Any) -> None:
    """The plan from the ward's meeting: a discharge ready date and a pathway."""
    with db.writing(zone.engine) as session:
        stay = stays.stay(session, admission_id)
        stays.plan(
            session,
            actor_of(zone),
            PlanInput(
                admission_id=admission_id,
                expected_version=stay.version,
                ready_on=ready_on,
                pathway=pathway,
                involved=True,
                involved_note=more.get("involved_note", ""),
                package_ready_by=more.get("package_ready_by"),
                placement_id=more.get("placement_id"),
                placement_note="",
            ),
        )


def task_done(zone: Zone, admission_id: int, kind: str = "package", owner: str = "Bay Care Homecare") -> None:
    """One task before the door marked done."""
    with db.writing(zone.engine) as session:
        task = session.exec(
            select(DischargeTask).where(DischargeTask.admission_id == admission_id, DischargeTask.kind == kind)
        ).one()
        assert task.id is not None
        stays.set_task(session, actor_of(zone), TaskInput(task.id, task.version, "done", owner, "Confirmed"))


def package_state(zone: Zone, package_id: int) -> str:
    with db.reading(zone.engine) as session:
        pkg = session.get(CarePackage, package_id)
        assert pkg is not None
        return pkg.state


@asynccontextmanager
async def ward_desk(zone: Zone, size: tuple[int, int] = SIZE) -> AsyncIterator[tuple[Any, Any]]:
    """The desk signed in as the ward co-ordinator, at the caseload."""
    from screens.app import DeskApp

    app = DeskApp(engine=zone.engine, staff_id=ward_coordinator(zone))
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: on_screen(app, "CaseloadScreen")() and bool(app.screen.query("#caseload")))
        yield app, pilot


async def open_ward(pilot: Any, app: Any) -> Any:
    """F9, and wait for the rows to be read and drawn."""
    await pilot.press("f9")
    await until(pilot, lambda: on_screen(app, "WardScreen")() and app.screen.loaded > 0)
    return app.screen


async def open_stay(pilot: Any, app: Any) -> Any:
    """Enter on the highlighted patient, and wait for their stay to be read."""
    await pilot.press("enter")
    await until(pilot, lambda: on_screen(app, "StayScreen")() and app.screen.loaded > 0)
    return app.screen
