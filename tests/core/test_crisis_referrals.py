"""Triage: a call that asks for help becomes a referral with a clock, in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from desk import db, triage
from desk.crisis import referrals
from desk.crisis.referrals import CallFinish, IntervalInput, TriageChoice
from desk.errors import InvalidForm, StaleRecord
from desk.history import Actor
from desk.models import Call, CaseloadEntry, History, Person, Referral
from desk.services import calls
from tests.helpers import synthetic
from tests.helpers.fixtures import FrozenClock, Registrar


@pytest.fixture
def doris(register: Registrar) -> Person:
    return register(family_name="Pascoe", given_name="Doris", phone=synthetic.landline(1))


def open_call(engine: Engine, actor: Actor, person: Person) -> Call:
    with db.writing(engine) as session:
        call = calls.start(session, actor, "BXM")
        call.person_id = person.id
        return call


def finishing(call: Call, reason: str = "crisis") -> CallFinish:
    assert call.id is not None and call.person_id is not None
    return CallFinish(
        call_id=call.id,
        person_id=call.person_id,
        reason=reason,
        notes="Fell in the kitchen, cannot get up.",
        outcome="Crisis team sent.",
        expected_version=call.version,
    )


def referrals_of(engine: Engine, person_id: int) -> list[Referral]:
    with db.reading(engine) as session:
        return list(session.exec(select(Referral).where(Referral.person_id == person_id)))


@pytest.mark.parametrize(
    ("reason", "need", "response", "lead", "discipline"),
    [
        ("crisis", "fall", "crisis", "therapist", "physiotherapy"),
        ("crisis", "confusion", "crisis", "nurse", "nursing"),
        ("crisis", "carer_cannot_cope", "crisis", "social_care", "social_work"),
        ("crisis", "equipment", "crisis", "therapist", "occupational_therapy"),
        ("change_in_need", None, "fast", "nurse", "nursing"),
        ("change_in_need", "reduced_mobility", "rapid", "therapist", "physiotherapy"),
        ("discharge", None, "fast", "social_care", "social_work"),
        ("new_referral", None, "normal", "nurse", "nursing"),
    ],
)
def test_the_desk_proposes_a_response_and_a_lead(
    reason: str, need: str | None, response: str, lead: str, discipline: str
) -> None:
    proposal = triage.propose(reason, need)
    assert (proposal.response, proposal.lead, proposal.discipline) == (response, lead, discipline)


def test_the_needs_are_the_nine_and_other() -> None:
    assert len(triage.UCR_NEEDS) == 10 and list(triage.UCR_NEEDS)[-1] == "other"
    with pytest.raises(ValueError):
        triage.propose("advice")


def test_a_crisis_call_becomes_a_crisis_referral_with_a_two_hour_clock(
    engine: Engine, actor: Actor, doris: Person, clock: FrozenClock
) -> None:
    call = open_call(engine, actor, doris)
    clock.advance(timedelta(minutes=6))
    with db.writing(engine) as session:
        made = referrals.finish_and_refer(
            session, actor, finishing(call), TriageChoice(response="crisis", lead="therapist", need="fall")
        )
    assert not made.changed_from_proposal and made.response == "crisis"
    assert made.due_at == call.started_at + timedelta(hours=2)  # from when the call came in
    [ref] = referrals_of(engine, doris.id)  # type: ignore[arg-type]
    assert (ref.call_id, ref.response, ref.lead, ref.ucr_need, ref.crisis) == (
        call.id,
        "crisis",
        "therapist",
        "fall",
        True,
    )
    assert ref.triaged_by_id == actor.staff_id and ref.discipline == "physiotherapy"
    assert ref.reason == "Crisis: A fall with no serious injury"
    with db.reading(engine) as session:
        assert session.get(Call, call.id).status == "finished"  # type: ignore[union-attr]
        entry = session.get(CaseloadEntry, doris.id)
        assert entry is not None and entry.crisis
        whys = [h.why for h in session.exec(select(History).where(History.entity == "referral"))]
    assert whys == ["Triaged from the call"]


def test_a_change_from_the_proposal_needs_a_reason_and_keeps_it(
    engine: Engine, actor: Actor, doris: Person, clock: FrozenClock
) -> None:
    call = open_call(engine, actor, doris)
    choice = TriageChoice(response="rapid", lead="nurse", need="fall")
    with pytest.raises(InvalidForm) as refused, db.writing(engine) as session:
        referrals.finish_and_refer(session, actor, finishing(call), choice)
    assert "proposed Crisis, therapist leading" in refused.value.problems["change_why"]
    assert referrals_of(engine, doris.id) == []  # type: ignore[arg-type]
    with db.reading(engine) as session:
        assert session.get(Call, call.id).status == "open"  # type: ignore[union-attr]
    why = "Paramedic on scene, assessed no injury; daughter there"
    with db.writing(engine) as session:
        made = referrals.finish_and_refer(
            session, actor, finishing(call), TriageChoice(response="rapid", lead="nurse", need="fall", change_why=why)
        )
    assert made.changed_from_proposal and made.proposal.response == "crisis"
    [ref] = referrals_of(engine, doris.id)  # type: ignore[arg-type]
    assert (ref.response, ref.proposed_response, ref.proposed_lead, ref.change_why) == (
        "rapid",
        "crisis",
        "therapist",
        why,
    )
    assert (ref.urgency, ref.crisis) == ("rapid", False)
    assert ref.due_at == call.started_at + timedelta(hours=3)


def test_a_crisis_without_its_need_is_refused_with_the_999_reminder(
    engine: Engine, actor: Actor, doris: Person, clock: FrozenClock
) -> None:
    call = open_call(engine, actor, doris)
    with pytest.raises(InvalidForm) as refused, db.writing(engine) as session:
        referrals.finish_and_refer(session, actor, finishing(call), TriageChoice(response="crisis", lead="nurse"))
    assert "999" in refused.value.problems["need"]
    with pytest.raises(InvalidForm) as bad, db.writing(engine) as session:
        referrals.finish_and_refer(session, actor, finishing(call), TriageChoice(response="soon", lead="doctor"))
    assert set(bad.value.problems) >= {"response", "lead"}
    assert referrals_of(engine, doris.id) == []  # type: ignore[arg-type]


def test_advice_is_not_triaged(engine: Engine, actor: Actor, doris: Person, clock: FrozenClock) -> None:
    call = open_call(engine, actor, doris)
    with pytest.raises(InvalidForm) as refused, db.writing(engine) as session:
        referrals.finish_and_refer(session, actor, finishing(call, "advice"), TriageChoice("normal", "nurse"))
    assert "does not become a referral" in refused.value.problems["reason"]


def test_a_fast_referral_is_due_at_the_same_local_time_tomorrow_across_the_spring_change(
    engine: Engine, actor: Actor, doris: Person, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 3, 28, 9, 15, tzinfo=UTC))  # 09:15 GMT
    call = open_call(engine, actor, doris)
    with db.writing(engine) as session:
        made = referrals.finish_and_refer(
            session, actor, finishing(call, "change_in_need"), TriageChoice("fast", "nurse")
        )
    assert made.due_at == datetime(2026, 3, 29, 8, 15, tzinfo=UTC)  # 09:15 BST
    [ref] = referrals_of(engine, doris.id)  # type: ignore[arg-type]
    assert ref.due_at == made.due_at


def test_the_three_intervals_are_recorded_with_who_and_when(
    engine: Engine, actor: Actor, doris: Person, clock: FrozenClock, bxm_staff: dict[str, object]
) -> None:
    call = open_call(engine, actor, doris)
    with db.writing(engine) as session:
        made = referrals.finish_and_refer(
            session, actor, finishing(call, "new_referral"), TriageChoice(response="normal", lead="nurse")
        )
    received = call.started_at
    nurse = Actor(bxm_staff["nurse"].id, "desk-2")  # type: ignore[attr-defined]
    clock.advance(timedelta(days=1))
    with db.reading(engine) as session:
        version = referrals.intervals(session, made.referral_id).version
    with db.writing(engine) as session:
        got = referrals.record_first_contact(
            session, nurse, IntervalInput(made.referral_id, received + timedelta(hours=20), version)
        )
    assert got.to_first_contact == timedelta(hours=20) and got.first_contact_by_id == nurse.staff_id
    # a second desk still holding the old version is refused
    with pytest.raises(StaleRecord), db.writing(engine) as session:
        referrals.record_assessment(session, actor, IntervalInput(made.referral_id, clock.now, version))
    with pytest.raises(InvalidForm) as early, db.writing(engine) as session:
        referrals.record_services(session, actor, IntervalInput(made.referral_id, clock.now, got.version))
    assert early.value.problems["at"] == "Record the assessment before services are in place."
    with pytest.raises(InvalidForm) as future, db.writing(engine) as session:
        referrals.record_assessment(
            session, actor, IntervalInput(made.referral_id, clock.now + timedelta(hours=1), got.version)
        )
    assert future.value.problems["at"] == "Assessment cannot be in the future."
    with db.writing(engine) as session:
        got = referrals.record_assessment(session, nurse, IntervalInput(made.referral_id, clock.now, got.version))
    clock.advance(timedelta(days=2))
    with db.writing(engine) as session:
        got = referrals.record_services(session, actor, IntervalInput(made.referral_id, clock.now, got.version))
    assert got.to_assessment == timedelta(days=1)
    assert got.assessment_to_services == timedelta(days=2)
    assert (got.assessed_by_id, got.services_by_id) == (nurse.staff_id, actor.staff_id)
    with db.reading(engine) as session:
        ref = session.get(Referral, made.referral_id)
        assert ref is not None and ref.services_recorded_at == clock.now
        whys = [h.why for h in session.exec(select(History).where(History.entity == "referral").order_by(History.id))]
    assert whys == [
        "Triaged from the call",
        "First contact recorded",
        "Assessment recorded",
        "Services in place recorded",
    ]
