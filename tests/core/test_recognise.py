"""Who is ringing? The desk names the caller from the number before the phone is picked up."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import Engine

from desk import db
from desk.errors import InvalidInput
from desk.history import Actor
from desk.models import Person
from desk.services import calls, people
from desk.services.recognise import Recognition, recognise
from desk.services.reference import StaffRow
from tests.helpers import synthetic
from tests.helpers.fixtures import FROZEN_AT, Registrar, coordinator, frozen

DORIS_PHONE = synthetic.landline(1)
JEAN_PHONE = synthetic.mobile(123)  # Doris's daughter and carer
COUPLE_PHONE = synthetic.london(200)  # Bill and Betty's shared landline
SON_PHONE = synthetic.mobile(300)  # their son, who cares for both


@dataclass
class Zone:
    """Doris with her carer and neighbour; Bill and Betty on one landline, cared for by their son."""

    engine: Engine
    doris: Person
    bill: Person
    betty: Person


@pytest.fixture(scope="module")
def zone(shared_engine: Engine) -> Zone:
    """Set up once per backend: the tests that use it only read."""
    actor = coordinator(shared_engine)
    with frozen(FROZEN_AT):
        return _register_zone(shared_engine, Registrar(shared_engine, actor), actor)


def _register_zone(engine: Engine, register: Registrar, actor: Actor) -> Zone:
    doris = register(family_name="Pascoe", given_name="Doris", phone=DORIS_PHONE)
    bill = register(family_name="Brimble", given_name="Bill", phone=COUPLE_PHONE)
    betty = register(family_name="Brimble", given_name="Betty", phone=COUPLE_PHONE)
    with db.writing(engine) as session:
        people.add_contact(
            session,
            actor,
            doris.id,
            people.ContactDetails(
                name="Jean Pascoe",
                relationship="daughter",  # type: ignore[arg-type]
                phone=JEAN_PHONE,
                is_carer=True,
            ),
        )
        for parent in (bill, betty):
            people.add_contact(
                session,
                actor,
                parent.id,
                people.ContactDetails(
                    name="Rob Brimble",
                    relationship="son",  # type: ignore[arg-type]
                    phone=SON_PHONE,
                    is_carer=True,
                ),
            )
        people.add_contact(
            session,
            actor,
            doris.id,
            people.ContactDetails(
                name="Alan Lee",
                relationship="neighbour",  # type: ignore[arg-type]
                phone=synthetic.landline(555),
            ),
        )
    return Zone(engine, doris, bill, betty)


def seen(engine: Engine, number: str) -> Recognition:
    with db.reading(engine) as session:
        return recognise(session, number)


@pytest.mark.parametrize("typed", [DORIS_PHONE, synthetic.e164(DORIS_PHONE), DORIS_PHONE.replace(" ", "")])
def test_a_person_ringing_from_their_own_number(zone: Zone, typed: str) -> None:
    r = seen(zone.engine, typed)
    [match] = r.matches
    assert (match.kind, match.person_id, match.name) == ("person", zone.doris.id, "Doris PASCOE")
    assert match.detail == f"NHS {synthetic.spaced(zone.doris.nhs_number)}"
    assert r.headline == f"Doris PASCOE: NHS {synthetic.spaced(zone.doris.nhs_number)}"
    assert r.warning is None  # a drama-range number we already hold needs no "check it" warning


def test_a_carer_is_named_with_whom_they_care_for(zone: Zone) -> None:
    r = seen(zone.engine, JEAN_PHONE)
    [match] = r.matches
    assert (match.kind, match.person_id) == ("carer", zone.doris.id)
    assert match.summary == "Carer of Doris PASCOE: Jean Pascoe (daughter)"


def test_a_relative_who_is_not_a_carer(zone: Zone) -> None:
    [match] = seen(zone.engine, synthetic.landline(555)).matches
    assert (match.kind, match.summary) == ("relative", "Neighbour of Doris PASCOE: Alan Lee (neighbour)")


@pytest.mark.parametrize(
    ("number", "kind", "name", "detail"),
    [
        ("0113 496 0113", "practice", "Quayside Medical Practice", "GP practice L99013"),
        ("0114 496 0107", "ward", "Brixham Community Hospital, Harbour Ward", "Hospital ward"),
        ("0114 496 0114", "care_home", "Berry Cliff Care Home", "Care home"),
        ("0114 496 0116", "ambulance", "South West Ambulance Control", "Ambulance service"),
    ],
)
def test_professional_callers(shared_engine: Engine, number: str, kind: str, name: str, detail: str) -> None:
    [match] = seen(shared_engine, number).matches
    assert (match.kind, match.name, match.detail) == (kind, name, detail)
    assert match.person_id is None


def test_a_member_of_staff(engine: Engine, bxm_staff: dict[str, StaffRow]) -> None:
    [match] = seen(engine, "07700 900947").matches  # the shipped number of Brixham's first nurse
    assert (match.kind, match.staff_id, match.name, match.detail) == (
        "staff",
        bxm_staff["nurse"].id,
        bxm_staff["nurse"].name,
        "Community nurse",
    )


def test_a_shared_landline_names_everyone_on_it(zone: Zone) -> None:
    r = seen(zone.engine, COUPLE_PHONE)
    assert sorted((m.kind, m.person_id) for m in r.matches) == sorted(
        [("person", zone.bill.id), ("person", zone.betty.id)]
    )
    assert r.shared
    assert r.headline == "Shared number, 2 on record: Bill BRIMBLE; Betty BRIMBLE. Ask who is calling."


def test_one_carer_of_two_people(zone: Zone) -> None:
    r = seen(zone.engine, SON_PHONE)
    assert sorted(m.person_id for m in r.matches) == sorted([zone.bill.id, zone.betty.id])  # type: ignore[type-var]
    assert {m.summary for m in r.matches} == {
        "Carer of Bill BRIMBLE: Rob Brimble (son)",
        "Carer of Betty BRIMBLE: Rob Brimble (son)",
    }
    assert r.shared and "Carer of Bill BRIMBLE; Carer of Betty BRIMBLE" in r.headline


def test_the_person_comes_before_their_carers(engine: Engine, register: Registrar, actor: Actor) -> None:
    """Doris's grandson rings from her landline: she is the first guess, he is listed too."""
    doris = register(family_name="Pascoe", given_name="Doris", phone=DORIS_PHONE)
    with db.writing(engine) as session:
        people.add_contact(
            session,
            actor,
            doris.id,
            people.ContactDetails(
                name="Tom Pascoe",
                relationship="grandson",  # type: ignore[arg-type]
                phone=DORIS_PHONE,
                is_carer=True,
            ),
        )
    assert [m.kind for m in seen(engine, DORIS_PHONE).matches] == ["person", "carer"]


@pytest.mark.parametrize(("number", "warned"), [(synthetic.london(999), False), (synthetic.mobile(899), True)])
def test_an_unknown_number(zone: Zone, number: str, warned: bool) -> None:
    """Unknown numbers are shown, not refused; a possible-but-unassigned one carries a warning."""
    r = seen(zone.engine, number)
    assert not r.known and r.problem is None
    assert r.e164 == synthetic.e164(number)
    assert r.headline == f"Unknown number {number}: not on the register."
    assert (r.warning is not None) is warned


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("", "No number: the caller withheld it."),
        ("   ", "No number: the caller withheld it."),
        ("hello", "'hello' is not a phone number"),
        ("0180321055199999", "cannot be a phone number"),
        ("12345", "'12345' has no area code"),
    ],
)
def test_withheld_or_garbage(shared_engine: Engine, number: str, problem: str) -> None:
    r = seen(shared_engine, number)
    assert not r.matches and r.e164 is None
    assert r.problem is not None and problem in r.problem
    assert r.headline == r.problem


@pytest.mark.parametrize("typed", ["999", "112", "111", "12345", "0180321055199999", "hello", "0117 496 0123"])
def test_the_hint_and_the_refusal_agree(engine: Engine, actor: Actor, typed: str) -> None:
    """What the take-call dialog hints (recognise) and what starting the call refuses come from one rule."""
    hint = seen(engine, typed)
    try:
        with db.writing(engine) as session:
            calls.start(session, actor, "BXM", number=typed)
        refused = None
    except InvalidInput as exc:
        refused = exc.message
    assert refused == hint.problem
