"""The duty roster: shifts (a night crosses midnight), absences, and who can go today."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from desk import db
from desk.crisis import roster
from desk.crisis.roster import AbsenceInput, ShiftChange, ShiftInput, ShiftRemoval
from desk.crisis_models import Booking, Crisis, Shift
from desk.errors import InvalidForm, StaleRecord
from desk.history import Actor
from desk.models import History, Referral
from tests.helpers.crisis import local, put_on, team
from tests.helpers.fixtures import FrozenClock, Registrar


def shifts(engine: Engine) -> list[Shift]:
    with db.reading(engine) as session:
        return list(session.exec(select(Shift)))


def test_a_night_shift_crosses_midnight_and_counts_on_both_sides(
    engine: Engine, actor: Actor, clock: FrozenClock
) -> None:
    nurse = team(engine)["nurse"][0]
    today = clock.today
    row = put_on(engine, actor, nurse, local(today, 20), local(today + timedelta(days=1), 8))
    assert row.ends_at - row.starts_at == timedelta(hours=12) and row.staff_name == nurse.name
    with db.reading(engine) as session:
        assert [d.name for d in roster.on_duty(session, "BXM", "nursing")] == [nurse.name]  # later today
        late = roster.on_duty(session, "BXM", "nursing", at=local(today, 23, 30))
        assert [d.free_from for d in late] == [local(today, 23, 30)]
        early = roster.on_duty(session, "BXM", "nursing", at=local(today + timedelta(days=1), 6))
        assert [d.staff_id for d in early] == [nurse.id]
        assert roster.on_duty(session, "BXM", "nursing", at=local(today + timedelta(days=1), 8)) == []
        monday = today - timedelta(days=today.weekday())
        assert [r.id for r in roster.week(session, "BXM", monday)] == [row.id]


def test_on_duty_now_or_later_today_fewest_visits_first(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    first, second = team(engine)["nurse"][:2]
    today = clock.today  # 10:30 GMT
    put_on(engine, actor, first, local(today, 8), local(today, 16))
    put_on(engine, actor, second, local(today, 14), local(today, 22))
    physio = team(engine)["physiotherapist"][0]
    put_on(engine, actor, physio, local(today - timedelta(days=1), 8), local(today - timedelta(days=1), 16))
    with db.reading(engine) as session:
        duty = roster.on_duty(session, "BXM", "nursing")
        assert [(d.name, d.visits_today) for d in duty] == [(first.name, 0), (second.name, 0)]  # free soonest first
        assert duty[1].free_from == local(today, 14)
        assert roster.on_duty(session, "BXM", "physiotherapy") == []  # yesterday's shift is over
    # the first nurse has two visits today: the second comes first now
    person = register()
    with db.writing(engine) as session:
        ref = Referral(person_id=person.id, received_at=clock.now, discipline="nursing")  # type: ignore[arg-type]
        session.add(ref)
        session.flush()
        crisis = Crisis(
            zone_id="BXM",
            person_id=person.id,  # type: ignore[arg-type]
            referral_id=ref.id,  # type: ignore[arg-type]
            what_happened="Fall",
            need="fall",
            whereabouts="home",
            raised_at=clock.now,
        )
        session.add(crisis)
        session.flush()
        for hour in (11, 12):
            session.add(
                Booking(
                    crisis_id=crisis.id,  # type: ignore[arg-type]
                    person_id=person.id,  # type: ignore[arg-type]
                    staff_id=first.id,
                    discipline="nursing",
                    visit_at=local(today, hour),
                    booked_at=clock.now,
                )
            )
    with db.reading(engine) as session:
        assert [(d.name, d.visits_today) for d in roster.on_duty(session, "BXM", "nursing")] == [
            (second.name, 0),
            (first.name, 2),
        ]


def test_someone_off_sick_is_not_on_duty(engine: Engine, actor: Actor, clock: FrozenClock) -> None:
    nurse = team(engine)["nurse"][0]
    today = clock.today
    put_on(engine, actor, nurse, local(today, 8), local(today, 20))
    with db.reading(engine) as session:
        assert nurse.id in {d.staff_id for d in roster.on_duty(session, "BXM", "nursing")}  # before: on the roster
    with db.writing(engine) as session:
        away = roster.mark_absent(
            session, actor, AbsenceInput(nurse.id, "sick", local(today, 9), local(today + timedelta(days=2), 0))
        )
    assert away.kind == "sick"
    with db.reading(engine) as session:
        assert nurse.id not in {d.staff_id for d in roster.on_duty(session, "BXM", "nursing")}
        assert roster.covering_shift(session, nurse.id, clock.now, zone_id="BXM") is None
        monday = today - timedelta(days=today.weekday())
        assert [r.absence for r in roster.week(session, "BXM", monday)] == ["sick"]
        whys = [h.why for h in session.exec(select(History).where(History.entity == "absence"))]
    assert whys == ["Marked away: off sick"]


def test_bad_shifts_are_refused_and_nothing_is_written(engine: Engine, actor: Actor, clock: FrozenClock) -> None:
    nurse = team(engine)["nurse"][0]
    today = clock.today
    with pytest.raises(InvalidForm) as backwards, db.writing(engine) as session:
        roster.add_shift(session, actor, ShiftInput("BXM", nurse.id, "nursing", local(today, 20), local(today, 8)))
    assert "after the start" in backwards.value.problems["ends_at"]
    with pytest.raises(InvalidForm) as odd, db.writing(engine) as session:
        roster.add_shift(session, actor, ShiftInput("BXM", nurse.id, "juggling", local(today, 8), local(today, 9)))
    assert odd.value.problems["discipline"] == "Choose the discipline they work in on this shift."
    assert shifts(engine) == []
    put_on(engine, actor, nurse, local(today, 8), local(today, 16))
    with pytest.raises(InvalidForm) as clash, db.writing(engine) as session:
        roster.add_shift(session, actor, ShiftInput("BXM", nurse.id, "nursing", local(today, 15), local(today, 20)))
    assert "already has a shift" in clash.value.problems["starts_at"]
    with pytest.raises(InvalidForm) as sick, db.writing(engine) as session:
        roster.mark_absent(session, actor, AbsenceInput(nurse.id, "bored", local(today, 9), local(today, 10)))
    assert "off sick" in sick.value.problems["kind"]
    assert len(shifts(engine)) == 1


def test_change_and_remove_a_shift_with_history_and_stale_saves_refused(
    engine: Engine, actor: Actor, clock: FrozenClock
) -> None:
    first, second = team(engine)["nurse"][:2]
    today = clock.today
    row = put_on(engine, actor, first, local(today, 8), local(today, 16))
    change = ShiftChange(row.id, row.version, second.id, "nursing", local(today, 9), local(today, 17), "Swapped")
    with db.writing(engine) as session:
        changed = roster.change_shift(session, actor, change)
    assert (changed.staff_id, changed.starts_at, changed.version) == (second.id, local(today, 9), row.version + 1)
    with pytest.raises(StaleRecord), db.writing(engine) as session:
        roster.change_shift(session, actor, change)  # read before the swap
    with pytest.raises(InvalidForm) as no_why, db.writing(engine) as session:
        roster.remove_shift(session, actor, ShiftRemoval(row.id, changed.version, " "))
    assert "why" in no_why.value.problems
    with db.writing(engine) as session:
        roster.remove_shift(session, actor, ShiftRemoval(row.id, changed.version, "Not needed after all"))
    assert shifts(engine) == []
    with db.reading(engine) as session:
        trail = [
            (h.action, h.why)
            for h in session.exec(select(History).where(History.entity == "shift").order_by(History.id))
        ]
    assert trail == [("create", "Shift added to the roster"), ("update", "Swapped"), ("end", "Not needed after all")]


def test_a_local_day_is_23_or_25_hours_on_the_changes() -> None:
    start, end = roster.day_bounds(date(2026, 3, 29))
    assert end - start == timedelta(hours=23)
    start, end = roster.day_bounds(date(2026, 10, 25))
    assert end - start == timedelta(hours=25)
