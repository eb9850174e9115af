"""A hospital stay on the ward: admitted (the package suspended, its providers to tell), planned, tasks, the ward."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func
from sqlmodel import col, select

from desk import db
from desk.discharge import stays
from desk.discharge.stays import AdmissionInput, PlanInput, TaskInput
from desk.discharge_models import DelayDay, DischargeTask, WardCover
from desk.errors import InvalidForm, StaleRecord
from desk.history import Actor
from desk.models import Admission, CarePackage, History, Organisation, Referral
from desk.package_models import CareStep
from desk.packages import arrange, assessments
from desk.packages.arrange import PackageChange, ServiceLine, StepInput
from desk.packages.assessments import AssessmentInput, FindingInput
from desk.services.reference import StaffRow
from tests.helpers import records
from tests.helpers.fixtures import FrozenClock, Registrar

TODAY = date(2026, 11, 23)  # the frozen clock's day (a Monday)


def org_id(engine: Engine, name_starts: str, kind: str = "ward") -> int:
    with db.reading(engine) as session:
        rows = session.exec(select(Organisation).where(Organisation.kind == kind)).all()
    return next(o.id for o in rows if o.name.startswith(name_starts))  # type: ignore[misc]


@pytest.fixture
def dc(bxm_staff: dict[str, StaffRow]) -> Actor:
    """Brixham's discharge co-ordinator, on the ward's desk."""
    return Actor(bxm_staff["discharge_coordinator"].id, "ward-3")


@pytest.fixture
def ward3(engine: Engine) -> int:
    return org_id(engine, "Ward 3")


def admit(engine: Engine, actor: Actor, person_id: int, ward_id: int, days_ago: int = 0, reason: str = "") -> int:
    with db.writing(engine) as session:
        return stays.admit(
            session,
            actor,
            AdmissionInput(
                person_id, ward_id, datetime(2026, 11, 23, 9, 0, tzinfo=UTC) - timedelta(days=days_ago), reason
            ),
        )


def the_stay(engine: Engine, admission_id: int) -> stays.StayView:
    with db.reading(engine) as session:
        return stays.stay(session, admission_id)


def planned(view: stays.StayView, **changes: object) -> PlanInput:
    values: dict[str, object] = dict(
        admission_id=view.admission_id,
        expected_version=view.version,
        ready_on=view.ready_on,
        pathway=view.pathway,
        involved=view.involved,
        involved_note=view.involved_note,
        package_ready_by=view.going_home_on,
        placement_id=view.placement_id,
        placement_note=view.placement_note,
    )
    values.update(changes)
    return PlanInput(**values)  # type: ignore[arg-type]


def plan(engine: Engine, actor: Actor, admission_id: int, **changes: object) -> int | None:
    view = the_stay(engine, admission_id)
    with db.writing(engine) as session:
        return stays.plan(session, actor, planned(view, **changes))


def counts(engine: Engine) -> tuple[int, int, int, int]:
    """Admissions, history entries, tasks and referrals on record: a refused form changes none of them."""
    with db.reading(engine) as session:
        return tuple(  # type: ignore[return-value]
            session.exec(select(func.count()).select_from(model)).one()
            for model in (Admission, History, DischargeTask, Referral)
        )


def reg_with_two_visits(register: Registrar, engine: Engine, actor: Actor, nurse: StaffRow, clock: FrozenClock) -> int:
    """Reg, who has had care before, with home care twice a day arranged on a nurse's assessment."""
    reg = register(family_name="Westaway", given_name="Reg", lives_alone=True)
    assert reg.id is not None
    records.package(engine, reg.id, "Home care", started_on=TODAY - timedelta(days=400))
    with db.writing(engine) as session:
        old = session.exec(select(CarePackage).where(CarePackage.person_id == reg.id)).one()
        old.status, old.state = "ended", "ended"
    with db.writing(engine) as session:
        a = assessments.record(
            session,
            actor,
            AssessmentInput(
                person_id=reg.id,
                assessor_id=nurse.id,
                assessor_role="district_nurse",
                at=clock.now - timedelta(days=10),
                place="home",
                findings=(FindingInput("personal_care", "high"),),
                recommendations="Two calls a day",
            ),
        )
        line = ServiceLine(
            "home_care", "bay_care", TODAY - timedelta(days=10), times=("08:00", "17:00"), minutes=30, carers=1
        )
        out = arrange.change(session, actor, PackageChange(reg.id, a.id, (line,), "Help getting up and to bed"))
        assert isinstance(out, arrange.Arranged)
        pkg = session.get(CarePackage, out.package_id)
        assert pkg is not None
        arrange.move(session, actor, StepInput(out.package_id, pkg.version, "arranged", confirmed_by="Bay Care office"))
        arrange.move(session, actor, StepInput(out.package_id, pkg.version, "active"))
    return reg.id


# --- admission --------------------------------------------------------------------------------


def test_an_admission_suspends_the_package_from_that_day_and_lists_its_provider_to_tell(
    engine: Engine,
    register: Registrar,
    actor: Actor,
    dc: Actor,
    bxm_staff: dict[str, StaffRow],
    clock: FrozenClock,
    ward3: int,
) -> None:
    reg = reg_with_two_visits(register, engine, actor, bxm_staff["nurse"], clock)
    admission_id = admit(engine, dc, reg, ward3, days_ago=2, reason="Chest infection")
    view = the_stay(engine, admission_id)
    assert view.reason == "Chest infection"
    assert view.ward.startswith("Ward 3") and view.admitted_at == datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    assert view.days_in == 2
    assert view.package_state == "suspended"
    assert view.package_before == "Home care visits (2 visits a day)"
    assert [(p.provider_name, p.what, p.told_at) for p in view.providers if p.what.startswith("Suspended")] == [
        ("Bay Care Homecare", f"Suspended: in hospital on {view.ward} from 21-Nov-2026", None)
    ]
    with db.reading(engine) as session:
        step = session.exec(
            select(CareStep).where(CareStep.package_id == view.package_id, col(CareStep.line).is_(None))
        )
        assert [(s.state, s.happened_on) for s in step][-1] == ("suspended", date(2026, 11, 21))
        whys = [
            h.why for h in session.exec(select(History).where(History.person_id == reg, History.entity == "admission"))
        ]
    assert whys[0] == f"Admitted to {view.ward}: Chest infection"
    assert [(t.label, t.state) for t in view.tasks] == [
        ("Package confirmed by the provider", "outstanding"),
        ("Equipment delivered", "outstanding"),
        ("Transport", "outstanding"),
        ("Medicines to take home", "outstanding"),
        ("Discharge summary", "outstanding"),
        ("Patient's or family's agreement", "outstanding"),
    ]
    notice = next(p for p in view.providers if p.what.startswith("Suspended"))
    with db.writing(engine) as session:
        arrange.mark_told(session, dc, notice.id, notice.version)
    told = next(p for p in the_stay(engine, admission_id).providers if p.id == notice.id)
    assert told.told_at == clock.now and told.told_by_id == dc.staff_id


def test_a_person_with_no_package_is_admitted_with_nothing_to_suspend(
    engine: Engine, register: Registrar, dc: Actor, ward3: int
) -> None:
    person = register(family_name="Pascoe", given_name="Doris")
    view = the_stay(engine, admit(engine, dc, person.id, ward3))  # type: ignore[arg-type]
    assert (view.package_id, view.package_before, view.providers, view.stage) == (None, "", [], "new")
    assert "package" not in [t.kind for t in view.tasks]  # no package to confirm (until a pathway needs one)


def test_the_admission_refuses_a_person_already_in_hospital_a_future_time_and_a_care_home(
    engine: Engine, register: Registrar, dc: Actor, ward3: int, clock: FrozenClock
) -> None:
    person = register(family_name="Pascoe", given_name="Doris")
    assert person.id is not None
    admit(engine, dc, person.id, ward3, days_ago=1)
    other = register(family_name="Yeo", given_name="Jim")
    assert other.id is not None
    before = counts(engine)
    with db.writing(engine) as session, pytest.raises(InvalidForm) as again:
        stays.admit(session, dc, AdmissionInput(person.id, ward3, None, "Fall"))
    assert "already in hospital on Ward 3" in again.value.problems["person_id"]
    home = org_id(engine, "Seaview House", kind="care_home")
    with db.writing(engine) as session, pytest.raises(InvalidForm) as bad:
        stays.admit(session, dc, AdmissionInput(other.id, home, clock.now + timedelta(hours=1), "Fall"))
    assert set(bad.value.problems) == {"ward_id", "admitted_at"}
    assert bad.value.problems["admitted_at"] == "That time has not come yet: give the time they were admitted."
    assert counts(engine) == before


def test_a_typed_time_without_a_zone_is_read_as_the_time_on_the_ward_clock(
    engine: Engine, register: Registrar, dc: Actor, ward3: int, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 7, 1, 12, 0, tzinfo=UTC))  # British Summer Time: an hour ahead of UTC
    person = register()
    with db.writing(engine) as session:
        aid = stays.admit(session, dc, AdmissionInput(person.id, ward3, datetime(2026, 7, 1, 0, 30), ""))  # type: ignore[arg-type]
    view = the_stay(engine, aid)
    assert view.admitted_at == datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    assert stays.admitted_on(view.admitted_at) == date(2026, 7, 1)


def test_checking_an_admission_takes_it_off_new(engine: Engine, register: Registrar, dc: Actor, ward3: int) -> None:
    aid = admit(engine, dc, register().id, ward3)  # type: ignore[arg-type]
    view = the_stay(engine, aid)
    with db.writing(engine) as session:
        stays.check(session, dc, aid, view.version)
    view = the_stay(engine, aid)
    assert view.stage == "awaiting_drd" and view.checked_by and view.checked_at is not None
    with db.writing(engine) as session, pytest.raises(StaleRecord):
        stays.check(session, dc, aid, view.version - 1)


# --- the plan ---------------------------------------------------------------------------------


def test_the_plan_refuses_a_ready_date_outside_the_stay_an_unknown_pathway_and_a_day_gone_by(
    engine: Engine, register: Registrar, dc: Actor, ward3: int
) -> None:
    aid = admit(engine, dc, register().id, ward3, days_ago=3)  # type: ignore[arg-type]
    before = counts(engine)
    cases = {
        "ready_on": (
            dict(ready_on=date(2026, 11, 19)),
            "The discharge ready date cannot be before the admission on 20-Nov-2026.",
        ),
        "pathway": (dict(pathway="4"), "Choose pathway 0, 1, 2 or 3."),
        "package_ready_by": (
            dict(package_ready_by=TODAY - timedelta(days=1)),
            "The day the package must be ready has passed: give today or later.",
        ),
        "placement_id": (dict(pathway="3"), "Pathway 3 is a care home placement: choose the care home."),
    }
    for key, (changes, message) in cases.items():
        with pytest.raises(InvalidForm) as refused:
            plan(engine, dc, aid, **changes)
        assert refused.value.problems == {key: message}
    with pytest.raises(InvalidForm) as future:
        plan(engine, dc, aid, ready_on=TODAY + timedelta(days=1))
    assert future.value.problems["ready_on"].startswith("The discharge ready date cannot be after today")
    with pytest.raises(InvalidForm) as not_a_home:
        plan(engine, dc, aid, pathway="3", placement_id=ward3)
    assert not_a_home.value.problems == {"placement_id": "Choose the care home from the list."}
    assert counts(engine) == before
    assert the_stay(engine, aid).ready_on is None


def test_a_plan_is_recorded_with_who_and_why_and_a_stale_one_is_refused(
    engine: Engine, register: Registrar, dc: Actor, ward3: int, clock: FrozenClock
) -> None:
    person = register()
    aid = admit(engine, dc, person.id, ward3, days_ago=3)  # type: ignore[arg-type]
    stale = the_stay(engine, aid)
    assert (
        plan(engine, dc, aid, ready_on=date(2026, 11, 22), pathway="1", involved=True, package_ready_by=TODAY) is None
    )
    view = the_stay(engine, aid)
    assert (view.ready_on, view.pathway, view.involved, view.going_home_on) == (date(2026, 11, 22), "1", True, TODAY)
    assert view.pathway_label == "Pathway 1: home with new or more support"
    assert [(t.kind, t.state) for t in view.tasks][0] == ("package", "outstanding")  # new support: to be confirmed
    with db.reading(engine) as session:
        stored = session.get(Admission, aid)
        assert (
            stored is not None and stored.ready_recorded_by_id == dc.staff_id and stored.ready_recorded_at == clock.now
        )
        why = session.exec(
            select(History.why)
            .where(History.entity == "admission", History.person_id == person.id)
            .order_by(col(History.id).desc())
        ).first()
    assert why == (
        "Discharge plan: discharge ready date 22-Nov-2026; pathway 1: home with new or more support; "
        "package ready by 23-Nov-2026; patient and family involved"
    )
    with db.writing(engine) as session, pytest.raises(StaleRecord):
        stays.plan(session, dc, planned(stale, pathway="0"))
    assert the_stay(engine, aid).pathway == "1"


def test_pathway_3_refers_the_placement_to_a_social_worker_and_adds_the_care_home_bed(
    engine: Engine, register: Registrar, dc: Actor, ward3: int
) -> None:
    person = register()
    aid = admit(engine, dc, person.id, ward3, days_ago=3)  # type: ignore[arg-type]
    home = org_id(engine, "Berry Cliff", kind="care_home")
    referral_id = plan(engine, dc, aid, pathway="3", placement_id=home, placement_note="Trial stay first")
    assert referral_id is not None
    with db.reading(engine) as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None
    assert (referral.person_id, referral.discipline, referral.status) == (person.id, "social_work", "open")
    assert referral.reason == (
        "Needs a social worker (Permanent move to a care home): pathway 3 discharge from "
        "Ward 3 (Care of the Elderly), Bay General Hospital to Berry Cliff Care Home"
    )
    view = the_stay(engine, aid)
    assert view.placement == "Berry Cliff Care Home" and view.placement_note == "Trial stay first"
    assert [t.state for t in view.tasks if t.kind == "care_home_bed"] == ["outstanding"]
    assert "A care home bed" in view.outstanding
    assert plan(engine, dc, aid, pathway="3", placement_note="Trial stay, then permanent") is None  # no second referral
    assert plan(engine, dc, aid, pathway="0", placement_id=None) is None
    view = the_stay(engine, aid)
    assert [t.state for t in view.tasks if t.kind == "care_home_bed"] == ["not_needed"]
    assert "package" not in [t.kind for t in view.tasks]
    assert "A care home bed" not in view.outstanding


# --- tasks ----------------------------------------------------------------------------------


def test_a_task_moves_on_with_its_owner_and_a_stale_or_unknown_state_is_refused(
    engine: Engine, register: Registrar, dc: Actor, ward3: int
) -> None:
    aid = admit(engine, dc, register().id, ward3)  # type: ignore[arg-type]
    transport = next(t for t in the_stay(engine, aid).tasks if t.kind == "transport")
    with db.writing(engine) as session:
        stays.set_task(
            session, dc, TaskInput(transport.task_id, transport.version, "in_hand", " Ward clerk ", "Booked for 2pm")
        )
    now = next(t for t in the_stay(engine, aid).tasks if t.kind == "transport")
    assert (now.state_label, now.owner, now.note, now.updated_by) == (
        "In hand",
        "Ward clerk",
        "Booked for 2pm",
        now.updated_by,
    )
    assert now.updated_by and "Transport" in the_stay(engine, aid).outstanding
    with db.writing(engine) as session, pytest.raises(StaleRecord):
        stays.set_task(session, dc, TaskInput(transport.task_id, transport.version, "done", "", ""))
    with db.writing(engine) as session, pytest.raises(InvalidForm) as bad:
        stays.set_task(session, dc, TaskInput(transport.task_id, now.version, "finished", "", ""))
    assert bad.value.problems == {"state": "Choose outstanding, in hand, done or not needed."}
    with db.writing(engine) as session:
        stays.set_task(session, dc, TaskInput(transport.task_id, now.version, "done", "Ward clerk", ""))
    assert "Transport" not in the_stay(engine, aid).outstanding


# --- the ward list ------------------------------------------------------------------------------


def delay(engine: Engine, admission_id: int, day: date, reason: str = "care_at_home") -> None:
    with db.writing(engine) as session:
        session.add(
            DelayDay(
                admission_id=admission_id,
                day=day,
                zone_id="BXM",
                reason=reason,
                owner="Bay Care",
                recorded_at=datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
            )
        )
        stay = session.get(Admission, admission_id)
        assert stay is not None
        stay.delay_reason = reason


def checked(engine: Engine, actor: Actor, admission_id: int) -> None:
    with db.writing(engine) as session:
        stays.check(session, actor, admission_id, the_stay(engine, admission_id).version)


def test_the_ward_list_puts_what_needs_doing_first_at_the_top(
    engine: Engine, register: Registrar, dc: Actor, ward3: int
) -> None:
    ids: dict[str, int] = {}
    for name, days_ago in (
        ("Ready", 2),
        ("Awaiting", 4),
        ("New", 0),
        ("Long", 9),
        ("Short", 6),
        ("Missing", 5),
        ("Going", 3),
    ):
        ids[name] = admit(engine, dc, register(family_name=name).id, ward3, days_ago=days_ago)  # type: ignore[arg-type]
    for name in ("Ready", "Awaiting", "Long", "Short", "Missing", "Going"):
        checked(engine, dc, ids[name])
    plan(engine, dc, ids["Ready"], ready_on=TODAY, pathway="0")
    plan(engine, dc, ids["Long"], ready_on=TODAY - timedelta(days=5), pathway="1")
    plan(engine, dc, ids["Short"], ready_on=TODAY - timedelta(days=2), pathway="1")
    plan(engine, dc, ids["Missing"], ready_on=TODAY - timedelta(days=1), pathway="1")
    plan(engine, dc, ids["Going"], ready_on=TODAY, pathway="1", package_ready_by=TODAY)
    for n in range(6):
        delay(engine, ids["Long"], TODAY - timedelta(days=5 - n))
    for n in range(3):
        delay(engine, ids["Short"], TODAY - timedelta(days=2 - n), reason="transport")
    with db.reading(engine) as session:
        rows = stays.ward_list(session, ward_ids=[ward3])
        assert stays.ward_list(session, ward_ids=[org_id(engine, "Ward 1")]) == []
    assert [(r.name, r.stage, r.delayed_days) for r in rows] == [
        ("MISSING, Alex", "delayed", 2),
        ("GOING, Alex", "going_today", 1),  # ready today: a delayed day only if they are still here tomorrow
        ("LONG, Alex", "delayed", 6),
        ("SHORT, Alex", "delayed", 3),
        ("READY, Alex", "ready", 1),
        ("NEW, Alex", "new", 0),
        ("AWAITING, Alex", "awaiting_drd", 0),
    ]
    by_name = {r.name.split(",")[0]: r for r in rows}
    assert by_name["MISSING"].outstanding[0] == "Delay reason missing for 22-Nov-2026 to 23-Nov-2026"
    assert by_name["SHORT"].delay_reason == "Awaiting transport"
    assert by_name["AWAITING"].outstanding[:2] == ("No discharge ready date", "No pathway")
    assert by_name["GOING"].going_home_on == TODAY and "Transport" in by_name["GOING"].outstanding
    assert by_name["LONG"].days_in == 9 and by_name["LONG"].zone_id == "BXM"
    assert not [w for w in by_name["READY"].outstanding if w.startswith("Delay reason missing")]  # not asked yet


def test_a_reason_given_late_leaves_the_days_before_it_missing(
    engine: Engine, register: Registrar, dc: Actor, ward3: int
) -> None:
    aid = admit(engine, dc, register().id, ward3, days_ago=6)  # type: ignore[arg-type]
    plan(engine, dc, aid, ready_on=TODAY - timedelta(days=4), pathway="1")
    delay(engine, aid, TODAY - timedelta(days=1))  # the reason first given yesterday: today carries it
    view = the_stay(engine, aid)
    assert view.delayed_days == 5
    assert view.missing_days == [date(2026, 11, 19), date(2026, 11, 20), date(2026, 11, 21)]
    assert [(d.day, d.reason_words) for d in view.delay_days] == [
        (date(2026, 11, 19), ""),
        (date(2026, 11, 20), ""),
        (date(2026, 11, 21), ""),
        (date(2026, 11, 22), "Awaiting assessment or care at home"),
        (date(2026, 11, 23), ""),  # not yet carried forward (the desks' poll does it): not missing either
    ]


def test_a_discharged_stay_counts_its_delayed_days_to_the_day_it_went(
    engine: Engine, register: Registrar, dc: Actor, ward3: int
) -> None:
    aid = admit(engine, dc, register().id, ward3, days_ago=6)  # type: ignore[arg-type]
    plan(engine, dc, aid, ready_on=TODAY - timedelta(days=3), pathway="0")
    with db.writing(engine) as session:
        stay = session.get(Admission, aid)
        assert stay is not None
        stay.discharged_at = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)  # DRD day 20th, gone the 21st
    view = the_stay(engine, aid)
    assert (view.delayed_days, view.days_in) == (2, 4)
    with db.reading(engine) as session:
        assert stays.ward_list(session, ward_ids=None) == []


def test_a_discharge_coordinator_covers_the_wards_the_reference_data_names(
    engine: Engine, bxm_staff: dict[str, StaffRow]
) -> None:
    with db.reading(engine) as session:
        all_wards = stays.wards(session)
        mine = stays.wards_of(session, bxm_staff["discharge_coordinator"].id)
        nurse = stays.wards_of(session, bxm_staff["nurse"].id)
    names = dict(all_wards)
    assert len(all_wards) == 7 and [n for _, n in all_wards] == sorted(n for _, n in all_wards)
    assert [names[w] for w in mine] == [
        "Brixham Community Hospital, Harbour Ward",
        "Ward 3 (Care of the Elderly), Bay General Hospital",
    ]
    assert nurse == []


def test_a_database_loaded_before_ward_cover_gets_it_on_its_next_open(
    engine: Engine, bxm_staff: dict[str, StaffRow]
) -> None:
    from desk.services import reference

    with db.writing(engine) as session:
        for cover in session.exec(select(WardCover)):
            session.delete(cover)
    with db.writing(engine) as session:
        assert reference.load(session) is False
    with db.reading(engine) as session:
        assert len(stays.wards_of(session, bxm_staff["discharge_coordinator"].id)) == 2
        assert reference.cover_wards(session) == 0  # once recorded, left as it is


# --- the zone's view of the stay ------------------------------------------------------------------


def test_the_zone_sees_who_is_in_hospital_where_and_since_when_and_the_timeline_tells_the_stay(
    engine: Engine, register: Registrar, dc: Actor, ward3: int, clock: FrozenClock
) -> None:
    from desk.discharge_models import ZonePickup
    from desk.services import caseload, people, timeline

    person = register(family_name="Westaway", given_name="Reg")
    assert person.id is not None
    aid = admit(engine, dc, person.id, ward3, days_ago=3, reason="Chest infection")
    with db.reading(engine) as session:
        [row] = caseload.page(session, "BXM").rows
        rec = people.record(session, person.id)
    assert (row.flags, row.health) == ("HOSP", "Ward 3 since 20-Nov")
    assert (rec.in_hospital, rec.in_hospital_since) == (
        "Ward 3 (Care of the Elderly), Bay General Hospital",
        date(2026, 11, 20),
    )
    clock.advance(timedelta(minutes=5))
    plan(engine, dc, aid, ready_on=date(2026, 11, 22), pathway="1")
    clock.advance(timedelta(hours=2))
    with db.writing(engine) as session:
        stay = session.get(Admission, aid)
        assert stay is not None
        stay.discharged_at, stay.discharged_by_id = clock.now, dc.staff_id
        session.add(
            ZonePickup(
                admission_id=aid,
                person_id=person.id,
                zone_id="BXM",
                discharged_at=clock.now,
                put_in_place="Home care visits (3 visits a day) from 23-Nov-2026",
                made_at=clock.now,
            )
        )
        caseload.refresh(session, person.id)
    with db.reading(engine) as session:
        found = [e for e in timeline.timeline(session, person.id) if e.side == "hospital"]
        [row] = caseload.page(session, "BXM").rows
    assert (row.in_hospital, row.flags, row.health) == (False, "PICKUP", "")  # home: on the caseload to pick up
    ward = "Ward 3 (Care of the Elderly), Bay General Hospital"
    assert [(e.title, e.detail) for e in found] == [
        (f"Discharged from {ward}", "Put in place: Home care visits (3 visits a day) from 23-Nov-2026"),
        ("Discharge ready date: 22-Nov-2026", ward),
        ("Pathway 1: home with new or more support", ward),
        (f"Admitted to {ward}", "Chest infection"),
    ]
    assert {e.by for e in found} == {found[0].by} and found[0].by  # the discharge co-ordinator, every time


def test_regs_stay_admitted_suspended_ready_on_day_3_raised_to_three_visits_home_on_day_4(
    engine: Engine,
    register: Registrar,
    actor: Actor,
    dc: Actor,
    bxm_staff: dict[str, StaffRow],
    clock: FrozenClock,
    ward3: int,
) -> None:
    from desk.discharge import delays, leaving

    clock.set(datetime(2026, 11, 16, 14, 0, tzinfo=UTC))  # day 1, a Monday
    reg = reg_with_two_visits(register, engine, actor, bxm_staff["nurse"], clock)
    with db.writing(engine) as session:
        aid = stays.admit(session, dc, AdmissionInput(reg, ward3, None, "Chest infection"))
    checked(engine, dc, aid)
    clock.set(datetime(2026, 11, 18, 11, 0, tzinfo=UTC))  # day 3: the ward's meeting finds him ready
    plan(engine, dc, aid, ready_on=date(2026, 11, 18), pathway="1", involved=True, package_ready_by=date(2026, 11, 19))
    with db.reading(engine) as session:
        [row] = stays.ward_list(session, ward_ids=stays.wards_of(session, saved(dc)))
    assert (row.stage, row.delayed_days, row.package_before) == ("ready", 1, "Home care visits (2 visits a day)")

    clock.set(datetime(2026, 11, 19, 10, 0, tzinfo=UTC))  # day 4: a ward therapist's assessment, three visits
    view = the_stay(engine, aid)
    assert view.stage == "going_today" and view.outstanding[0] == "Delay reason missing for 18-Nov-2026 to 19-Nov-2026"
    with db.writing(engine) as session:
        ot = assessments.record(
            session,
            dc,
            AssessmentInput(
                person_id=reg,
                assessor_id=bxm_staff["occupational_therapist"].id,
                assessor_role="occupational_therapist",
                at=clock.now,
                place="ward",
                findings=(FindingInput("personal_care", "high"),),
                recommendations="Three calls a day at first",
            ),
        )
        assert view.package_id is not None
        current = arrange.current(session, view.package_id)
        assert current is not None
        three = ServiceLine(
            "home_care", "bay_care", date(2026, 11, 19), times=("08:00", "13:00", "18:00"), minutes=30, carers=1, line=1
        )
        out = arrange.change(
            session,
            dc,
            PackageChange(reg, ot.id, (three,), "Weaker after the infection", view.package_id, current.number),
        )
        assert isinstance(out, arrange.Arranged)
        delays.set_reason(session, dc, delays.DelayInput(aid, "care_at_home", "Bay Care Homecare", date(2026, 11, 18)))
    view = the_stay(engine, aid)
    package = next(t for t in view.tasks if t.kind == "package")
    with db.writing(engine) as session:
        stays.set_task(
            session, dc, TaskInput(package.task_id, package.version, "done", "Bay Care Homecare", "Confirmed")
        )
    assert view.package_now == "Home care visits (3 visits a day)" and view.package_before.startswith(
        "Home care visits (2"
    )

    clock.set(datetime(2026, 11, 19, 15, 0, tzinfo=UTC))
    with db.writing(engine) as session:
        gone = leaving.discharge(session, dc, leaving.DischargeInput(aid, the_stay(engine, aid).version))
    assert gone.package_state == "active" and gone.delayed_days == (date(2026, 11, 18), date(2026, 11, 19))
    view = the_stay(engine, aid)
    assert (view.delayed_days, view.missing_days, view.days_in) == (2, [], 3)
    assert [d.reason_words for d in view.delay_days] == ["Awaiting assessment or care at home"] * 2
    with db.reading(engine) as session:
        assert stays.ward_list(session, ward_ids=[ward3]) == []


def saved(actor: Actor) -> int:
    assert actor.staff_id is not None
    return actor.staff_id


def test_the_ward_list_reads_the_same_few_statements_for_three_beds_or_thirty(
    engine: Engine, register: Registrar, dc: Actor, ward3: int
) -> None:
    from sqlalchemy import event

    def statements(*, list_only: bool = False) -> int:
        seen: list[str] = []

        def count(*args: object) -> None:
            seen.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", count)
        try:
            with db.reading(engine) as session:
                rows = stays.ward_list(session, ward_ids=[ward3])
                if not list_only:
                    assert stays.stay(session, rows[0].admission_id).admission_id == rows[0].admission_id
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len([s for s in seen if s.split()[0].upper() != "BEGIN"])

    def beds(n: int) -> None:
        for _ in range(n):
            person = register()
            assert person.id is not None
            records.package(engine, person.id, "Home care", started_on=TODAY - timedelta(days=30))
            aid = admit(engine, dc, person.id, ward3, days_ago=4)
            plan(engine, dc, aid, ready_on=TODAY - timedelta(days=1), pathway="1")

    beds(3)
    few = statements()
    beds(27)
    with db.reading(engine) as session:
        assert len(stays.ward_list(session, ward_ids=[ward3])) == 30
    assert statements() == few
    assert statements(list_only=True) == 2  # the stays with their people, then everything their rows list


def test_a_ready_date_moved_later_drops_the_days_it_leaves_behind_and_one_moved_earlier_asks_for_more(
    engine: Engine, register: Registrar, dc: Actor, ward3: int
) -> None:
    from desk.discharge import delays

    aid = admit(engine, dc, register().id, ward3, days_ago=6)  # type: ignore[arg-type]
    plan(engine, dc, aid, ready_on=date(2026, 11, 19), pathway="1")
    with db.writing(engine) as session:
        delays.set_reason(session, dc, delays.DelayInput(aid, "therapy", "Ward physio", date(2026, 11, 19)))
    plan(engine, dc, aid, ready_on=date(2026, 11, 21))  # the meeting corrects it: not ready till the 21st
    view = the_stay(engine, aid)
    assert [(d.day, d.reason) for d in view.delay_days] == [
        (date(2026, 11, 21), "therapy"),
        (date(2026, 11, 22), "therapy"),
        (date(2026, 11, 23), "therapy"),
    ]
    with db.reading(engine) as session:
        kept = session.exec(select(DelayDay.day).where(DelayDay.admission_id == aid).order_by(col(DelayDay.day))).all()
    assert kept == [date(2026, 11, 21), date(2026, 11, 22), date(2026, 11, 23)]
    plan(engine, dc, aid, ready_on=date(2026, 11, 20))
    assert the_stay(engine, aid).outstanding[0] == "Delay reason missing for 20-Nov-2026"
