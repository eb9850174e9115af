"""The demo's crisis line: a living board, rosters around today, a handover list, reminders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from desk import clock, db, demo, triage
from desk.crisis import board, figures, handover, reminders, roster
from desk.crisis_models import Absence, Booking, Crisis, Reminder, Shift
from desk.models import Call, Person, Referral, Zone

NOW = datetime(2025, 3, 12, 11, 5, tzinfo=UTC)  # a Wednesday morning in the office
ZONES = ("BXM", "PGN", "PGS", "TQN", "TQS")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    engine = db.make_engine(f"sqlite:///{tmp_path_factory.mktemp('crisis-demo')}/t.db")
    db.migrate(engine)
    with db.writing(engine) as session:
        demo.seed_demo(session, people=300, now=NOW)
    with db.reading(engine) as session:
        yield session
    engine.dispose()


def test_every_zone_has_a_board_with_a_nearly_due_and_a_breached_crisis(seeded: Session) -> None:
    assert sorted(z.id for z in seeded.exec(select(Zone))) == list(ZONES)
    for zone in ZONES:
        rows = board.board(seeded, zone, now=NOW)
        crises = {r.clock.word for r in rows if r.kind == "crisis"}
        rapid = {r.clock.word for r in rows if r.kind == "rapid"}
        assert {"Due soon", "Breached", "On time", "Seen"} <= crises, zone
        assert {"Due soon", "Breached", "On time"} <= rapid, zone
        nearly = next(r for r in rows if r.kind == "crisis" and r.clock.level == "amber")
        assert 0 < nearly.clock.minutes_left <= 30 and len(nearly.visits) == 3
        assert {v.discipline for v in nearly.visits} == {"nursing", "physiotherapy", "occupational_therapy"}
        assert any(r.latest_liaison for r in rows)
        assert rows[0].clock.level == "red"  # the least time left first


def test_open_clocks_have_reminders_and_every_referral_a_response(seeded: Session) -> None:
    open_clocks = seeded.exec(
        select(Referral).where(Referral.status == "open", col(Referral.response).in_(("crisis", "rapid")))
    ).all()
    assert len(open_clocks) >= 5 * 7
    reminded = {r.referral_id for r in seeded.exec(select(Reminder))}
    assert {r.id for r in open_clocks} <= reminded
    every = seeded.exec(select(Referral)).all()
    assert {r.response for r in every} >= {triage.CRISIS, triage.RAPID}, "a crisis clock and a Rapid one, both checked"
    for r in every:
        assert r.response in triage.RESPONSES
        if r.urgency in (triage.RAPID, triage.FAST) and not r.crisis:
            assert r.response == r.urgency
        if r.response == triage.CRISIS:
            assert r.due_at == r.received_at + timedelta(hours=2)


def test_ethels_gp_call_is_a_crisis_raised_when_it_came_in(seeded: Session) -> None:
    """The story's Crisis response has its crisis behind it: on the board as a crisis, never as a Rapid referral."""
    ethel = next(s for s in demo.STORY_PEOPLE if s["key"] == "ethel")
    person_id = seeded.exec(select(Person.id).where(Person.nhs_number == ethel["nhs_number"])).one()
    crisis = seeded.exec(select(Crisis).where(Crisis.person_id == person_id)).one()
    referral = seeded.get(Referral, crisis.referral_id)
    assert referral is not None and referral.status == crisis.status == "open"
    assert (referral.response, referral.crisis, referral.ucr_need, crisis.need) == (
        "crisis",
        True,
        "frailty",
        "frailty",
    )
    call = seeded.get(Call, referral.call_id)
    assert call is not None and call.reason == "crisis" and crisis.call_id == call.id
    assert crisis.raised_at == referral.received_at == call.started_at
    assert referral.due_at == referral.received_at + timedelta(hours=2)
    rows = [r for r in board.board(seeded, ethel["zone"], now=NOW) if r.person_id == person_id]
    assert [(r.kind, r.crisis_id) for r in rows] == [("crisis", crisis.id)]
    assert len(rows[0].visits) == 3


def test_ethels_crisis_called_in_hours_ago_was_assessed_in_time_and_awaits_handover(tmp_path: Path) -> None:
    """Seeded in the evening: her 2-hour clock ran out hours ago, so the team has assessed, within it."""
    evening = datetime(2025, 3, 12, 21, 0, tzinfo=UTC)
    engine = db.make_engine(f"sqlite:///{tmp_path}/evening.db")
    db.migrate(engine)
    with db.writing(engine) as session:
        demo.seed_demo(session, people=100, now=evening)
    ethel = next(s for s in demo.STORY_PEOPLE if s["key"] == "ethel")
    with db.reading(engine) as session:
        person_id = session.exec(select(Person.id).where(Person.nhs_number == ethel["nhs_number"])).one()
        crisis = session.exec(select(Crisis).where(Crisis.person_id == person_id)).one()
        referral = session.get(Referral, crisis.referral_id)
        assert referral is not None and referral.assessed_at is not None and referral.due_at is not None
        assert referral.first_contact_at is not None and referral.assessed_at <= referral.due_at <= evening
        visits = session.exec(select(Booking).where(Booking.crisis_id == crisis.id)).all()
        assert len(visits) == 3 and all(v.state == "assessed" for v in visits)
        assert crisis.id in {i.crisis_id for i in handover.handover_list(session, ethel["zone"], now=evening)}
        hers = set(session.exec(select(Reminder.id).where(Reminder.referral_id == referral.id)))
        assert len(hers) == 2 and hers.isdisjoint(reminders.due(session, zone_id=ethel["zone"], now=evening))
    engine.dispose()


def test_rosters_cover_the_weeks_around_today_with_a_night_shift_and_absences(seeded: Session) -> None:
    today = clock.local(NOW).date()
    monday = today - timedelta(days=today.weekday())
    for zone in ZONES:
        for week in (monday - timedelta(days=7), monday, monday + timedelta(days=7)):
            assert len(roster.week(seeded, zone, week)) >= 30, (zone, week)
        for discipline in ("nursing", "physiotherapy", "occupational_therapy"):
            assert roster.on_duty(seeded, zone, discipline, at=NOW), (zone, discipline)
    nights = [s for s in seeded.exec(select(Shift)) if clock.local(s.ends_at).date() > clock.local(s.starts_at).date()]
    assert nights and all(s.discipline == "nursing" for s in nights)
    kinds = sorted(a.kind for a in seeded.exec(select(Absence)))
    assert kinds == ["leave"] * 5 + ["sick"] * 5
    this_week = roster.week(seeded, "BXM", monday)
    assert any(r.absence == "sick" and clock.local(r.starts_at).date() == today for r in this_week)


def test_the_handover_lists_the_last_days_crises_and_the_figure_counts_a_month(seeded: Session) -> None:
    for zone in ZONES:
        items = handover.handover_list(seeded, zone, now=NOW)
        assert [i.decision_label for i in items] == ["Further support", "No decision yet", "No decision yet"]
        assert len(items[0].follow_ups) == 1 and all(i.assessed_at for i in items)
        fig = figures.two_hour_figure(seeded, zone, now=NOW)
        assert fig.last_28_days.decided >= 8 and fig.last_28_days.missed >= 2
    closed = seeded.exec(select(Crisis).where(Crisis.status == "closed")).all()
    assert len(closed) == 5 * 6 and all(c.decision and c.closed_at for c in closed)
