"""Delayed days: one rule in UK local days, each day keeping its own reason, counted per zone, reason and month."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from threading import Barrier

import pytest
from sqlalchemy import Engine, func
from sqlmodel import col, select

from desk import db
from desk.discharge import delays, stays
from desk.discharge.delays import DelayInput
from desk.discharge_models import DelayDay
from desk.errors import InvalidForm
from desk.history import Actor
from desk.models import Admission, History
from tests.helpers.fixtures import FrozenClock, Registrar
from tests.helpers.in_hospital import in_hospital, ward_id

NOV30, DEC1, DEC2 = date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def rows(engine: Engine, admission_id: int) -> list[tuple[date, str, str, bool]]:
    with db.reading(engine) as session:
        return [
            (r.day, r.reason, r.owner, r.carried)
            for r in session.exec(select(DelayDay).where(DelayDay.admission_id == admission_id).order_by(DelayDay.day))
        ]


def give(engine: Engine, actor: Actor, admission_id: int, reason: str, from_day: date | None = None) -> None:
    with db.writing(engine) as session:
        delays.set_reason(session, actor, DelayInput(admission_id, reason, "Ward 3 co-ordinator", from_day))


# --- the rule -------------------------------------------------------------------------


def test_ready_on_day_3_and_discharged_on_day_4_is_two_delayed_days() -> None:
    assert delays.delayed_days(date(2026, 11, 3), date(2026, 11, 4), date(2026, 11, 20)) == [
        date(2026, 11, 3),
        date(2026, 11, 4),
    ]


def test_no_delay_without_a_ready_date_or_when_discharged_on_it() -> None:
    assert delays.delayed_days(None, None, NOV30) == []
    assert delays.delayed_days(NOV30, NOV30, DEC2) == []
    assert delays.delayed_days(DEC2, None, NOV30) == []  # ready date not come yet


def test_still_in_hospital_counts_every_day_up_to_today() -> None:
    assert delays.delayed_days(NOV30, None, NOV30) == [NOV30]
    assert delays.delayed_days(NOV30, None, DEC2) == [NOV30, DEC1, DEC2]


def test_over_a_month_end_each_day_is_its_own_date() -> None:
    assert delays.delayed_days(NOV30, DEC2, date(2026, 12, 10)) == [NOV30, DEC1, DEC2]


@pytest.mark.parametrize(
    ("ready_on", "left_at", "days"),
    [
        # clocks go forward at 01:00 UTC on 29-Mar-2026: 00:30 UTC is still the 29th, 23:30 UTC is 00:30 on the 30th
        (date(2026, 3, 28), at(2026, 3, 29, 0, 30), [date(2026, 3, 28), date(2026, 3, 29)]),
        (date(2026, 3, 28), at(2026, 3, 29, 23, 30), [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]),
        # clocks go back at 01:00 UTC on 25-Oct-2026: 23:30 UTC on the 24th is 00:30 BST on the 25th,
        # 23:30 UTC on the 25th is 23:30 GMT, still the 25th
        (date(2026, 10, 24), at(2026, 10, 24, 23, 30), [date(2026, 10, 24), date(2026, 10, 25)]),
        (date(2026, 10, 24), at(2026, 10, 25, 23, 30), [date(2026, 10, 24), date(2026, 10, 25)]),
    ],
)
def test_across_the_clock_changes_a_day_is_a_day(ready_on: date, left_at: datetime, days: list[date]) -> None:
    adm = Admission(person_id=1, ward_id=1, admitted_at=at(2026, 3, 1), ready_on=ready_on, discharged_at=left_at)
    assert delays.days_of(adm, date(2026, 11, 1)) == days


# --- reasons day by day ---------------------------------------------------------------


def test_a_reason_carried_over_a_month_end_counts_each_day_in_its_month(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    reg = register(family_name="Hext", given_name="Reg")
    assert reg.id is not None
    clock.set(at(2026, 11, 30))
    adm = in_hospital(engine, actor, reg.id, at(2026, 11, 27), ready_on=NOV30)
    give(engine, actor, adm, "care_at_home")
    clock.set(at(2026, 12, 2, 9))
    with db.writing(engine) as session:
        assert delays.carry_forward(session) == 2
    assert rows(engine, adm) == [
        (NOV30, "care_at_home", "Ward 3 co-ordinator", False),
        (DEC1, "care_at_home", "Ward 3 co-ordinator", True),
        (DEC2, "care_at_home", "Ward 3 co-ordinator", True),
    ]
    with db.reading(engine) as session:
        got = delays.counts(session, since=date(2026, 11, 1), until=date(2026, 12, 31))
        november = delays.counts(session, since=date(2026, 11, 1), until=NOV30)
    assert got.total == 3
    assert got.by_month == {"2026-11": 1, "2026-12": 2}
    assert got.by_zone == {"BXM": 3}
    assert got.by_reason == {"care_at_home": 3}
    assert (november.total, november.by_month) == (1, {"2026-11": 1})


@pytest.mark.parametrize(
    ("ready_on", "later", "days"),
    [
        (date(2026, 3, 28), at(2026, 3, 30, 23, 30), [date(2026, 3, d) for d in (28, 29, 30, 31)]),  # 00:30 BST
        (date(2026, 10, 24), at(2026, 10, 26, 0, 30), [date(2026, 10, d) for d in (24, 25, 26)]),  # 00:30 GMT
    ],
)
def test_across_a_clock_change_each_delayed_day_is_one_row(
    engine: Engine,
    actor: Actor,
    clock: FrozenClock,
    register: Registrar,
    ready_on: date,
    later: datetime,
    days: list[date],
) -> None:
    person = register()
    assert person.id is not None
    clock.set(datetime.combine(ready_on, datetime.min.time(), UTC).replace(hour=9))
    adm = in_hospital(engine, actor, person.id, at(ready_on.year, ready_on.month, 20), ready_on=ready_on)
    give(engine, actor, adm, "transport")
    clock.set(later)
    with db.writing(engine) as session:
        assert delays.carry_forward(session) == len(days) - 1
    assert [r[0] for r in rows(engine, adm)] == days
    with db.reading(engine) as session:
        assert delays.counts(session, since=days[0], until=days[-1]).total == len(days)


def test_each_day_keeps_the_reason_it_had_when_the_reason_changes(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    reg = register(family_name="Hext", given_name="Reg")
    assert reg.id is not None
    clock.set(at(2026, 11, 30))
    adm = in_hospital(engine, actor, reg.id, at(2026, 11, 27), ready_on=NOV30)
    give(engine, actor, adm, "care_at_home")
    clock.set(at(2026, 12, 2))
    give(engine, actor, adm, "transport")  # today on, after the day between was carried
    assert rows(engine, adm) == [
        (NOV30, "care_at_home", "Ward 3 co-ordinator", False),
        (DEC1, "care_at_home", "Ward 3 co-ordinator", True),
        (DEC2, "transport", "Ward 3 co-ordinator", False),
    ]
    with db.reading(engine) as session:
        stay = session.get(Admission, adm)
        assert stay is not None and (stay.delay_reason, stay.delay_owner) == ("transport", "Ward 3 co-ordinator")
        got = delays.counts(session, since=NOV30, until=DEC2)
        assert got.by_reason == {"care_at_home": 2, "transport": 1}
        why = session.exec(
            select(History.why, History.staff_id).where(History.entity == "delayday", History.person_id == reg.id)
        ).all()
    assert ("Delay reason: Awaiting transport", actor.staff_id) in why
    assert ("Delay reason carried forward: Awaiting assessment or care at home", actor.staff_id) in why


def test_a_reason_from_an_earlier_day_replaces_only_that_day_and_later(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    reg = register()
    assert reg.id is not None
    clock.set(at(2026, 12, 2))
    adm = in_hospital(engine, actor, reg.id, at(2026, 11, 27), ready_on=NOV30)
    give(engine, actor, adm, "medical", NOV30)
    give(engine, actor, adm, "therapy", DEC1)
    assert [(d, r) for d, r, _o, _c in rows(engine, adm)] == [(NOV30, "medical"), (DEC1, "therapy"), (DEC2, "therapy")]


def test_carry_forward_is_idempotent(engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar) -> None:
    reg = register()
    assert reg.id is not None
    clock.set(at(2026, 11, 30))
    adm = in_hospital(engine, actor, reg.id, at(2026, 11, 27), ready_on=NOV30)
    give(engine, actor, adm, "care_home_bed")
    clock.set(at(2026, 12, 2))
    with db.writing(engine) as session:
        assert delays.carry_forward(session) == 2
    with db.reading(engine) as session:
        entries = session.exec(select(func.count()).select_from(History)).one()
    first = rows(engine, adm)
    with db.writing(engine) as session:
        assert delays.carry_forward(session) == 0
    assert rows(engine, adm) == first
    with db.reading(engine) as session:
        assert session.exec(select(func.count()).select_from(History)).one() == entries
        carried_by = session.exec(
            select(History.desk, History.staff_id).where(
                History.entity == "delayday", col(History.why).startswith("Delay reason carried")
            )
        ).all()
    assert carried_by == [("desk", None)]  # the desk's own poll, no one at it: one entry for the days it carried


def test_days_before_the_first_reason_stay_missing(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    reg = register()
    assert reg.id is not None
    clock.set(at(2026, 12, 2))
    adm = in_hospital(engine, actor, reg.id, at(2026, 11, 25), ready_on=date(2026, 11, 28))
    give(engine, actor, adm, "equipment", NOV30)
    with db.writing(engine) as session:
        assert delays.carry_forward(session) == 0
        assert delays.missing_days(session, adm) == [date(2026, 11, 28), date(2026, 11, 29)]
        assert delays.missing_by_stay(session, [adm]) == {adm: [date(2026, 11, 28), date(2026, 11, 29)]}
        listed = delays.delay_days(session, adm)
    assert [(r.day, r.missing, r.reason) for r in listed] == [
        (date(2026, 11, 28), True, ""),
        (date(2026, 11, 29), True, ""),
        (NOV30, False, "equipment"),
        (DEC1, False, "equipment"),
        (DEC2, False, "equipment"),
    ]


def test_a_stay_with_no_reason_ever_is_missing_every_delayed_day_and_nothing_is_carried(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    reg = register()
    assert reg.id is not None
    clock.set(at(2026, 12, 1))
    adm = in_hospital(engine, actor, reg.id, at(2026, 11, 27), ready_on=NOV30)
    with db.writing(engine) as session:
        assert delays.carry_forward(session) == 0
        assert delays.missing_days(session, adm) == [NOV30, DEC1]
    assert rows(engine, adm) == []


@pytest.mark.parametrize(
    ("reason", "owner", "from_day", "field", "words"),
    [
        ("bored", "Sam", None, "reason", "Choose a reason from the national categories."),
        ("transport", "  ", None, "owner", "Say who is acting on the delay."),
        ("transport", "Sam", date(2026, 11, 29), "from_day", "29-Nov-2026 is not a delayed day"),
        ("transport", "Sam", date(2026, 12, 3), "from_day", "03-Dec-2026 is not a delayed day"),
    ],
)
def test_a_bad_reason_is_refused_and_nothing_is_written(
    engine: Engine,
    actor: Actor,
    clock: FrozenClock,
    register: Registrar,
    reason: str,
    owner: str,
    from_day: date | None,
    field: str,
    words: str,
) -> None:
    reg = register()
    assert reg.id is not None
    clock.set(at(2026, 12, 2))
    adm = in_hospital(engine, actor, reg.id, at(2026, 11, 27), ready_on=NOV30)
    with pytest.raises(InvalidForm) as refused:
        with db.writing(engine) as session:
            delays.set_reason(session, actor, DelayInput(adm, reason, owner, from_day))
    assert words in refused.value.problems[field]
    assert rows(engine, adm) == []
    with db.reading(engine) as session:
        stay = session.get(Admission, adm)
        assert stay is not None and (stay.delay_reason, stay.delay_owner, stay.version) == ("", "", 1)


def test_no_reason_before_there_is_a_ready_date(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    reg = register()
    assert reg.id is not None
    adm = in_hospital(engine, actor, reg.id, at(2026, 11, 20))
    with pytest.raises(InvalidForm) as refused:
        with db.writing(engine) as session:
            delays.set_reason(session, actor, DelayInput(adm, "transport", "Sam"))
    assert refused.value.problems == {"from_day": "There is no discharge ready date yet, so no day is delayed."}


# --- the delays view ------------------------------------------------------------------


def test_delayed_now_lists_the_longest_delays_first_with_reason_and_owner(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    ann = register(family_name="Ashe", given_name="Ann")
    bob = register(family_name="Boyd", given_name="Bob")
    cat = register(family_name="Cole", given_name="Cat")  # not yet ready
    pat = register(family_name="Penn", given_name="Pat", practice_id="L99007")  # another zone
    assert ann.id and bob.id and cat.id and pat.id
    clock.set(at(2026, 12, 2))
    a = in_hospital(engine, actor, ann.id, at(2026, 11, 27), ready_on=DEC1)
    b = in_hospital(engine, actor, bob.id, at(2026, 11, 20), ready_on=date(2026, 11, 25))
    in_hospital(engine, actor, cat.id, at(2026, 11, 30), ready_on=date(2026, 12, 4))
    give(engine, actor, b, "care_home_bed")
    p = in_hospital(engine, actor, pat.id, at(2026, 11, 20), ready_on=NOV30, ward="Ward 1")
    with db.reading(engine) as session:
        bxm = delays.delayed_now(session, zone_id="BXM")
        everyone = delays.delayed_now(session)
    assert [(r.admission_id, r.name, r.days, r.reason, r.owner) for r in bxm] == [
        (b, "BOYD, Bob", 8, "Awaiting a care home bed", "Ward 3 co-ordinator"),
        (a, "ASHE, Ann", 2, "", ""),
    ]
    assert bxm[0].ward.startswith("Ward 3") and bxm[0].ready_on == date(2026, 11, 25)
    assert [r.admission_id for r in everyone] == [b, p, a]
    assert everyone[1].zone_id == pat.zone_id != "BXM"


def test_the_export_holds_the_delayed_patients_and_the_counts(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar, tmp_path: Path
) -> None:
    reg = register(family_name="Hext", given_name="Reg")
    assert reg.id is not None
    clock.set(at(2026, 11, 30))
    adm = in_hospital(engine, actor, reg.id, at(2026, 11, 27), ready_on=NOV30)
    give(engine, actor, adm, "care_at_home")
    clock.set(at(2026, 12, 1))
    give(engine, actor, adm, "transport")
    with db.reading(engine) as session:
        now = delays.delayed_now(session, zone_id="BXM")
        got = delays.counts(session, since=date(2026, 11, 1), until=date(2026, 12, 31), zone_id="BXM")
    text = delays.export_csv(now, got)
    assert text.splitlines() == [
        "Delayed now",
        "Name,Ward,Zone,Discharge ready date,Days delayed,Reason,Acting",
        '"HEXT, Reg","Ward 3 (Care of the Elderly), Bay General Hospital",BXM,2026-11-30,2,Awaiting transport,'
        "Ward 3 co-ordinator",
        "",
        "Delayed days from 2026-11-01 to 2026-12-31",
        "Counted by,Value,Days",
        "Zone,BXM,2",
        "Reason,Awaiting assessment or care at home,1",
        "Reason,Awaiting transport,1",
        "Month,2026-11,1",
        "Month,2026-12,1",
        "Total,,2",
    ]
    written = delays.write_csv(tmp_path / "exports", now, got)
    assert written.parent == tmp_path / "exports" and written.name.startswith("delays-2026-12-01-")
    assert written.read_text(encoding="utf-8") == text


def test_days_before_a_ready_date_moved_later_are_dropped_and_not_counted(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    reg = register()
    assert reg.id is not None
    clock.set(at(2026, 12, 2))
    adm = in_hospital(engine, actor, reg.id, at(2026, 11, 25), ready_on=date(2026, 11, 28))
    give(engine, actor, adm, "medical", date(2026, 11, 28))
    with db.writing(engine) as session:
        stay = session.get(Admission, adm)
        assert stay is not None
        stay.ready_on = NOV30  # the ward's meeting moved it
        assert delays.settle(session, actor, stay) == [NOV30, DEC1, DEC2]
    assert [r[0] for r in rows(engine, adm)] == [NOV30, DEC1, DEC2]
    with db.reading(engine) as session:
        assert delays.counts(session, since=date(2026, 11, 1), until=DEC2).total == 3
        dropped = session.exec(select(History).where(History.entity == "delayday", History.action == "delete")).one()
    assert dropped.before == {"days": ["2026-11-28", "2026-11-29"]} and dropped.staff_id == actor.staff_id


def test_the_plan_moving_the_ready_date_later_drops_the_days_before_it(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    reg = register()
    assert reg.id is not None
    clock.set(at(2026, 12, 2))
    with db.writing(engine) as session:
        adm = stays.admit(session, actor, stays.AdmissionInput(reg.id, ward_id(session), at(2026, 11, 25), "Fall"))

    def plan(ready_on: date) -> None:
        with db.writing(engine) as session:
            stay = session.get(Admission, adm)
            assert stay is not None
            stays.plan(session, actor, stays.PlanInput(adm, stay.version, ready_on, "0", True, "", None, None, ""))

    plan(date(2026, 11, 28))
    give(engine, actor, adm, "medical", date(2026, 11, 28))
    plan(NOV30)
    assert [r[0] for r in rows(engine, adm)] == [NOV30, DEC1, DEC2]
    with db.reading(engine) as session:
        assert delays.counts(session, since=date(2026, 11, 1), until=DEC2).total == 3


def test_two_desks_carrying_forward_at_once_write_each_day_once(
    engine: Engine, reopen: Callable[[], Engine], actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    reg = register()
    assert reg.id is not None
    clock.set(at(2026, 11, 30))
    adm = in_hospital(engine, actor, reg.id, at(2026, 11, 27), ready_on=NOV30)
    give(engine, actor, adm, "transport")
    clock.set(at(2026, 12, 2, 0, 5))  # just after midnight: both desks' polls find two days to carry
    start = Barrier(2)

    def one(eng: Engine) -> int:
        with db.writing(eng) as session:
            start.wait()
            return delays.carry_forward(session, actor=Actor(None, "desk-x"))

    with ThreadPoolExecutor(2) as pool:
        got = sorted(pool.map(one, [engine, reopen()]))
    assert got == [0, 2]
    assert [r[0] for r in rows(engine, adm)] == [NOV30, DEC1, DEC2]
    with db.reading(engine) as session:
        carried = session.exec(select(History).where(History.entity == "delayday", History.desk == "desk-x")).all()
    assert len(carried) == 1
