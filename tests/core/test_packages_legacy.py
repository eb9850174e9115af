"""A package arranged before the desk kept versions: adopted as version 1 "as found", then changed on top of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from desk import db
from desk.history import Actor
from desk.models import CarePackage, CarePackageItem, History
from desk.package_models import CarePackageLine, CarePackageVersion
from desk.packages import arrange
from desk.packages.arrange import AS_FOUND_WHY, Arranged, PackageChange, ServiceLine
from desk.services import people
from desk.services.reference import StaffRow
from tests.core.test_packages_arrange import assess
from tests.helpers.fixtures import FrozenClock, Registrar

HOME_CARE = 31500  # "2 visits a day, 1 carer", as the trust seed costs it
MEALS = 3150


@pytest.fixture
def mrs_x(register: Registrar, engine: Engine, clock: FrozenClock) -> tuple[int, int]:
    """Mrs X: home care and meals, arranged two years ago, before the desk kept versions (no lines, no ids)."""
    person = register(family_name="Xavier", given_name="Edna")
    assert person.id is not None
    started = clock.today - timedelta(days=700)
    with db.writing(engine) as session:
        pkg = CarePackage(person_id=person.id, started_on=started, review_due=clock.today + timedelta(days=40))
        session.add(pkg)
        session.flush()
        assert pkg.id is not None
        session.add(
            CarePackageItem(
                package_id=pkg.id,
                service="Home care",
                detail="2 visits a day (morning and bedtime), 1 carer",
                provider="Bay Care Homecare",
                start_date=started,
                weekly_cost_pence=HOME_CARE,
            )
        )
        session.add(
            CarePackageItem(
                package_id=pkg.id,
                service="Meals",
                detail="Hot lunch delivered 7 days",
                provider="Coastline Meals on Wheels",
                start_date=started + timedelta(days=30),
                weekly_cost_pence=MEALS,
            )
        )
    return person.id, pkg.id


def _morning_visit(clock: FrozenClock) -> ServiceLine:
    return ServiceLine("home_care", "bay_care", clock.today, times=("07:30",), minutes=30, carers=1)


def test_a_morning_visit_added_to_a_package_from_before_versions(
    engine: Engine, actor: Actor, clock: FrozenClock, bxm_staff: dict[str, StaffRow], mrs_x: tuple[int, int]
) -> None:
    person_id, package_id = mrs_x
    nurse = assess(engine, actor, person_id, bxm_staff["nurse"], clock=clock)
    with db.reading(engine) as session:
        found = arrange.current(session, package_id)
        assert found is not None and found.as_found and not found.saved and found.number == 1
        lines = arrange.as_lines(found)
        assert session.exec(select(CarePackageVersion)).all() == []  # reading for the form writes nothing
    assert [(s.service, s.line) for s in lines] == [("home_care", 1), ("meals", 2)]
    assert [ln.detail for ln in found.lines] == [
        "2 visits a day (morning and bedtime), 1 carer (as arranged before versions)",
        "Hot lunch delivered 7 days (as arranged before versions)",
    ]
    assert found.lines[0].provider == "bay_care"  # matched to the catalogue by name
    assert found.lines[1].provider == "Coastline Meals on Wheels"  # no such provider: carried with its own name
    assert found.cost_per_week_pence == HOME_CARE + MEALS

    with db.writing(engine) as session:
        out = arrange.change(
            session,
            actor,
            PackageChange(
                person_id,
                nurse.id,
                (*lines, _morning_visit(clock)),
                "Needs help getting up earlier",
                package_id=package_id,
                based_on=0,
            ),
        )
    assert isinstance(out, Arranged)
    visit = round(30 * 7 * 2450 / 60)
    assert out.version.number == 2 and out.version.cost_per_week_pence == HOME_CARE + MEALS + visit
    assert out.differences == (
        "Home care visits added: 1 visit a day (07:30), 30 minutes, 1 carer, every day, Bay Care Homecare",
        "Hours of care a week: 0 to 3.5",
        f"Cost a week: {arrange.money(HOME_CARE + MEALS)} to {arrange.money(HOME_CARE + MEALS + visit)}",
    )
    with db.reading(engine) as session:
        v1, v2 = arrange.versions(session, package_id)
        assert (v1.number, v1.why, v1.assessment_id, v1.as_found) == (1, AS_FOUND_WHY, None, True)
        assert v1.arranged_by == bxm_staff["coordinator"].name and v1.authority == arrange.AS_FOUND_AUTHORITY
        assert (v2.number, v2.assessment_id, v2.as_found) == (2, nurse.id, False)
        assert arrange.compare(session, package_id, 1, 2) == list(out.differences)
        assert [ln.line for ln in v2.lines] == [1, 2, 3]
        assert all(it.line > 0 for it in session.exec(select(CarePackageItem)))  # nothing left unversioned
        record = people.record(session, person_id)
        assert sorted((p.service, p.detail) for p in record.package) == [
            ("Home care visits", "1 visit a day (07:30), 30 minutes, 1 carer, every day"),
            ("Home care visits", "2 visits a day (morning and bedtime), 1 carer"),
            ("Meals delivered at home", "Hot lunch delivered 7 days"),
        ]
        assert record.weekly_cost_pence == HOME_CARE + MEALS + visit == out.version.cost_per_week_pence
        whys = [h.why for h in session.exec(select(History).where(History.entity == "carepackage"))]
        assert any(w.startswith("Version 1: services as arranged before the desk kept versions") for w in whys)
        assert any(w.startswith("Version 2: Home care visits added") for w in whys)
        assert arrange.current(session, package_id) == v2


def test_a_service_from_before_versions_ends(
    engine: Engine, actor: Actor, clock: FrozenClock, bxm_staff: dict[str, StaffRow], mrs_x: tuple[int, int]
) -> None:
    person_id, package_id = mrs_x
    nurse = assess(engine, actor, person_id, bxm_staff["nurse"], clock=clock, areas=("eating_drinking",))
    with db.writing(engine) as session:
        home_care, _meals = arrange.as_lines(arrange.current(session, package_id))  # type: ignore[arg-type]
        out = arrange.change(
            session,
            actor,
            PackageChange(person_id, nurse.id, (home_care,), "Cooks for herself again", package_id, based_on=0),
        )
    assert isinstance(out, Arranged)
    assert out.differences[0] == "Meals delivered at home ended"
    assert [(n.provider_name, n.what) for n in out.providers_to_tell] == [
        ("Coastline Meals on Wheels", "Meals delivered at home ended")
    ]
    with db.reading(engine) as session:
        assert [v.number for v in arrange.versions(session, package_id)] == [1, 2]
        record = people.record(session, person_id)
        assert [p.service for p in record.package] == ["Home care visits"]
        assert record.weekly_cost_pence == HOME_CARE
        meals = session.exec(select(CarePackageItem).where(CarePackageItem.line == 2)).one()
        assert (meals.state, meals.end_date, meals.detail) == ("ended", clock.today, "Hot lunch delivered 7 days")


def test_a_service_as_found_put_in_the_catalogues_terms_is_ended_and_added_afresh(
    engine: Engine, actor: Actor, clock: FrozenClock, bxm_staff: dict[str, StaffRow], mrs_x: tuple[int, int]
) -> None:
    """The words as found stay true in version 1: home care given its visit times is a new line."""
    person_id, package_id = mrs_x
    nurse = assess(engine, actor, person_id, bxm_staff["nurse"], clock=clock)
    with db.writing(engine) as session:
        home_care, meals = arrange.as_lines(arrange.current(session, package_id))  # type: ignore[arg-type]
        timed = ServiceLine(
            "home_care", "bay_care", clock.today, times=("08:00", "20:00"), minutes=30, carers=1, line=1
        )
        out = arrange.change(
            session, actor, PackageChange(person_id, nurse.id, (timed, meals), "Times agreed", package_id, based_on=0)
        )
    assert isinstance(out, Arranged)
    assert [ln.line for ln in out.version.lines] == [2, 3]
    assert "Home care visits ended" in out.differences
    with db.reading(engine) as session:
        v1 = arrange.version(session, package_id, 1)
        assert v1.lines[0].detail.startswith("2 visits a day (morning and bedtime), 1 carer")
        assert len(people.record(session, person_id).package) == 2


def test_ending_a_package_from_before_versions(
    engine: Engine, actor: Actor, clock: FrozenClock, mrs_x: tuple[int, int]
) -> None:
    person_id, package_id = mrs_x
    with db.writing(engine) as session:
        ended = arrange.end_package(session, actor, package_id, why="Moved away", based_on=0)
    assert ended.number == 2 and ended.lines == ()
    with db.reading(engine) as session:
        assert [v.number for v in arrange.versions(session, package_id)] == [1, 2]
        assert people.record(session, person_id).package == []
        rows = session.exec(select(CarePackageLine)).all()
        assert {ln.quantity for ln in rows} == {0}


def test_only_the_adopted_baseline_goes_without_an_assessment(
    engine: Engine, actor: Actor, clock: FrozenClock, bxm_staff: dict[str, StaffRow], mrs_x: tuple[int, int]
) -> None:
    _person_id, package_id = mrs_x
    with db.writing(engine) as session:
        pkg = session.get(CarePackage, package_id)
        assert pkg is not None
        view = arrange.adopt(session, actor, pkg)
        assert view is not None and view.as_found and view.assessor == ""
        assert arrange.adopt(session, actor, pkg) is None  # once only
        with pytest.raises(ValueError, match="without an assessment"):
            arrange._write_version(session, actor, pkg, list(view.lines), assessment_id=None, why="x")


def test_equipment_from_before_the_catalogue_is_carried_with_its_own_name(
    engine: Engine, actor: Actor, clock: FrozenClock, bxm_staff: dict[str, StaffRow], mrs_x: tuple[int, int]
) -> None:
    """Equipment names several pieces at once: no one catalogue item is it, so it keeps its name and cost."""
    person_id, package_id = mrs_x
    with db.writing(engine) as session:
        session.add(
            CarePackageItem(
                package_id=package_id,
                service="Equipment",
                detail="Walking frame and bath board",
                provider="Community Equipment Service",
                start_date=clock.today - timedelta(days=90),
                weekly_cost_pence=400,
            )
        )
    nurse = assess(engine, actor, person_id, bxm_staff["nurse"], clock=clock)
    with db.writing(engine) as session:
        lines = arrange.as_lines(arrange.current(session, package_id))  # type: ignore[arg-type]
        out = arrange.change(
            session,
            actor,
            PackageChange(person_id, nurse.id, (*lines, _morning_visit(clock)), "Earlier", package_id, based_on=0),
        )
    assert isinstance(out, Arranged)
    with db.reading(engine) as session:
        v1 = arrange.version(session, package_id, 1)
        equipment = v1.lines[2]
        assert (equipment.service, equipment.service_name, equipment.provider_name) == (
            "Equipment",
            "Equipment",
            "Community Equipment Service",
        )
        assert equipment.detail == "Walking frame and bath board (as arranged before versions)"
        record = people.record(session, person_id)
        assert ("Equipment", "Walking frame and bath board", 400) in [
            (p.service, p.detail, p.weekly_cost_pence) for p in record.package
        ]
        assert record.weekly_cost_pence == out.version.cost_per_week_pence


def test_a_package_from_before_versions_suspended_is_adopted_first(
    engine: Engine, actor: Actor, clock: FrozenClock, mrs_x: tuple[int, int]
) -> None:
    _person_id, package_id = mrs_x
    with db.writing(engine) as session:
        pkg = session.get(CarePackage, package_id)
        assert pkg is not None
        arrange.move(session, actor, arrange.StepInput(package_id, pkg.version, "suspended", note="In hospital"))
    with db.reading(engine) as session:
        assert [v.number for v in arrange.versions(session, package_id)] == [1]
        items = session.exec(select(CarePackageItem).order_by(CarePackageItem.line)).all()
        assert [(it.line, it.state) for it in items] == [(1, "suspended"), (2, "suspended")]
        assert {s.line for s in arrange.steps(session, package_id)} == {None, 1, 2}
