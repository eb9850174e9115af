"""Find the person a call is about from whatever the caller can say."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from desk import db
from desk.history import Actor
from desk.services import people
from desk.services.search import classify, search
from tests.helpers import synthetic
from tests.helpers.fixtures import FROZEN_AT, FrozenClock, Registrar, coordinator, frozen

DORIS_NHS = synthetic.nhs_number(111_000)
PETER_NHS = synthetic.nhs_number(222_000)
DORIS_PHONE = synthetic.landline(111)
CARER_PHONE = synthetic.mobile(123)


@pytest.fixture(scope="module")
def zone(shared_engine: Engine) -> Engine:
    """Three people in Brixham and one in Torquay North; Doris has a carer. Tests here only read."""
    actor = coordinator(shared_engine)
    with frozen(FROZEN_AT):
        _register_zone(shared_engine, Registrar(shared_engine, actor), actor)
    return shared_engine


def _register_zone(engine: Engine, register: Registrar, actor: Actor) -> None:
    doris = register(
        nhs_number=DORIS_NHS,
        family_name="Pascoe",
        given_name="Doris",
        date_of_birth="23/11/1944",
        postcode="TQ5 9AB",
        phone=DORIS_PHONE,
    )
    register(
        nhs_number=PETER_NHS,
        family_name="Pascoe",
        given_name="Peter",
        date_of_birth="01/02/1950",
        postcode="TQ5 8XY",
        phone=synthetic.landline(222),
    )
    register(
        family_name="Paddon",
        given_name="Dorothy",
        date_of_birth="05/06/1938",
        postcode="TQ5 0AA",
        phone=synthetic.london(333),
    )
    register(
        family_name="Smith",
        given_name="Pat",
        date_of_birth="23/11/1944",
        postcode="TQ1 4AA",
        phone=synthetic.landline(444),
        practice_id="L99001",
    )
    with db.writing(engine) as session:
        people.add_contact(
            session,
            actor,
            doris.id,
            people.ContactDetails(
                name="Jean Pascoe",
                relationship="daughter",  # type: ignore[arg-type]
                phone=CARER_PHONE,
                is_carer=True,
            ),
        )


def names(engine: Engine, query: str, zone_id: str | None = None) -> list[str]:
    with db.reading(engine) as session:
        return [hit.name for hit in search(session, query, zone_id=zone_id)]


DORIS = ["PASCOE, Doris"]
PASCOES = ["PASCOE, Doris", "PASCOE, Peter"]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        # names: family prefix of any length, both orders, with a comma
        ("p", ["PADDON, Dorothy", *PASCOES]),
        ("pa", ["PADDON, Dorothy", *PASCOES]),
        ("PASC", PASCOES),
        ("pascoe", PASCOES),
        ("Pascoe Doris", DORIS),
        ("pascoe d", DORIS),
        ("Doris Pascoe", DORIS),
        ("Pascoe, Doris", DORIS),
        ("Pascoe, Pe", ["PASCOE, Peter"]),
        ("smith pat", ["SMITH, Pat"]),
        ("nobody", []),
        # NHS numbers, whole or their first digits
        (DORIS_NHS, DORIS),
        (synthetic.spaced(DORIS_NHS), DORIS),
        (f"{DORIS_NHS[:3]}-{DORIS_NHS[3:6]}-{DORIS_NHS[6:]}", DORIS),
        (DORIS_NHS[:6], DORIS),
        (synthetic.spaced(PETER_NHS)[:7], ["PASCOE, Peter"]),
        # dates of birth
        ("23/11/1944", ["PASCOE, Doris", "SMITH, Pat"]),
        ("23-Nov-1944", ["PASCOE, Doris", "SMITH, Pat"]),
        ("1944-11-23", ["PASCOE, Doris", "SMITH, Pat"]),
        ("23.11.1944", ["PASCOE, Doris", "SMITH, Pat"]),
        ("01/02/1950", ["PASCOE, Peter"]),
        # postcodes, whole or the outward part
        ("TQ5 9AB", DORIS),
        ("tq59ab", DORIS),
        ("TQ5", ["PADDON, Dorothy", *PASCOES]),
        ("TQ1", ["SMITH, Pat"]),
        # phones in any format, or their last digits
        (DORIS_PHONE, DORIS),
        (synthetic.e164(DORIS_PHONE), DORIS),
        ("(01632) 960111", DORIS),
        ("0044 1632 960111", DORIS),
        ("+44 (0)1632 960111", DORIS),
        ("960111", DORIS),
        ("0111", DORIS),
        ("7946 0333", ["PADDON, Dorothy"]),
        # the carer's number finds the person cared for
        (CARER_PHONE, DORIS),
        (CARER_PHONE.replace(" ", ""), DORIS),
        # nothing typed, nothing found
        ("", []),
        ("   ", []),
    ],
)
def test_search(zone: Engine, query: str, found: list[str]) -> None:
    assert sorted(names(zone, query)) == found


@pytest.mark.parametrize(
    ("query", "zone_id", "found"),
    [
        ("p", "TQN", []),
        ("p", "BXM", ["PADDON, Dorothy", *PASCOES]),
        ("smith", "BXM", []),
        ("smith", "TQN", ["SMITH, Pat"]),
        ("23/11/1944", "BXM", DORIS),
    ],
)
def test_search_within_a_zone(zone: Engine, query: str, zone_id: str, found: list[str]) -> None:
    assert sorted(names(zone, query, zone_id)) == found


@pytest.mark.parametrize("query", ["pa", "23/11/1944"])
def test_names_come_in_alphabetical_order(zone: Engine, query: str) -> None:
    """Family name, then given name: how a co-ordinator scans a list of matches."""
    found = names(zone, query)
    assert len(found) > 1 and found == sorted(found)


def test_results_carry_what_the_list_shows(zone: Engine, clock: FrozenClock) -> None:
    with db.reading(zone) as session:
        [hit] = search(session, DORIS_NHS)
    assert (hit.nhs_display, hit.age, hit.postcode, hit.practice, hit.zone_id, hit.phone) == (
        synthetic.spaced(DORIS_NHS),
        82,
        "TQ5 9AB",
        "Quayside Medical Practice",
        "BXM",
        DORIS_PHONE,
    )


def test_limit(zone: Engine) -> None:
    with db.reading(zone) as session:
        assert len(search(session, "p", limit=2)) == 2


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("", "empty"),
        ("pascoe", "name"),
        ("Pascoe, Doris", "name"),
        (DORIS_NHS, "nhs"),
        ("999 111", "digits"),
        ("23/11/1944", "date"),
        ("23111944", "date"),
        ("TQ5 9AB", "postcode"),
        ("TQ5", "postcode"),
        ("01632 960111", "phone"),
        ("+44 1632 960111", "phone"),
        ("0111", "digits"),
    ],
)
def test_classify(query: str, kind: str) -> None:
    assert classify(query) == kind
