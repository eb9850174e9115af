"""Search at scale: exact, prefix and substring matches, short queries, NHS numbers
with and without spaces, on a small seeded register with a few people we know.

Substrings come from SQLite's FTS5 trigram table or PostgreSQL's pg_trgm
indexes (migration 0002); one- and two-character queries from the prefix
indexes; prefix matches always rank above substring matches.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import select

from desk import db
from desk.models import Person
from desk.scale import seed_scale
from desk.services import people, search
from tests.helpers import synthetic
from tests.helpers.dbspec import DbSpec
from tests.helpers.fixtures import FROZEN_AT, Registrar, coordinator, frozen

SEED_AT = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
# Numbers neither the scale data (no 0117 block) nor the reference data (0117 496 01xx) uses.
QUENBY_PHONE = "0117 496 0555"
CARER_PHONE = "0117 496 0556"
BEDEMAN_PHONE = "0117 496 0557"


def _free_nhs(engine: Engine, start: int) -> str:
    with db.reading(engine) as s:
        taken = set(s.exec(select(Person.nhs_number)).all())
    n = start
    while (number := synthetic.nhs_number(n)) in taken:
        n = int(number[3:9]) + 1
    return number


@pytest.fixture(scope="module")
def known(shared_engine: Engine) -> dict[str, Any]:
    """2,000 synthetic people, then four we know (all at a Brixham practice). Tests only read."""
    seed_scale(shared_engine, people=2000, caseload=200, calls=300, seed=11, now=SEED_AT)
    actor = coordinator(shared_engine)
    register = Registrar(shared_engine, actor)
    out: dict[str, Any] = {"engine": shared_engine}
    with frozen(FROZEN_AT):
        quenby = register(
            nhs_number=_free_nhs(shared_engine, 123_456),
            family_name="Quenby",
            given_name="Josephine",
            date_of_birth="23/11/1944",
            postcode="TQ9 5ZZ",
            phone=QUENBY_PHONE,
        )
        bedeman = register(
            nhs_number=_free_nhs(shared_engine, 234_567),
            family_name="Bedeman",
            given_name="Arthur",
            date_of_birth="02/03/1931",
            postcode="TQ9 6ZZ",
            phone=BEDEMAN_PHONE,
        )
        zebedee = register(
            nhs_number=_free_nhs(shared_engine, 345_678),
            family_name="Zebedee",
            given_name="Mabel",
            date_of_birth="14/07/1929",
            postcode="TQ9 7ZZ",
            phone="",
        )
        with db.writing(shared_engine) as session:
            people.add_contact(
                session,
                actor,
                quenby.id,
                people.ContactDetails(
                    name="Jean Quenby",
                    relationship="daughter",  # type: ignore[arg-type]
                    phone=CARER_PHONE,
                    is_carer=True,
                ),
            )
    for key, person in (("quenby", quenby), ("bedeman", bedeman), ("zebedee", zebedee)):
        out[key] = person.id
        out[f"{key}_nhs"] = person.nhs_number
    return out


def ids(engine: Engine, query: str, **kwargs: Any) -> list[int]:
    with db.reading(engine) as session:
        return [hit.person_id for hit in search.search(session, query, **kwargs)]


def hits(engine: Engine, query: str, **kwargs: Any) -> list[search.PersonHit]:
    with db.reading(engine) as session:
        return search.search(session, query, **kwargs)


def test_substring_search_is_available(known: dict[str, Any]) -> None:
    engine = known["engine"]
    with db.reading(engine) as session:
        assert search.substring_available(session) == ("fts5" if engine.dialect.name == "sqlite" else "pg_trgm")


# --- NHS numbers ---------------------------------------------------------------------------


def test_a_whole_nhs_number_with_or_without_spaces_finds_exactly_that_person(known: dict[str, Any]) -> None:
    engine, number = known["engine"], known["quenby_nhs"]
    for typed in (number, synthetic.spaced(number), f" {number[:3]}-{number[3:6]}-{number[6:]} "):
        assert ids(engine, typed) == [known["quenby"]], typed


def test_the_first_digits_of_an_nhs_number_with_or_without_spaces(known: dict[str, Any]) -> None:
    engine, number = known["engine"], known["bedeman_nhs"]
    for typed in (number[:7], f"{number[:3]} {number[3:7]}"):
        found = hits(engine, typed)
        assert known["bedeman"] in [h.person_id for h in found], typed
        # the prefix matches come first, in NHS number order
        prefixed = [h.nhs_number for h in found if h.nhs_number.startswith(number[:7])]
        assert prefixed == sorted(prefixed) and [h.nhs_number for h in found][: len(prefixed)] == prefixed


def test_digits_from_the_middle_of_an_nhs_number(known: dict[str, Any]) -> None:
    engine, number = known["engine"], known["zebedee_nhs"]
    part = number[4:10]  # six digits that are not its start
    assert known["zebedee"] in ids(engine, part)
    assert known["zebedee"] in ids(engine, f"{part[:3]} {part[3:]}")
    assert all(
        part in h.nhs_number or part[::-1] in people.phone_rev(h.phone_e164) or h.nhs_number.startswith(part)
        for h in hits(engine, part)
    )


@pytest.mark.parametrize("typed", ["9", "99", "999"])
def test_one_two_and_three_digits_are_not_silently_empty(known: dict[str, Any], typed: str) -> None:
    found = hits(known["engine"], typed)
    assert len(found) == search.DEFAULT_LIMIT
    assert all(h.nhs_number.startswith(typed) for h in found)


# --- names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "who"),
    [("q", "quenby"), ("qu", "quenby"), ("z", "zebedee"), ("ze", "zebedee"), ("b", "bedeman"), ("be", "bedeman")],
)
def test_one_and_two_characters_search_by_prefix(known: dict[str, Any], typed: str, who: str) -> None:
    found = hits(known["engine"], typed, limit=500)
    assert found and all(h.family_name.lower().startswith(typed) for h in found)
    assert known[who] in [h.person_id for h in found]
    keys = [(h.family_name.lower(), h.given_name.lower(), h.person_id) for h in found]
    assert keys == sorted(keys)


def test_prefix_matches_rank_above_substring_matches(known: dict[str, Any]) -> None:
    found = ids(known["engine"], "bede")
    assert found.index(known["bedeman"]) < found.index(known["zebedee"])
    assert found[0] == known["bedeman"]


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        ("ebede", "zebedee"),  # inside a family name
        ("EBED", "zebedee"),  # any case
        ("osephin", "quenby"),  # inside a given name
        ("uenb", "quenby"),
        ("rthu", "bedeman"),
        ("5zz", "quenby"),  # the end of a postcode
    ],
)
def test_a_fragment_finds_names_and_postcodes_containing_it(known: dict[str, Any], typed: str, who: str) -> None:
    assert known[who] in ids(known["engine"], typed)


def test_every_word_must_match(known: dict[str, Any]) -> None:
    engine = known["engine"]
    assert ids(engine, "osephin uenb") == [known["quenby"]]
    assert ids(engine, "osephin ebede") == []


@pytest.mark.parametrize("typed", ["quenby jo", "Jo Quenby", "Quenby, Jo", "QUENBY JOSEPHINE", "josephine quenby"])
def test_family_and_given_name_in_any_of_the_usual_forms(known: dict[str, Any], typed: str) -> None:
    assert ids(known["engine"], typed)[0] == known["quenby"]


def test_a_short_word_beside_a_long_one_stays_a_prefix(known: dict[str, Any]) -> None:
    """ "uenb jo" is not a prefix of anyone; "jo" cannot be looked up by trigram, so no substring search."""
    assert ids(known["engine"], "uenb jo") == []


@pytest.mark.parametrize("typed", ["23/11/1944", "23-Nov-1944", "23.11.1944"])
def test_date_of_birth(known: dict[str, Any], typed: str) -> None:
    assert known["quenby"] in ids(known["engine"], typed, limit=500)


# --- postcodes and phones ----------------------------------------------------------------------


def test_postcode_district_whole_and_part(known: dict[str, Any]) -> None:
    engine = known["engine"]
    # TQ9 is nobody else's: the three in postcode order
    assert ids(engine, "TQ9") == [known["quenby"], known["bedeman"], known["zebedee"]]
    assert ids(engine, "tq9 6zz") == ids(engine, "TQ96ZZ") == [known["bedeman"]]
    assert ids(engine, "Q96") == [known["bedeman"]]  # from the middle, once nothing starts with it


@pytest.mark.parametrize("typed", [QUENBY_PHONE, "01174960555", "+44 117 496 0555", "+441174960555", "(0117) 496 0555"])
def test_a_whole_phone_number_in_any_format(known: dict[str, Any], typed: str) -> None:
    assert ids(known["engine"], typed) == [known["quenby"]]


def test_a_carers_phone_finds_the_person_they_care_for(known: dict[str, Any]) -> None:
    assert ids(known["engine"], CARER_PHONE) == [known["quenby"]]


def test_the_last_digits_of_a_phone_number(known: dict[str, Any]) -> None:
    assert known["bedeman"] in ids(known["engine"], "4960557")
    assert known["bedeman"] in ids(known["engine"], "0557")


def test_part_of_a_phone_number(known: dict[str, Any]) -> None:
    found = ids(known["engine"], "1174960")  # the middle of both 0117 numbers on the register
    assert {known["quenby"], known["bedeman"]} <= set(found)


# --- limits and zones ------------------------------------------------------------------------------


def test_the_zone_and_the_limit_narrow_the_results(known: dict[str, Any]) -> None:
    engine = known["engine"]
    assert ids(engine, "quenby", zone_id="BXM") == [known["quenby"]]
    assert ids(engine, "quenby", zone_id="TQN") == []
    assert ids(engine, "uenb", zone_id="TQN") == []
    assert len(ids(engine, "s", limit=7)) == 7
    assert ids(engine, "s", limit=0) == []
    assert len(ids(engine, "ith", limit=5)) <= 5


def test_queries_with_special_characters_are_safe(known: dict[str, Any]) -> None:
    engine = known["engine"]
    for typed in ('"', "o'", "a%b", "_ _", "x\\y", 'quen"by', "(((", "NEAR(a b)", "{family_key}: x"):
        ids(engine, typed)  # no error; whatever it finds


# --- without substring indexes ------------------------------------------------------------------


def test_without_substring_indexes_search_falls_back_to_prefixes(database: DbSpec) -> None:
    """PostgreSQL without pg_trgm (or a database whose FTS table is gone): prefix search only."""
    engine = database.engine()
    try:
        db.migrate(engine)
        from desk.services import reference

        with db.writing(engine) as session:
            reference.load(session)
        with frozen(FROZEN_AT):
            Registrar(engine, coordinator(engine))(family_name="Zebedee", given_name="Mabel")
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                for trigger in ("person_fts_ai", "person_fts_ad", "person_fts_au"):
                    conn.execute(text(f"DROP TRIGGER {trigger}"))
                conn.execute(text("DROP TABLE person_fts"))
            else:
                for column in ("family_key", "given_key", "nhs_number", "phone_rev", "postcode_key"):
                    conn.execute(text(f"DROP INDEX ix_person_{column}_trgm"))
        search._substring_cache.pop(engine, None)
        with db.reading(engine) as session:
            assert search.substring_available(session) == ""
        assert [h.family_name for h in hits(engine, "zeb")] == ["Zebedee"]
        assert hits(engine, "ebede") == []
        with frozen(FROZEN_AT):  # registering still works without the triggers
            Registrar(engine, coordinator(engine))(
                family_name="Zebedeo", given_name="Max", nhs_number=synthetic.nhs_number(5)
            )
        assert [h.family_name for h in hits(engine, "zebede")] == ["Zebedee", "Zebedeo"]
    finally:
        engine.dispose()


def test_search_keeps_up_with_changes_to_the_register(engine: Engine) -> None:
    """The triggers (SQLite) keep the substring index in step with registering and changing people."""
    actor = coordinator(engine)
    with frozen(FROZEN_AT):
        person = Registrar(engine, actor)(family_name="Hamblyn", given_name="Edith")
        assert ids(engine, "mblyn") == [person.id]
        with db.writing(engine) as session:
            people.update(
                session,
                actor,
                person.id,
                people.PersonChanges(family_name="Hambling"),  # type: ignore[arg-type]
                expected_version=person.version,
                why="spelling corrected by her son",
            )
    assert ids(engine, "mbling") == [person.id]
    assert ids(engine, "mblyn") == []
