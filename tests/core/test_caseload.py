"""The combined caseload: who is on it, and the filters, sorts, search and pages the screen asks for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import SQLModel, select

from desk import clock as clock_module
from desk import db
from desk.history import Actor
from desk.models import Admission, CarePackage, CaseloadEntry, Involvement, Person, Referral
from desk.services import caseload, people, reference
from desk.services.reference import StaffRow
from tests.helpers import records
from tests.helpers.fixtures import FROZEN_AT, FrozenClock, Registrar, coordinator, frozen

TODAY = date(2026, 11, 23)  # the frozen clock's day
BULK_LOAD = Actor(None, "seed")
"""Who registers people in a bulk load: no member of staff, so being new never puts them on the caseload."""


@pytest.fixture
def register(engine: Engine, clock: FrozenClock) -> Registrar:
    """People registered by a bulk load: only open care puts them on the caseload here.

    Someone a co-ordinator has just registered at the desk is on it for that
    alone (tests/core/test_caseload_new.py).
    """
    return Registrar(engine, BULK_LOAD)


def rows(engine: Engine, zone: str | None = "BXM", **kwargs: Any) -> list[caseload.CaseloadRow]:
    with db.reading(engine) as session:
        return caseload.page(session, zone, **kwargs).rows


def listed(engine: Engine, zone: str | None = "BXM", **kwargs: Any) -> list[str]:
    return [r.name for r in rows(engine, zone, **kwargs)]


# --- who is on the caseload ----------------------------------------------------------------

# kind: (the open record, how to end it, what the row shows while it is open)
Opener = Callable[[Person, dict[str, StaffRow], int], SQLModel]
KINDS: dict[str, tuple[Opener, dict[str, Any], dict[str, Any]]] = {
    "nurse involved": (
        lambda p, staff, ward: Involvement(
            person_id=p.id, staff_id=staff["nurse"].id, discipline="nursing", started_on=TODAY
        ),
        {"ended_on": TODAY},
        {"health": "Nursing", "social": ""},
    ),
    "social worker involved": (
        lambda p, staff, ward: Involvement(
            person_id=p.id, staff_id=staff["social_worker"].id, discipline="social_work", started_on=TODAY
        ),
        {"ended_on": TODAY},
        {"health": "", "social": f"SW ({'Eales'})"},
    ),
    "care package": (
        lambda p, staff, ward: CarePackage(person_id=p.id, started_on=TODAY, review_due=TODAY + timedelta(days=28)),
        {"status": "ended", "ended_on": TODAY},
        {"social": "Package", "next_due_on": TODAY + timedelta(days=28), "next_due_what": "Package review"},
    ),
    "open referral": (
        lambda p, staff, ward: Referral(
            person_id=p.id,
            received_at=FROZEN_AT,
            discipline="physiotherapy",
            urgency="fast",
            due_at=FROZEN_AT + timedelta(days=1),
        ),
        {"status": "closed", "closed_at": FROZEN_AT},
        {
            "health": "ref Physio",
            "next_due_on": TODAY + timedelta(days=1),
            "next_due_what": "Physio referral (fast)",
            "crisis": False,
        },
    ),
    "crisis referral": (
        lambda p, staff, ward: Referral(
            person_id=p.id,
            received_at=FROZEN_AT,
            discipline="nursing",
            urgency="rapid",
            crisis=True,
            due_at=FROZEN_AT + timedelta(hours=3),
        ),
        {"status": "closed", "closed_at": FROZEN_AT},
        {"health": "ref Nursing", "crisis": True, "flags": "CRISIS"},
    ),
    "hospital admission": (
        lambda p, staff, ward: Admission(person_id=p.id, ward_id=ward, admitted_at=FROZEN_AT),
        {"discharged_at": FROZEN_AT},
        {"in_hospital": True, "flags": "HOSP", "health": "Harbour Ward since 23-Nov"},
    ),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_open_care_puts_a_person_on_the_caseload_and_ending_it_takes_them_off(
    engine: Engine,
    register: Registrar,
    bxm_staff: dict[str, StaffRow],
    kind: str,
) -> None:
    opener, ending, shown = KINDS[kind]
    person = register(family_name="Pascoe", given_name="Doris")
    assert rows(engine) == []  # registered, but nothing open
    [record] = records.put(engine, person.id, opener(person, bxm_staff, records.ward_id(engine)))  # type: ignore[arg-type]
    [row] = rows(engine)
    assert (row.person_id, row.name, row.nhs_number) == (person.id, "PASCOE, Doris", person.nhs_number)
    for attribute, value in shown.items():
        assert getattr(row, attribute) == value, attribute
    records.change(engine, record, person.id, **ending)  # type: ignore[arg-type]
    assert rows(engine) == []


def test_a_key_worker_alone_keeps_someone_on_the_caseload(
    engine: Engine, register: Registrar, bxm_staff: dict[str, StaffRow]
) -> None:
    person = register()
    records.set_key_worker(engine, person.id, bxm_staff["nurse"].id)  # type: ignore[arg-type]
    [row] = rows(engine)
    assert row.key_worker == bxm_staff["nurse"].name
    records.set_key_worker(engine, person.id, None)  # type: ignore[arg-type]
    assert rows(engine) == []


def test_both_sides_of_care_on_one_row(engine: Engine, register: Registrar, bxm_staff: dict[str, StaffRow]) -> None:
    person = register(lives_alone=True)
    records.put(
        engine,
        person.id,  # type: ignore[arg-type]
        Involvement(person_id=person.id, staff_id=bxm_staff["nurse"].id, discipline="nursing", started_on=TODAY),
        Involvement(
            person_id=person.id,
            staff_id=bxm_staff["occupational_therapist"].id,
            discipline="occupational_therapy",
            started_on=TODAY,
        ),
    )
    records.package(engine, person.id, "Meals", "Home care", started_on=TODAY, review_due=TODAY + timedelta(days=28))  # type: ignore[arg-type]
    [row] = rows(engine)
    assert (row.health, row.social, row.flags) == ("Nursing, OT", "Package: Home care, Meals", "ALONE")


def test_refresh_follows_a_move_of_zone(
    engine: Engine, register: Registrar, bxm_staff: dict[str, StaffRow], actor: Actor
) -> None:
    person = register()
    records.set_key_worker(engine, person.id, bxm_staff["nurse"].id)  # type: ignore[arg-type]
    with db.writing(engine) as session:
        version = session.get(Person, person.id).version  # type: ignore[union-attr]
        people.update(
            session,
            actor,
            person.id,
            people.PersonChanges(practice_id="L99001"),
            expected_version=version,  # type: ignore[arg-type]
            why="Registered with a Torquay GP",
        )
    assert rows(engine, "BXM") == []
    assert [r.person_id for r in rows(engine, "TQN")] == [person.id]


# --- a zone to filter, sort, search and page ------------------------------------------------


@dataclass
class Zone:
    engine: Engine
    nurse: StaffRow
    coordinator: StaffRow
    ids: dict[str, int]


def build_zone(engine: Engine) -> Zone:
    """Five Brixham people on the caseload, one in Torquay, one in Brixham with nothing open.

    =====  ===========  =================  ===============  ========================
    who    born         practice           key worker       open care
    =====  ===========  =================  ===============  ========================
    Ann    1930-01-01   Quayside           -                nurse involved
    Bob    1940-05-05   Upton Manor        co-ordinator     package, review overdue
    Cath   1950-03-03   Higher Brixham     -                in hospital
    Dan    1945-07-07   Quayside           nurse            crisis referral due today
    Eve    1935-09-09   Upton Manor        social worker    referral due in 3 days
    =====  ===========  =================  ===============  ========================
    """
    actor = coordinator(engine)
    register = Registrar(engine, BULK_LOAD)
    with db.reading(engine) as session:
        staff = {s.role: s for s in reversed(reference.staff(session, "BXM"))}  # first of each role wins
    ids = {
        name: register(
            family_name=family, given_name=name, date_of_birth=born, practice_id=practice, lives_alone=(name == "Ann")
        ).id
        for name, family, born, practice in [
            ("Ann", "Abbott", "01/01/1930", "L99013"),
            ("Bob", "Baker", "05/05/1940", "L99014"),
            ("Cath", "Cole", "03/03/1950", "L99015"),
            ("Dan", "Dean", "07/07/1945", "L99013"),
            ("Eve", "Evans", "09/09/1935", "L99014"),
            ("Fay", "Fox", "02/02/1940", "L99001"),
            ("Gus", "Gray", "04/04/1940", "L99013"),
        ]
    }
    nurse = staff["nurse"]
    records.put(
        engine, ids["Ann"], Involvement(person_id=ids["Ann"], staff_id=nurse.id, discipline="nursing", started_on=TODAY)
    )
    records.put(
        engine, ids["Fay"], Involvement(person_id=ids["Fay"], staff_id=nurse.id, discipline="nursing", started_on=TODAY)
    )
    records.set_key_worker(engine, ids["Bob"], actor.staff_id)
    records.package(engine, ids["Bob"], "Home care", started_on=date(2026, 10, 1), review_due=date(2026, 11, 20))
    records.put(
        engine, ids["Cath"], Admission(person_id=ids["Cath"], ward_id=records.ward_id(engine), admitted_at=FROZEN_AT)
    )
    records.set_key_worker(engine, ids["Dan"], nurse.id)
    records.put(
        engine,
        ids["Dan"],
        Referral(
            person_id=ids["Dan"],
            received_at=FROZEN_AT,
            discipline="nursing",
            crisis=True,
            urgency="rapid",
            due_at=FROZEN_AT + timedelta(hours=3),
        ),
    )
    records.set_key_worker(engine, ids["Eve"], staff["social_worker"].id)
    records.put(
        engine,
        ids["Eve"],
        Referral(
            person_id=ids["Eve"], received_at=FROZEN_AT, discipline="social_work", due_at=FROZEN_AT + timedelta(days=3)
        ),
    )
    return Zone(engine, nurse, staff["coordinator"], ids)


@pytest.fixture(scope="module")
def zone(shared_engine: Engine) -> Zone:
    """Built once per backend; the tests that use it only read."""
    with frozen(FROZEN_AT):
        return build_zone(shared_engine)


ABBOTT, BAKER, COLE, DEAN, EVANS = "ABBOTT, Ann", "BAKER, Bob", "COLE, Cath", "DEAN, Dan", "EVANS, Eve"


@pytest.mark.parametrize(
    ("filter_key", "whose", "expected"),
    [
        ("zone", None, [ABBOTT, BAKER, COLE, DEAN, EVANS]),
        ("mine", "nurse", [ABBOTT, DEAN]),  # involved with Ann, key worker for Dan
        ("mine", "coordinator", [BAKER]),
        ("hospital", None, [COLE]),
        ("due", None, [BAKER, DEAN]),  # overdue review and a referral due today; Eve's is in 3 days
        ("crisis", None, [DEAN]),
    ],
)
def test_filters(zone: Zone, clock: FrozenClock, filter_key: str, whose: str | None, expected: list[str]) -> None:
    staff_id = getattr(zone, whose).id if whose else None
    assert listed(zone.engine, filter_key=filter_key, staff_id=staff_id) == expected
    with db.reading(zone.engine) as session:
        assert caseload.page(session, "BXM", filter_key=filter_key, staff_id=staff_id).total == len(expected)


def test_other_zones_are_not_shown(zone: Zone) -> None:
    assert listed(zone.engine, "TQN") == ["FOX, Fay"]
    assert listed(zone.engine, "PGS") == []
    assert len(listed(zone.engine, None)) == 6  # the whole trust


def test_my_caseload_with_nobody_signed_in_is_empty(zone: Zone) -> None:
    """Not 'everyone without a key worker' (what ``key_worker_id == None`` would match)."""
    assert listed(zone.engine, filter_key="mine", staff_id=None) == []


@pytest.mark.parametrize(
    ("sort", "ascending"),
    [
        ("name", [ABBOTT, BAKER, COLE, DEAN, EVANS]),
        ("age", [ABBOTT, EVANS, BAKER, DEAN, COLE]),  # by date of birth: the oldest first
        ("practice", [COLE, ABBOTT, DEAN, BAKER, EVANS]),  # Higher Brixham, Quayside, Upton Manor
    ],
)
def test_sorts_both_ways(zone: Zone, sort: str, ascending: list[str]) -> None:
    """Ties go by name; reversed is the exact reverse, ties included."""
    assert listed(zone.engine, sort=sort) == ascending
    assert listed(zone.engine, sort=sort, descending=True) == ascending[::-1]


@pytest.mark.parametrize(
    ("descending", "expected"),
    [
        (False, [BAKER, DEAN, EVANS, ABBOTT, COLE]),
        (True, [EVANS, DEAN, BAKER, COLE, ABBOTT]),
    ],
)
def test_sort_by_due_puts_nothing_due_last_either_way(zone: Zone, descending: bool, expected: list[str]) -> None:
    assert listed(zone.engine, sort="due", descending=descending) == expected


@pytest.mark.parametrize(("descending", "expected"), [(False, [BAKER, DEAN, EVANS]), (True, [EVANS, DEAN, BAKER])])
def test_sort_by_key_worker(zone: Zone, descending: bool, expected: list[str]) -> None:
    """Anna Venn, Debbie Aggett, Helen Eales (by first name, as the list shows them)."""
    found = rows(zone.engine, sort="key_worker", descending=descending)
    assert [r.name for r in found if r.key_worker] == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("a", [ABBOTT]),
        ("ab", [ABBOTT]),
        ("Abbott, Ann", [ABBOTT]),
        ("abbott ann", [ABBOTT]),
        ("  DEAN ", [DEAN]),
        ("abbott bob", []),
        ("zz", []),
    ],
)
def test_search_within_the_caseload(zone: Zone, typed: str, expected: list[str]) -> None:
    assert listed(zone.engine, search=typed) == expected


def test_search_by_nhs_number_prefix(zone: Zone) -> None:
    with db.reading(zone.engine) as session:
        nhs_number = session.get(Person, zone.ids["Cath"]).nhs_number  # type: ignore[union-attr]
    assert listed(zone.engine, search=f"{nhs_number[:3]} {nhs_number[3:9]}") == [COLE]


@pytest.mark.parametrize(
    ("offset", "shown_offset", "expected"),
    [(0, 0, [ABBOTT, BAKER]), (2, 2, [COLE, DEAN]), (4, 4, [EVANS]), (99, 4, [EVANS]), (-5, 0, [ABBOTT, BAKER])],
)
def test_pages(zone: Zone, offset: int, shown_offset: int, expected: list[str]) -> None:
    """A window of two rows; an offset past the end shows the last row rather than nothing."""
    with db.reading(zone.engine) as session:
        page = caseload.page(session, "BXM", offset=offset, limit=2)
    assert (page.offset, page.total, [r.name for r in page.rows]) == (shown_offset, 5, expected)


def test_rows_carry_what_the_screen_shows(zone: Zone, clock: FrozenClock) -> None:
    by_name = {r.name: r for r in rows(zone.engine)}
    assert (by_name[ABBOTT].age, by_name[ABBOTT].flags, by_name[ABBOTT].health) == (96, "ALONE", "Nursing")
    assert (by_name[BAKER].social, by_name[BAKER].next_due_on, by_name[BAKER].next_due_what) == (
        "Package: Home care",
        date(2026, 11, 20),
        "Package review",
    )
    assert (by_name[DEAN].flags, by_name[DEAN].next_due_what, by_name[DEAN].key_worker) == (
        "CRISIS",
        "13:30 Nursing referral (crisis)",  # due at 13:30: an hours clock shows the time as well as the date
        zone.nurse.name,
    )
    assert (by_name[EVANS].social, by_name[EVANS].practice) == ("ref SW", "Upton Manor Surgery")
    assert by_name[COLE].flags == "HOSP"


def test_empty_zone(engine: Engine) -> None:
    with db.reading(engine) as session:
        page = caseload.page(session, "BXM")
    assert (page.rows, page.offset, page.total) == ([], 0, 0)


# --- rebuilding the read model -------------------------------------------------------------


def entries(engine: Engine) -> list[dict[str, Any]]:
    with db.reading(engine) as session:
        return [e.model_dump() for e in session.exec(select(CaseloadEntry).order_by(CaseloadEntry.person_id))]


@pytest.mark.parametrize("zone_id", [None, "BXM"])
def test_rebuild_gives_the_rows_refresh_gave(engine: Engine, clock: FrozenClock, zone_id: str | None) -> None:
    """The bulk rebuild and the one-person refresh must agree on every column."""
    build_zone(engine)
    before = entries(engine)
    with db.writing(engine) as session:
        assert caseload.rebuild(session, zone_id) == 6
    assert entries(engine) == before


@pytest.mark.parametrize("urgency", ["rapid", "fast", "normal"])
def test_a_referral_due_the_same_day_as_a_review_is_next(
    engine: Engine, register: Registrar, clock: FrozenClock, urgency: str
) -> None:
    """Two things due today: the referral, whatever its urgency, comes before the package review."""
    person = register()
    records.package(engine, person.id, "Home care", started_on=TODAY, review_due=TODAY)  # type: ignore[arg-type]
    records.put(
        engine,
        person.id,
        Referral(  # type: ignore[arg-type]
            person_id=person.id,
            received_at=clock.now,
            discipline="physiotherapy",
            urgency=urgency,
            due_at=clock.now,
            reason="Falls",
        ),
    )
    [refreshed] = rows(engine)  # one person, one row: each way of building it is checked below
    [rebuilt] = _bulk_rows(engine)
    at = f"{clock_module.local(clock.now):%H:%M} " if urgency == "rapid" else ""  # hours: the time as well
    for row in (refreshed, rebuilt):
        assert (row.next_due_on, row.next_due_what) == (TODAY, f"{at}Physio referral ({urgency})")


def _bulk_rows(engine: Engine) -> list[caseload.CaseloadRow]:
    """The same caseload rebuilt in bulk, as the scale seed and a full rebuild write it."""
    with db.writing(engine) as session:
        caseload.rebuild(session)
    return rows(engine)
