"""The demo's wards: patients at every stage of a stay, read back through the desk's own services.

On SQLite and PostgreSQL. The demo opens on 1 December, so the delay that
runs over the last month end is counted in November and December.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from desk import clock, db, demo
from desk.discharge import delays, pickups, stays
from desk.discharge.demo_stage import WARD_DESK
from desk.discharge_models import DelayDay, DischargeTask
from desk.models import Admission, CarePackage, History, Organisation, Person, Staff
from desk.packages import arrange
from tests.helpers.fixtures import frozen

NOW = datetime(2026, 12, 1, 11, 5, tzinfo=UTC)  # a Tuesday morning, the day after the month end
TODAY = clock.local(NOW).date()


@pytest.fixture(scope="module")
def seeded(shared_engine: Engine) -> Iterator[Engine]:
    with frozen(NOW), db.writing(shared_engine) as session:
        demo.seed_demo(session, now=NOW)  # the default zone of 2,000, about 25 of them in hospital
    yield shared_engine


@pytest.fixture
def session(seeded: Engine) -> Iterator[Session]:
    with frozen(NOW), db.reading(seeded) as s:
        yield s


def _ward_rows(session: Session) -> list[stays.WardRow]:
    return stays.ward_list(session, ward_ids=None, today=TODAY)


def test_the_wards_hold_patients_at_every_stage(session: Session) -> None:
    rows = _ward_rows(session)
    by_stage = {stage: [r for r in rows if r.stage == stage] for stage in ("new", "awaiting_drd", "delayed")}
    assert len(by_stage["new"]) >= 2 and by_stage["awaiting_drd"] and by_stage["delayed"]
    # the demo's wards, as in the reference data (never the emergency department)
    wards = {r.ward_id for r in rows}
    names = dict(session.exec(select(Organisation.id, Organisation.name)).all())
    assert len(wards) >= 3 and not any("Emergency" in names[w] for w in wards)
    for r in by_stage["new"]:
        stay = session.get(Admission, r.admission_id)
        assert stay is not None and stay.checked_at is None
        assert NOW - stay.admitted_at < timedelta(hours=6)
    for r in by_stage["awaiting_drd"]:
        assert r.ready_on is None and "No discharge ready date" in r.outstanding


def test_delayed_patients_have_a_reason_for_each_day_and_one_delay_spans_the_month_end(session: Session) -> None:
    going = {r.admission_id for r in _ward_rows(session) if r.stage == "going_today"}
    delayed = [d for d in delays.delayed_now(session, today=TODAY) if d.admission_id not in going]
    assert len(delayed) >= 5
    assert sum(1 for d in delayed if d.reason) >= len(delayed) - 1  # one left for the ward to give
    missing = [d for d in delayed if not d.reason]
    assert len(missing) == 1 and delays.missing_days(session, missing[0].admission_id, TODAY)
    counts = delays.counts(session, since=TODAY - timedelta(days=60), until=TODAY)
    assert set(counts.by_month) == {"2026-11", "2026-12"}
    assert {"care_at_home", "community_bed", "transport", "care_home_bed"} <= set(counts.by_reason)
    # the month-end stay: a community bed awaited in November, transport from the first of December
    spans = [
        d.admission_id
        for d in delayed
        if d.ready_on < TODAY.replace(day=1) and d.reason == "Awaiting transport" and d.ready_on == TODAY - timedelta(3)
    ]
    assert len(spans) == 1
    days = session.exec(select(DelayDay).where(DelayDay.admission_id == spans[0]).order_by(col(DelayDay.day))).all()
    assert [(d.day.month, d.reason) for d in days] == [(11, "community_bed")] * 3 + [(12, "transport")]


def test_two_go_home_today_with_the_package_confirmed_and_every_task_done(session: Session) -> None:
    going = [r for r in _ward_rows(session) if r.stage == "going_today"]
    assert len(going) == 2
    for r in going:
        assert r.ready_on == TODAY and r.going_home_on == TODAY and r.outstanding == ()
        tasks = session.exec(select(DischargeTask).where(DischargeTask.admission_id == r.admission_id)).all()
        assert {t.kind: t.state for t in tasks}["package"] == "done"
        assert all(t.state in ("done", "not_needed") for t in tasks)
        assert r.delay_reason == "Awaiting transport"  # today counts until they go, and has its reason


def test_pick_ups_wait_for_the_zone_and_one_is_acknowledged(session: Session) -> None:
    waiting = pickups.outstanding(session, None)
    assert len(waiting) == 2
    for p in waiting:
        assert p.acknowledged_at is None and p.put_in_place and p.who_to_ring
        assert clock.local(p.discharged_at).date() == TODAY
    recent = pickups.recent(session, None)
    done = [p for p in recent if p.acknowledged_at is not None]
    assert len(done) == 1 and done[0].acknowledged_by


def test_reg_is_on_ward_3_delayed_with_his_package_suspended(session: Session) -> None:
    reg = session.exec(select(Person).where(Person.given_name == "Reg", Person.family_name == "Westaway")).one()
    row = next(r for r in _ward_rows(session) if r.person_id == reg.id)
    assert row.ward.startswith("Ward 3") and row.stage == "delayed"
    assert row.days_in == 9 and row.ready_on == TODAY - timedelta(days=5) and row.pathway == "1"
    assert row.delay_reason == "Awaiting assessment or care at home"
    assert row.delayed_days == len(delays.delayed_days(row.ready_on, None, TODAY))
    stay = session.get(Admission, row.admission_id)
    assert stay is not None and stay.package_id is not None
    package = session.get(CarePackage, stay.package_id)
    assert package is not None and package.state == "suspended"
    # his providers were told of the suspension when the co-ordinator checked the admission
    notices = arrange.providers_to_tell(session, stay.package_id)
    assert notices and all(n.told_at is not None for n in notices)


def test_the_stays_were_recorded_by_the_wards_co_ordinators_at_the_desk(session: Session) -> None:
    roles = dict(session.exec(select(Staff.id, Staff.role)).all())
    entries = session.exec(select(History).where(History.desk == WARD_DESK)).all()
    assert entries
    assert {roles[e.staff_id] for e in entries if e.entity == "admission" and e.staff_id} == {"discharge_coordinator"}
    admitted = session.exec(select(Admission).where(col(Admission.recorded_at).is_not(None))).all()
    assert admitted and all(a.recorded_by_id is not None for a in admitted)


def test_the_desks_clock_runs_again_after_the_stage_held_it() -> None:
    with clock.held_at(NOW):
        assert clock.now() == NOW and clock.today() == TODAY
    assert clock.now() != NOW
