"""The daily handover list and the 2-hour figure."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from desk import db
from desk.crisis import escalation, figures, handover, liaison
from desk.crisis.escalation import BookingInput, BookingMove, Escalated
from desk.crisis.handover import CloseInput, DecisionInput
from desk.crisis.liaison import LiaisonInput
from desk.crisis_models import Crisis
from desk.errors import InvalidForm
from desk.history import Actor
from desk.models import History, Referral
from tests.helpers.crisis import day_team, local, raise_crisis
from tests.helpers.fixtures import FrozenClock, Registrar


def arrive(engine: Engine, actor: Actor, crisis: Escalated, *, assess: bool) -> None:
    nurse = crisis.bookings[0]
    with db.writing(engine) as session:
        row = escalation.move_booking(session, actor, BookingMove(nurse.id, nurse.version, "arrived"))
        if assess:
            escalation.move_booking(session, actor, BookingMove(nurse.id, row.version, "assessed"))


def test_the_handover_lists_crises_assessed_in_the_last_day_and_exports_them(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    doris, ethel, reg = (
        register(family_name=n, given_name=g) for n, g in (("Pascoe", "Doris"), ("Ethel", "May"), ("Reg", "Tom"))
    )
    day_team(engine, actor, clock.today)
    fall = raise_crisis(engine, actor, doris.id)  # type: ignore[arg-type]
    confusion = raise_crisis(engine, actor, ethel.id, need="confusion", what="Not herself, GP worried")  # type: ignore[arg-type]
    waiting = raise_crisis(engine, actor, reg.id)  # type: ignore[arg-type]
    clock.advance(timedelta(hours=1))
    arrive(engine, actor, fall, assess=True)
    arrive(engine, actor, confusion, assess=True)
    arrive(engine, actor, waiting, assess=False)  # seen, not yet assessed: not on the list
    with db.writing(engine) as session:
        liaison.add_entry(session, actor, LiaisonInput(fall.crisis_id, "family", "Jean stays tonight"))
        escalation.book_visit(
            session,
            actor,
            BookingInput(fall.crisis_id, fall.bookings[0].staff_id, "nursing", local(clock.today, 18), "follow_up"),
        )
    with db.reading(engine) as session:
        items = handover.handover_list(session, "BXM")
    assert [i.crisis_id for i in items] == [fall.crisis_id, confusion.crisis_id]
    assert items[0].decision_label == "No decision yet" and len(items[0].follow_ups) == 1
    with db.writing(engine) as session:
        decided = handover.decide(
            session, actor, DecisionInput(fall.crisis_id, "bed_based_stay", "Bed at Brixham for 48 h", items[0].version)
        )
    assert decided.decision_label == "Bed-based reablement stay (24-48 h)"
    with db.reading(engine) as session:
        text = handover.export_text(handover.handover_list(session, "BXM"), zone_id="BXM")
    assert text.splitlines()[:2] == [
        "Crisis handover, zone BXM, Mon 23-Nov-2026 11:30",
        "2 crises assessed in the last day",
    ]
    assert "1. PASCOE, Doris: A fall with no serious injury (At home)" in text
    assert "   Decision: Bed-based reablement stay (24-48 h) - Bed at Brixham for 48 h" in text
    assert "   Latest liaison: Family: Jean stays tonight" in text
    assert "Follow-up:" in text and "2. ETHEL, May: Confusion or delirium (At home)" in text
    assert "Decision: No decision yet" in text
    clock.advance(timedelta(days=1, hours=1))
    with db.reading(engine) as session:
        assert handover.handover_list(session, "BXM") == []  # a day later they have been handed over


def test_a_crisis_cannot_be_closed_without_a_decision(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    doris = register(family_name="Pascoe")
    day_team(engine, actor, clock.today)
    crisis = raise_crisis(engine, actor, doris.id)  # type: ignore[arg-type]
    with db.reading(engine) as session:
        version = handover.item(session, crisis.crisis_id).version
    with pytest.raises(InvalidForm) as refused, db.writing(engine) as session:
        handover.close(session, actor, CloseInput(crisis.crisis_id, version))
    assert refused.value.problems["decision"] == "Record the team's decision before closing the crisis."
    with pytest.raises(InvalidForm) as odd, db.writing(engine) as session:
        handover.decide(session, actor, DecisionInput(crisis.crisis_id, "shrug", "", version))
    assert "further support" in odd.value.problems["decision"]
    with db.reading(engine) as session:
        row = session.get(Crisis, crisis.crisis_id)
        assert row is not None and (row.status, row.decision, row.version) == ("open", "", version)
    with db.writing(engine) as session:
        decided = handover.decide(session, actor, DecisionInput(crisis.crisis_id, "close", "Managing well", version))
        closed = handover.close(session, actor, CloseInput(crisis.crisis_id, decided.version))
    assert closed.status == "closed"
    with db.reading(engine) as session:
        ref = session.get(Referral, crisis.referral_id)
        assert ref is not None and ref.status == "closed" and ref.closed_at == clock.now
        whys = [h.why for h in session.exec(select(History).where(History.entity == "crisis").order_by(History.id))]
    assert whys[-2:] == ["Handover decision: Close", "Crisis closed: Close"]


def test_the_two_hour_figure_counts_first_contact_within_two_hours(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    people = [register(family_name=f"Figure{n}") for n in range(4)]
    # yesterday: one seen in 1 h 10 (met), one seen at 2 h 30 (missed)
    started = clock.now
    clock.set(started - timedelta(days=1))
    day_team(engine, actor, clock.today)
    met = raise_crisis(engine, actor, people[0].id)  # type: ignore[arg-type]
    late = raise_crisis(engine, actor, people[1].id)  # type: ignore[arg-type]
    clock.advance(timedelta(hours=1, minutes=10))
    arrive(engine, actor, met, assess=False)
    clock.advance(timedelta(hours=1, minutes=20))
    arrive(engine, actor, late, assess=False)
    # today: one never seen and past its 2 hours (missed), one still on the clock (waiting)
    clock.set(started - timedelta(hours=3))
    day_team(engine, actor, clock.today)
    raise_crisis(engine, actor, people[2].id)  # type: ignore[arg-type]
    clock.set(started)
    raise_crisis(engine, actor, people[3].id)  # type: ignore[arg-type]
    with db.reading(engine) as session:
        fig = figures.two_hour_figure(session, "BXM")
        elsewhere = figures.two_hour_figure(session, "PGN")
    assert (fig.today.met, fig.today.missed, fig.today.waiting) == (0, 1, 1)
    assert (fig.last_28_days.met, fig.last_28_days.missed, fig.last_28_days.waiting) == (1, 2, 1)
    assert fig.last_28_days.percent == 33.3 and fig.last_28_days.meets_standard is False
    assert fig.header == "2-hour response today: 0/1 (0%); 28 days: 1/3 (33.3%); standard 70%"
    assert elsewhere.last_28_days == figures.TwoHourCount(0, 0, 0)
    assert elsewhere.header.startswith("2-hour response today: none yet; 28 days: none yet")
    # a month on, none of them count
    with db.reading(engine) as session:
        later = figures.two_hour_figure(session, "BXM", now=started + timedelta(days=29))
    assert later.last_28_days.decided == 0
