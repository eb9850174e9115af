"""Recording a discharge: the suspended package live that day, the zone told, the review 28 days on, the delay fixed.

The stays are made straight from the models (the package suspended on the
admission day with desk.packages.arrange.move), so these tests hold whatever
screen or service records the admission.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import select

from desk import clock as desk_clock
from desk import db, history
from desk.crisis import reminders
from desk.discharge import delays, leaving, pickups
from desk.discharge.leaving import DischargeInput
from desk.discharge_models import DelayDay, DischargeTask, ZonePickup
from desk.errors import InvalidForm, StaleRecord
from desk.history import Actor
from desk.models import Admission, CarePackage, History, Organisation, Staff
from desk.package_models import CareStep, PackageReview
from desk.packages import arrange
from tests.helpers.fixtures import FrozenClock, Registrar
from tests.helpers.in_hospital import in_hospital
from tests.helpers.packages import arrange_package, had_support_before

DAY1, DAY3, DAY4 = date(2026, 11, 27), date(2026, 11, 29), date(2026, 11, 30)
ADMITTED = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
LEAVES = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Stay:
    admission_id: int
    person_id: int
    package_id: int | None


def live_package(engine: Engine, actor: Actor, clock: FrozenClock, person_id: int) -> int:
    """Home care twice a day, arranged on the 1st of November and live since."""
    clock.set(datetime(2026, 11, 1, 10, tzinfo=UTC))
    had_support_before(engine, person_id)
    made = arrange_package(engine, actor, person_id)
    with db.writing(engine) as session:
        for state in ("arranged", "active"):
            pkg = session.get(CarePackage, made.package_id)
            assert pkg is not None
            arrange.move(session, actor, arrange.StepInput(made.package_id, pkg.version, state, confirmed_by="Sue"))
    return made.package_id


def set_plan(engine: Engine, actor: Actor, admission_id: int, **plan: Any) -> None:
    with db.writing(engine) as session:
        adm = session.get(Admission, admission_id)
        assert adm is not None
        history.change(session, actor, adm, plan, expected_version=None, why="Plan", person_id=adm.person_id)


def task(engine: Engine, admission_id: int, state: str) -> None:
    with db.writing(engine) as session:
        session.add(DischargeTask(admission_id=admission_id, kind="package", state=state, updated_at=ADMITTED))


def admitted(
    engine: Engine,
    actor: Actor,
    clock: FrozenClock,
    register: Registrar,
    *,
    package: bool = True,
    pathway: str = "1",
    package_task: str | None = "done",
    reason: str | None = "care_at_home",
    family_name: str = "Hext",
) -> Stay:
    """Reg's stay: admitted day 1 with his package suspended that day, ready on day 3, a reason from then."""
    person = register(family_name=family_name, given_name="Reg")
    assert person.id is not None
    package_id = live_package(engine, actor, clock, person.id) if package else None
    clock.set(ADMITTED)
    adm = in_hospital(engine, actor, person.id, ADMITTED, package_id=package_id)
    if package_id is not None:
        with db.writing(engine) as session:
            pkg = session.get(CarePackage, package_id)
            assert pkg is not None
            arrange.move(
                session, actor, arrange.StepInput(package_id, pkg.version, "suspended", DAY1, note="In hospital")
            )
    if package_task is not None:
        task(engine, adm, package_task)
    clock.set(datetime(2026, 11, 29, 12, tzinfo=UTC))
    set_plan(engine, actor, adm, ready_on=DAY3, pathway=pathway)
    if reason is not None:
        with db.writing(engine) as session:
            delays.set_reason(session, actor, delays.DelayInput(adm, reason, "Bay Care"))
    clock.set(LEAVES + timedelta(minutes=5))
    return Stay(adm, person.id, package_id)


def version_of(engine: Engine, admission_id: int) -> int:
    with db.reading(engine) as session:
        adm = session.get(Admission, admission_id)
        assert adm is not None
        return adm.version


def discharge(engine: Engine, actor: Actor, stay: Stay, **overrides: Any) -> leaving.Discharged:
    form: dict[str, Any] = dict(
        admission_id=stay.admission_id, expected_version=version_of(engine, stay.admission_id), discharged_at=LEAVES
    )
    form.update(overrides)
    with db.writing(engine) as session:
        return leaving.discharge(session, actor, DischargeInput(**form))


def test_reg_goes_home_on_day_4_with_his_package_live_the_zone_told_and_the_review_set(
    engine: Engine, reopen: Callable[[], Engine], actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    zone_desk = reopen()
    stay = admitted(engine, actor, clock, register)
    assert stay.package_id is not None
    with db.reading(engine) as session:
        suspended = session.get(CarePackage, stay.package_id)
        assert suspended is not None and suspended.state == "suspended"
        me = session.get(Staff, actor.staff_id)
        ward = session.get(Organisation, session.get(Admission, stay.admission_id).ward_id)  # type: ignore[union-attr]
        assert me is not None and ward is not None

    done = discharge(engine, actor, stay, note="Home by hospital transport")

    assert done.delayed_days == (DAY3, DAY4)
    assert done.package_state == "active"
    assert done.put_in_place == (
        "Package restarted 30-Nov-2026: Home care visits: 2 visits a day (08:00, 17:00), 30 minutes, 1 carer, "
        "every day (Bay Care Homecare)"
    )
    assert done.who_to_ring == f"Ward 3 (Care of the Elderly): 0114 496 0102, {me.name}"
    assert done.review_due_at == datetime(2026, 12, 28, 11, 0, tzinfo=UTC)
    with db.reading(engine) as session:
        adm = session.get(Admission, stay.admission_id)
        assert adm is not None
        assert (adm.discharged_at, adm.discharged_by_id, adm.discharge_note, adm.unconfirmed_why) == (
            LEAVES,
            actor.staff_id,
            "Home by hospital transport",
            "",
        )
        pkg = session.get(CarePackage, stay.package_id)
        assert pkg is not None and (pkg.state, pkg.review_due) == ("active", date(2026, 12, 28))
        steps = session.exec(
            select(CareStep.state, CareStep.happened_on).where(
                CareStep.package_id == stay.package_id,
                CareStep.line == None,  # noqa: E711
            )
        ).all()
        assert steps[-2:] == [("suspended", DAY1), ("active", DAY4)]
        days = session.exec(
            select(DelayDay.day, DelayDay.reason).where(DelayDay.admission_id == stay.admission_id)
        ).all()
        assert sorted(days) == [(DAY3, "care_at_home"), (DAY4, "care_at_home")]
        review = session.get(PackageReview, done.review_id)
        assert review is not None
        assert (review.kind, review.admission_id, review.package_id, review.state, review.due_at) == (
            "discharge",
            stay.admission_id,
            stay.package_id,
            "pending",
            datetime(2026, 12, 28, 11, 0, tzinfo=UTC),
        )
        whys = set(session.exec(select(History.why).where(History.person_id == stay.person_id)).all())
        assert {"Discharged from hospital", "Package active", "Zone told of the discharge"} <= whys
        assert "Review four weeks after discharge" in whys

    # the zone's desk, on the same database, has it to pick up
    with db.writing(zone_desk) as session:
        raised = reminders.poll_pickups(session, Actor(actor.staff_id, "zone-desk"), zone_id="BXM")
    assert [(r.pickup_id, r.name, r.put_in_place) for r in raised] == [(done.pickup_id, "HEXT, Reg", done.put_in_place)]
    with db.reading(zone_desk) as session:
        assert [r.pickup_id for r in pickups.outstanding(session, "BXM")] == [done.pickup_id]
        counted = delays.counts(session, since=DAY1, until=DAY4)
    assert (counted.total, counted.by_reason) == (2, {"care_at_home": 2})

    # four weeks on, the review is raised by the scheduler's poll
    clock.set(datetime(2026, 12, 28, 10, 59, tzinfo=UTC))
    with db.writing(zone_desk) as session:
        assert reminders.poll_reviews(session, actor, zone_id="BXM") == []
    clock.set(datetime(2026, 12, 28, 11, 0, tzinfo=UTC))
    with db.writing(zone_desk) as session:
        due = reminders.poll_reviews(session, actor, zone_id="BXM")
    assert [r.id for r in due] == [done.review_id]
    assert due[0].message.startswith("Review due: Review four weeks after discharge for HEXT, Reg")


def test_the_review_keeps_the_office_clock_time_across_a_clock_change(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    person = register()
    assert person.id is not None
    package_id = live_package(engine, actor, clock, person.id)
    clock.set(datetime(2026, 10, 20, 9, tzinfo=UTC))
    adm = in_hospital(engine, actor, person.id, clock.now, package_id=package_id)
    set_plan(engine, actor, adm, ready_on=date(2026, 10, 22), pathway="0")
    with db.writing(engine) as session:
        pkg = session.get(CarePackage, package_id)
        assert pkg is not None
        arrange.move(session, actor, arrange.StepInput(package_id, pkg.version, "suspended"))
    clock.set(datetime(2026, 10, 23, 10, tzinfo=UTC))
    with db.writing(engine) as session:
        delays.set_reason(session, actor, delays.DelayInput(adm, "transport", "Porters", date(2026, 10, 22)))
    left = datetime(2026, 10, 23, 9, 30, tzinfo=UTC)  # typed as 10:30 on the office clock (BST)
    with db.writing(engine) as session:
        done = leaving.discharge(
            session,
            actor,
            DischargeInput(
                adm, version_of(engine, adm), discharged_at=datetime(2026, 10, 23, 10, 30), who_to_ring="Sam"
            ),
        )
    assert done.review_due_at == datetime(2026, 11, 20, 10, 30, tzinfo=UTC)  # 10:30 GMT, 28 days on
    assert done.discharged_at == left
    assert done.delayed_days == (date(2026, 10, 22), date(2026, 10, 23))
    assert done.who_to_ring == "Sam"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (dict(discharged_at=ADMITTED - timedelta(minutes=1)), "discharged_at", "That is before the admission"),
        (dict(discharged_at=LEAVES + timedelta(hours=1)), "discharged_at", "That time has not come yet"),
        ("no_ready_date", "ready_on", "Record the discharge ready date first."),
        ("no_pathway", "pathway", "Set the discharge pathway first."),
        ("pathway_3", "placement", "Pathway 3: say which care home the patient is going to."),
        ("no_reason", "delay_reason", "Give the delay reason for 29-Nov-2026, 30-Nov-2026 first."),
        ("not_confirmed", "unconfirmed_why", leaving.NOT_CONFIRMED),
    ],
)
def test_a_bad_discharge_is_refused_with_plain_words_and_nothing_is_written(
    engine: Engine,
    actor: Actor,
    clock: FrozenClock,
    register: Registrar,
    change: dict[str, Any] | str,
    field: str,
    words: str,
) -> None:
    stay = admitted(
        engine,
        actor,
        clock,
        register,
        reason=None if change == "no_reason" else "care_at_home",
        package_task="in_hand" if change == "not_confirmed" else "done",
    )
    if change == "no_ready_date":
        set_plan(engine, actor, stay.admission_id, ready_on=None)
    elif change == "no_pathway":
        set_plan(engine, actor, stay.admission_id, pathway="")
    elif change == "pathway_3":
        set_plan(engine, actor, stay.admission_id, pathway="3")
    with db.reading(engine) as session:
        entries = session.exec(select(func.count()).select_from(History)).one()
    with pytest.raises(InvalidForm) as refused:
        discharge(engine, actor, stay, **(change if isinstance(change, dict) else {}))
    assert words in refused.value.problems[field]
    with db.reading(engine) as session:
        assert session.exec(select(func.count()).select_from(History)).one() == entries
        adm = session.get(Admission, stay.admission_id)
        assert adm is not None and adm.discharged_at is None
        assert session.exec(select(ZonePickup)).all() == []
        pkg = session.get(CarePackage, stay.package_id)
        assert pkg is not None and pkg.state == "suspended"
        assert session.exec(select(PackageReview).where(PackageReview.kind == "discharge")).all() == []


def test_the_package_not_confirmed_with_a_reason_is_recorded_and_the_zone_told_why(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    stay = admitted(engine, actor, clock, register, package_task="outstanding")
    done = discharge(engine, actor, stay, unconfirmed_why="  Bay Care not answering; daughter staying tonight ")
    assert done.put_in_place.endswith("Not confirmed by the provider: Bay Care not answering; daughter staying tonight")
    with db.reading(engine) as session:
        adm = session.get(Admission, stay.admission_id)
        assert adm is not None and adm.unconfirmed_why == "Bay Care not answering; daughter staying tonight"
        entry = session.exec(
            select(History).where(History.entity == "admission", History.person_id == stay.person_id)
        ).all()[-1]
        assert entry.why == (
            "Discharged from hospital without the package confirmed: Bay Care not answering; daughter staying tonight"
        )


def test_a_reason_typed_when_the_package_was_confirmed_is_not_kept(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    stay = admitted(engine, actor, clock, register)
    done = discharge(engine, actor, stay, unconfirmed_why="typed by mistake")
    assert "Not confirmed" not in done.put_in_place
    with db.reading(engine) as session:
        adm = session.get(Admission, stay.admission_id)
        assert adm is not None and adm.unconfirmed_why == ""


def test_home_with_no_package_is_no_new_support_and_no_review(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    stay = admitted(engine, actor, clock, register, package=False, pathway="0", package_task=None)
    done = discharge(engine, actor, stay)
    assert (done.put_in_place, done.package_id, done.review_id) == ("No new support (pathway 0)", None, None)
    with db.reading(engine) as session:
        assert pickups.pickup(session, done.pickup_id).put_in_place == "No new support (pathway 0)"


def test_a_care_home_placement_leaves_the_home_care_suspended_and_names_the_home(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    stay = admitted(engine, actor, clock, register, pathway="3")
    with db.reading(engine) as session:
        home = session.exec(select(Organisation).where(Organisation.kind == "care_home")).first()
        assert home is not None and home.id is not None
    set_plan(engine, actor, stay.admission_id, placement_id=home.id)
    done = discharge(engine, actor, stay)
    assert done.put_in_place == (
        f"Care home placement (pathway 3): {home.name}. The package from before the admission stays suspended"
    )
    assert done.package_state == "suspended" and done.review_id is not None
    with db.reading(engine) as session:
        review = session.get(PackageReview, done.review_id)
        assert review is not None and (review.kind, review.admission_id) == ("discharge", stay.admission_id)


def test_a_package_arranged_on_the_ward_starts_on_the_discharge_day(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    stay = admitted(engine, actor, clock, register, package=False)
    clock.set(datetime(2026, 11, 29, 15, tzinfo=UTC))
    had_support_before(engine, stay.person_id)
    made = arrange_package(engine, actor, stay.person_id)
    with db.writing(engine) as session:
        pkg = session.get(CarePackage, made.package_id)
        assert pkg is not None
        arrange.move(session, actor, arrange.StepInput(made.package_id, pkg.version, "arranged", confirmed_by="Sue"))
    clock.set(LEAVES + timedelta(minutes=5))
    done = discharge(engine, actor, stay)
    assert (done.package_id, done.package_state) == (made.package_id, "active")
    assert done.put_in_place.startswith("Package started 30-Nov-2026: Home care visits: 2 visits a day")
    with db.reading(engine) as session:
        pkg = session.get(CarePackage, made.package_id)
        assert pkg is not None and pkg.available_on == DAY4


def test_a_stale_discharge_is_refused(engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar) -> None:
    stay = admitted(engine, actor, clock, register)
    with pytest.raises(StaleRecord):
        discharge(engine, actor, stay, expected_version=version_of(engine, stay.admission_id) - 1)
    done = discharge(engine, actor, stay)
    with pytest.raises(InvalidForm) as twice:
        discharge(engine, actor, stay)
    assert twice.value.problems["discharged_at"].startswith("Already discharged at 11:00 on 30-Nov-2026")
    assert done.pickup_id


def test_days_carried_past_a_discharge_recorded_later_are_not_counted(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    stay = admitted(engine, actor, clock, register)
    clock.set(datetime(2026, 12, 2, 9, tzinfo=UTC))  # recorded two days after Reg left
    with db.writing(engine) as session:
        assert delays.carry_forward(session) == 3  # 30-Nov to 2-Dec, as the desks' poll does
    done = discharge(engine, actor, stay)
    assert done.delayed_days == (DAY3, DAY4)
    with db.reading(engine) as session:
        got = delays.counts(session, since=DAY1, until=date(2026, 12, 31))
        assert delays.missing_days(session, stay.admission_id) == []
    assert (got.total, got.by_month) == (2, {"2026-11": 2})


def test_discharged_on_the_ready_date_has_no_delayed_day(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    stay = admitted(engine, actor, clock, register)
    done = discharge(engine, actor, stay, discharged_at=datetime(2026, 11, 29, 16, tzinfo=UTC))
    assert done.delayed_days == ()
    with db.reading(engine) as session:
        assert session.exec(select(DelayDay).where(DelayDay.admission_id == stay.admission_id)).all() == []
        assert delays.counts(session, since=DAY1, until=DAY4).total == 0


def test_a_delayed_day_carried_forward_at_discharge_needs_no_new_reason(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    stay = admitted(engine, actor, clock, register)
    with db.reading(engine) as session:
        assert delays.missing_days(session, stay.admission_id) == []
        assert [d.day for d in session.exec(select(DelayDay).where(DelayDay.admission_id == stay.admission_id))] == [
            DAY3
        ]  # day 4 not yet carried: the discharge does it
    assert desk_clock.today() == DAY4
    assert discharge(engine, actor, stay).delayed_days == (DAY3, DAY4)
