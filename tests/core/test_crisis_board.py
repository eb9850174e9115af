"""The crisis board: open crises and Rapid referrals by time left, amber and red at the right minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from desk import db
from desk.crisis import board, escalation, liaison, referrals
from desk.crisis.board import BoardRow
from desk.crisis.escalation import BookingMove
from desk.crisis.liaison import LiaisonInput
from desk.crisis.referrals import CallFinish, TriageChoice
from desk.history import Actor
from desk.services import calls
from tests.helpers.crisis import day_team, raise_crisis
from tests.helpers.fixtures import FrozenClock, Registrar

DUE = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)


def test_amber_from_thirty_minutes_before_and_red_from_the_deadline() -> None:
    def at(minutes_before: float) -> tuple[str, str, int]:
        s = board.clock_state(DUE, DUE - timedelta(minutes=minutes_before))
        return s.level, s.word, s.minutes_left

    assert at(31) == ("ok", "On time", 31)
    assert at(30.5) == ("ok", "On time", 30)
    assert at(30) == ("amber", "Due soon", 30)
    assert at(0.5) == ("amber", "Due soon", 0)
    assert at(0) == ("red", "Breached", 0)
    assert at(-1) == ("red", "Breached", -1)
    assert board.clock_state(DUE, DUE + timedelta(hours=1), DUE - timedelta(minutes=5)).word == "Seen"
    assert board.clock_state(DUE, DUE + timedelta(hours=1), DUE + timedelta(minutes=5)).word == "Seen late"


def rows(engine: Engine, zone: str | None = "BXM") -> list[BoardRow]:
    with db.reading(engine) as session:
        return board.board(session, zone)


def test_the_board_shows_crises_and_rapid_referrals_by_time_left(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    doris, reg = register(family_name="Pascoe", given_name="Doris"), register(family_name="Reg", given_name="Tom")
    day_team(engine, actor, clock.today)
    with db.writing(engine) as session:  # a Rapid referral first: 3 hours, due 13:30
        call = calls.start(session, actor, "BXM")
        assert call.id is not None
        referrals.finish_and_refer(
            session,
            actor,
            CallFinish(call.id, reg.id, "change_in_need", "Cannot stand", "Rapid", call.version),  # type: ignore[arg-type]
            TriageChoice("rapid", "therapist", need="reduced_mobility"),
        )
    clock.advance(timedelta(minutes=15))
    crisis = raise_crisis(engine, actor, doris.id)  # type: ignore[arg-type]  # due 12:45
    with db.writing(engine) as session:
        liaison.add_entry(session, actor, LiaisonInput(crisis.crisis_id, "ambulance", "Stood down, we attend"))
    shown = rows(engine)
    assert [(r.kind, r.person, r.clock.word, r.clock.minutes_left) for r in shown] == [
        ("crisis", "PASCOE, Doris", "On time", 120),
        ("rapid", "REG, Tom", "On time", 165),
    ]
    top = shown[0]
    assert [(v.discipline, v.state) for v in top.visits] == [
        ("nursing", "booked"),
        ("physiotherapy", "booked"),
        ("occupational_therapy", "booked"),
    ]
    assert top.latest_liaison == "Ambulance service: Stood down, we attend" and not top.arrived
    clock.advance(timedelta(minutes=90))  # 12:15: the crisis is 30 minutes from its deadline
    assert [r.clock.word for r in rows(engine)] == ["Due soon", "On time"]
    clock.advance(timedelta(minutes=30))  # 12:45: the crisis is breached, the Rapid 45 minutes off
    assert [r.clock.level for r in rows(engine)] == ["red", "ok"]
    clock.advance(timedelta(minutes=15))  # 13:00: the Rapid is 30 minutes off; the nurse arrives, late
    nurse = crisis.bookings[0]
    with db.writing(engine) as session:
        escalation.move_booking(session, actor, BookingMove(nurse.id, nurse.version, "arrived"))
    shown = rows(engine)
    assert [(r.kind, r.clock.word) for r in shown] == [("rapid", "Due soon"), ("crisis", "Seen late")]
    assert shown[1].arrived
    assert rows(engine, "PGN") == [] and len(rows(engine, None)) == 2


def test_a_crisis_triaged_on_a_call_is_on_the_board_until_escalated_then_once_through_its_crisis(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    doris = register(family_name="Pascoe", given_name="Doris")
    assert doris.id is not None
    day_team(engine, actor, clock.today)
    with db.writing(engine) as session:  # triaged Crisis on finishing the call, no team escalated: due in 2 hours
        call = calls.start(session, actor, "BXM")
        assert call.id is not None
        made = referrals.finish_and_refer(
            session,
            actor,
            CallFinish(call.id, doris.id, "crisis", "Fell, cannot get up", "Crisis", call.version),
            TriageChoice("crisis", "therapist", need="fall"),
        )
    shown = rows(engine)
    assert [(r.kind, r.referral_id, r.crisis_id, r.clock.minutes_left, r.visits) for r in shown] == [
        ("crisis", made.referral_id, None, 120, ())
    ]
    assert shown[0].what.startswith(board.NOT_ESCALATED)
    with db.writing(engine) as session:
        prop = escalation.propose_team(session, "BXM")
        escalated = escalation.escalate(
            session,
            actor,
            escalation.EscalationInput(
                zone_id="BXM",
                person_id=doris.id,
                caller="Daughter",
                what_happened="Fell, cannot get up",
                need="fall",
                whereabouts="home",
                team=tuple(escalation.TeamMember(v.discipline, v.staff_id, v.visit_at) for v in prop.visits),
                gaps=tuple(
                    escalation.DisciplineGap(d, "nobody_on_duty", "Manager: cover tomorrow")
                    for d in prop.nobody_on_duty
                ),
                referral_id=made.referral_id,
            ),
        )
    shown = rows(engine)
    assert [(r.kind, r.referral_id, r.crisis_id) for r in shown] == [("crisis", made.referral_id, escalated.crisis_id)]
    assert len(shown[0].visits) == 3 and not shown[0].what.startswith(board.NOT_ESCALATED)
