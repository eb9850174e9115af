"""Names found however the caller spells them: accents, apostrophes, hyphens, spaces, case, word order.

A table of people with names that are awkward on the phone, and the ways a
co-ordinator hearing them might type them. Each way is tried through the
search service (F3 and the call screen's finder) and the caseload's ``/``
search, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text
from sqlmodel import select

from desk import db
from desk import names as folding
from desk.models import CaseloadEntry, History, Person
from desk.services import caseload, people, reference
from desk.services.search import search
from tests.helpers import records, synthetic
from tests.helpers.dbspec import DbSpec
from tests.helpers.fixtures import FROZEN_AT, Registrar, coordinator, frozen

# --- the folding itself ---------------------------------------------------------------------

FOLDED = [
    ("Zoë", "zoe"),
    ("ZOË", "zoe"),
    ("Zoe\u0308", "zoe"),  # the same Zoë typed as e and a combining diaeresis
    ("Sióbhan", "siobhan"),
    ("Müller", "muller"),
    ("Björk", "bjork"),
    ("François", "francois"),
    ("Nguyễn", "nguyen"),
    ("Đặng", "dang"),
    ("Søren", "soren"),
    ("Łukasz", "lukasz"),
    ("Straße", "strasse"),
    ("Ævar", "aevar"),
    ("O'Brien", "obrien"),
    ("O’Brien", "obrien"),
    ("O‘Brien", "obrien"),
    ("Oʼbrien", "obrien"),
    ("O`Brien", "obrien"),
    ("O´Neill", "oneill"),
    ("D'Arcy", "darcy"),
    ("Smith-Jones", "smith jones"),
    ("Smith–Jones", "smith jones"),  # an en dash, as a word processor makes it
    ("  smith -  jones ", "smith jones"),
    ("de la Cruz", "de la cruz"),
    ("van der Berg", "van der berg"),
    ("Mac Donald", "mac donald"),
    ("St. John", "st john"),
    ("ﬁnlay", "finlay"),  # a ligature
    ("", ""),
    ("'-", ""),
]


@pytest.mark.parametrize(("name", "folded"), FOLDED)
def test_fold_takes_out_what_a_caller_cannot_say(name: str, folded: str) -> None:
    assert folding.fold(name) == folded
    assert folding.key(name) == folded.replace(" ", "")


SAME_KEY = [
    ("O'Brien", ["O’Brien", "OBrien", "O Brien", "obrien", "O'BRIEN"]),
    ("Smith-Jones", ["smith jones", "smithjones", "Smith Jones", "SMITH-JONES"]),
    ("de la Cruz", ["De La Cruz", "delacruz", "de-la-cruz", "DeLaCruz"]),
    ("Müller", ["Muller", "MULLER", "müller"]),
    ("Zoë", ["Zoe", "zoe", "ZOE"]),
]


@pytest.mark.parametrize(("registered", "typed"), SAME_KEY)
def test_every_spelling_of_a_name_has_one_key(registered: str, typed: list[str]) -> None:
    assert typed
    assert {folding.key(t) for t in typed} == {folding.key(registered)}


def test_readings_try_every_division_between_family_and_given_name() -> None:
    found = folding.readings("maria de la cruz")
    assert folding.Reading("delacruz", "maria") in found  # given name first
    assert folding.Reading("mariadelacruz") == found[0]  # all one family name, first
    assert folding.readings("De la Cruz, María") == [folding.Reading("delacruz", "maria")]  # a comma: certain
    assert folding.readings("'") == []


@pytest.mark.parametrize(
    ("typed", "pieces"),
    [
        ("la cruz", ["lacruz"]),
        ("o brien", ["obrien"]),
        ("van der berg", ["van", "der", "berg"]),
        ("maria cruz", ["maria", "cruz"]),
        ("jo", ["jo"]),
        ("jones jo", ["jones", "jo"]),  # "jo" still being typed: no substring look-up
        ("de la cr", ["dela", "cr"]),
    ],
)
def test_fragments_join_a_short_word_to_the_next(typed: str, pieces: list[str]) -> None:
    assert folding.fragments(typed) == pieces


# --- the register -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Named:
    family: str
    given: str

    @property
    def shown(self) -> str:
        return f"{self.family.upper()}, {self.given}"


ZOE = Named("Hext", "Zoë")
SIOBHAN = Named("Murphy", "Sióbhan")
MULLER = Named("Müller", "Jürgen")
PLAIN_MULLER = Named("Muller", "Hans")
OBRIEN = Named("O'Brien", "Kathleen")
ONEILL = Named("O’Neill", "Seán")  # registered with a curly apostrophe
SMITH_JONES = Named("Smith-Jones", "Anne-Marie")
DE_LA_CRUZ = Named("de la Cruz", "María")
VAN_DER_BERG = Named("van der Berg", "Pieter")
MAC_DONALD = Named("Mac Donald", "Hamish")
NGUYEN = Named("Nguyễn", "Thị Lan")
WOJCIK = Named("Wójcik", "Łukasz")
# Plain names that look like parts of the others: found when they should be, never instead.
JONES = Named("Jones", "Mary")
CRUZ = Named("Cruz", "Pedro")
BRIEN = Named("Brien", "Tom")
SMITH = Named("Smith", "John")

EVERYONE = [
    ZOE,
    SIOBHAN,
    MULLER,
    PLAIN_MULLER,
    OBRIEN,
    ONEILL,
    SMITH_JONES,
    DE_LA_CRUZ,
    VAN_DER_BERG,
    MAC_DONALD,
    NGUYEN,
    WOJCIK,
    JONES,
    CRUZ,
    BRIEN,
    SMITH,
]

# (what the co-ordinator types, who must be found, who must not be)
TYPED: list[tuple[str, Named, list[Named]]] = [
    # diacritics typed without them, and the other way round
    ("zoe hext", ZOE, []),
    ("hext zoe", ZOE, []),
    ("Hext, Zoe", ZOE, []),
    ("ZOË HEXT", ZOE, []),
    ("hext", ZOE, []),
    ("siobhan murphy", SIOBHAN, []),
    ("Murphy, Siobhan", SIOBHAN, []),
    ("muller", MULLER, []),
    ("muller", PLAIN_MULLER, []),
    ("Müller", PLAIN_MULLER, []),
    ("Müller, Hans", PLAIN_MULLER, [MULLER]),
    ("jurgen muller", MULLER, [PLAIN_MULLER]),
    ("Muller, Jurgen", MULLER, [PLAIN_MULLER]),
    ("nguyen", NGUYEN, []),
    ("thi lan nguyen", NGUYEN, []),
    ("lan nguyen", NGUYEN, []),
    ("wojcik lukasz", WOJCIK, []),
    ("Łukasz Wójcik", WOJCIK, []),
    # O'... names without the apostrophe, with a curly one, with a space
    ("o'brien", OBRIEN, [BRIEN]),
    ("O’Brien", OBRIEN, [BRIEN]),
    ("obrien", OBRIEN, [BRIEN]),
    ("o brien", OBRIEN, [BRIEN]),
    ("OBRIEN KATHLEEN", OBRIEN, []),
    ("kathleen o'brien", OBRIEN, []),
    ("ob", OBRIEN, []),
    ("o'b", OBRIEN, []),
    ("brien", OBRIEN, []),
    ("brien", BRIEN, []),
    ("o'neill", ONEILL, []),
    ("oneill", ONEILL, []),
    ("sean oneill", ONEILL, []),
    # double-barrelled, in part or without the hyphen
    ("smith-jones", SMITH_JONES, [JONES, SMITH]),
    ("smith jones", SMITH_JONES, [JONES, SMITH]),
    ("smithjones", SMITH_JONES, [JONES, SMITH]),
    ("jones", SMITH_JONES, []),
    ("jones", JONES, []),
    ("smith", SMITH_JONES, []),
    ("smith jones anne", SMITH_JONES, []),
    ("anne-marie smith-jones", SMITH_JONES, []),
    ("anne marie smith jones", SMITH_JONES, []),
    ("Smith-Jones, Anne Marie", SMITH_JONES, []),
    ("jones anne", SMITH_JONES, []),
    ("marie", SMITH_JONES, []),
    # family names of several words, whole, in part, given name first
    ("de la cruz", DE_LA_CRUZ, [CRUZ]),
    ("De La Cruz", DE_LA_CRUZ, [CRUZ]),
    ("delacruz", DE_LA_CRUZ, [CRUZ]),
    ("de la cr", DE_LA_CRUZ, [CRUZ]),
    ("maria de la cruz", DE_LA_CRUZ, [CRUZ]),
    ("María de la Cruz", DE_LA_CRUZ, [CRUZ]),
    ("de la cruz maria", DE_LA_CRUZ, [CRUZ]),
    ("de la cruz, maria", DE_LA_CRUZ, [CRUZ]),
    ("la cruz", DE_LA_CRUZ, [CRUZ]),
    ("cruz", DE_LA_CRUZ, []),
    ("cruz", CRUZ, []),
    ("maria cruz", DE_LA_CRUZ, [CRUZ]),
    ("van der berg", VAN_DER_BERG, []),
    ("vanderberg", VAN_DER_BERG, []),
    ("Van Der Berg, Pieter", VAN_DER_BERG, []),
    ("pieter van der berg", VAN_DER_BERG, []),
    ("der berg", VAN_DER_BERG, []),
    ("berg", VAN_DER_BERG, []),
    ("mac donald", MAC_DONALD, []),
    ("macdonald", MAC_DONALD, []),
    ("MacDonald", MAC_DONALD, []),
    ("hamish mac donald", MAC_DONALD, []),
    ("donald", MAC_DONALD, []),
]


@pytest.fixture(scope="module")
def register(shared_engine: Engine) -> Engine:
    """Everyone in :data:`EVERYONE`, registered at the desk in Brixham, each on the caseload. Tests here only read."""
    actor = coordinator(shared_engine)
    with db.reading(shared_engine) as session:
        nurse = next(s for s in reference.staff(session, "BXM") if s.role == "nurse")
    registrar = Registrar(shared_engine, actor)
    with frozen(FROZEN_AT):
        for named in EVERYONE:
            person = registrar(family_name=named.family, given_name=named.given)
            records.set_key_worker(shared_engine, person.id, nurse.id)  # type: ignore[arg-type]
    return shared_engine


def found_by_search(engine: Engine, typed: str) -> list[str]:
    with db.reading(engine) as session:
        return [hit.name for hit in search(session, typed)]


def found_on_caseload(engine: Engine, typed: str) -> list[str]:
    with db.reading(engine) as session:
        return [row.name for row in caseload.page(session, "BXM", search=typed).rows]


def test_the_register_holds_everyone_as_registered(register: Engine) -> None:
    with db.reading(register) as session:
        held = {(p.family_name, p.given_name) for p in session.exec(select(Person)).all()}
    assert held == {(n.family, n.given) for n in EVERYONE}
    assert len(found_on_caseload(register, "")) == len(EVERYONE)


@pytest.mark.parametrize(("typed", "wanted", "unwanted"), TYPED, ids=[f"{t!r}->{w.family}" for t, w, _ in TYPED])
def test_search_finds_the_person_however_their_name_is_typed(
    register: Engine, typed: str, wanted: Named, unwanted: list[Named]
) -> None:
    found = found_by_search(register, typed)
    assert wanted.shown in found
    for other in unwanted:
        assert other.shown not in found


@pytest.mark.parametrize(("typed", "wanted", "unwanted"), TYPED, ids=[f"{t!r}->{w.family}" for t, w, _ in TYPED])
def test_the_caseload_search_finds_the_person_however_their_name_is_typed(
    register: Engine, typed: str, wanted: Named, unwanted: list[Named]
) -> None:
    found = found_on_caseload(register, typed)
    assert wanted.shown in found
    for other in unwanted:
        assert other.shown not in found


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("de la cruz", DE_LA_CRUZ),
        ("maria de la cruz", DE_LA_CRUZ),
        ("smith jones", SMITH_JONES),
        ("o brien", OBRIEN),
        ("zoe hext", ZOE),
        ("mac donald", MAC_DONALD),
    ],
)
def test_a_whole_name_comes_first(register: Engine, typed: str, first: Named) -> None:
    """Typed whole, the name is an exact-prefix match: it heads the list, before any substring match."""
    assert found_by_search(register, typed)[0] == first.shown


@pytest.mark.parametrize("typed", ["xyz", "de la x", "o'x", "'", "-", "zz top"])
def test_what_matches_nobody_finds_nobody(register: Engine, typed: str) -> None:
    assert found_by_search(register, typed) == []
    assert found_on_caseload(register, typed) == []


def test_names_are_shown_as_registered(register: Engine) -> None:
    """The folding is for finding only: the list shows the FAMILY name in capitals and the given name as registered."""
    assert found_by_search(register, "maria de la cruz")[0] == "DE LA CRUZ, María"
    assert found_by_search(register, "obrien")[0] == "O'BRIEN, Kathleen"
    assert found_on_caseload(register, "zoe hext") == ["HEXT, Zoë"]


# --- keys kept on every write -----------------------------------------------------------------


def test_a_changed_name_is_found_by_its_new_spelling_and_history_shows_only_the_change(engine: Engine) -> None:
    actor = coordinator(engine)
    with frozen(FROZEN_AT):
        person = Registrar(engine, actor)(family_name="O'Brien", given_name="Zoë")
        with db.writing(engine) as session:
            people.update(
                session,
                actor,
                person.id,  # type: ignore[arg-type]
                people.PersonChanges(family_name="Ní Bhriain"),
                expected_version=person.version,
                why="Told us her name in Irish",
            )
            people.update(
                session,
                actor,
                person.id,  # type: ignore[arg-type]
                people.PersonChanges(address="2 Fore Street, Brixham"),
                expected_version=person.version + 1,
                why="Moved next door",
            )
    assert found_by_search(engine, "ni bhriain zoe") == ["NÍ BHRIAIN, Zoë"]
    assert found_by_search(engine, "obrien") == []
    with db.reading(engine) as session:
        stored = session.get(Person, person.id)
        assert stored is not None and (stored.family_key, stored.given_key) == ("nibhriain", "zoe")
        changes = session.exec(
            select(History.after).where(History.entity == "person", History.action == "update").order_by(History.id)
        ).all()
    assert [sorted(c or {}) for c in changes] == [["family_key", "family_name"], ["address"]]


def test_a_person_written_straight_through_the_orm_gets_folded_keys(engine: Engine) -> None:
    """A loader that fills the keys its own way (lower-casing, as the demo's did) still stores the folded keys."""
    with db.writing(engine) as session:
        person = Person(
            nhs_number=synthetic.nhs_number(424_242),
            family_name="Smith-Jones",
            given_name="Zoë",
            family_key="smith-jones",
            given_key="zoë",
            date_of_birth=FROZEN_AT.date(),
            practice_id="L99013",
            zone_id="BXM",
            created_at=FROZEN_AT,
        )
        session.add(person)
    assert found_by_search(engine, "zoe smith jones") == ["SMITH-JONES, Zoë"]
    with db.writing(engine) as session:
        again = session.get(Person, person.id)
        assert again is not None
        again.given_name = "Chloë"
    assert found_by_search(engine, "smithjones chloe") == ["SMITH-JONES, Chloë"]


# --- a register from before the folding -------------------------------------------------------


def test_upgrading_folds_the_keys_of_people_already_registered(database: DbSpec) -> None:
    """Migration 0003 on a desk in use: keys written the old way (lower case) become folded, and are found."""
    engine = database.engine()
    try:
        cfg = Config()
        cfg.set_main_option("script_location", str(files("desk") / "migrations"))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0002")
        with db.writing(engine) as session:
            reference.load(session)
        old = [("O'Brien", "Zoë"), ("de la Cruz", "María"), ("Smith-Jones", "Anne-Marie"), ("Pascoe", "Doris")]
        with engine.begin() as conn:
            for n, (family, given) in enumerate(old, start=1):
                conn.execute(
                    text(
                        "INSERT INTO person (id, nhs_number, family_name, given_name, family_key, given_key, "
                        "date_of_birth, sex, address, postcode, postcode_key, phone_raw, phone_valid, phone_rev, "
                        "practice_id, zone_id, lives_alone, conditions, created_at, version) VALUES (:id, :nhs, "
                        ":family, :given, :fk, :gk, '1944-11-23', '', '', '', '', '', true, '', 'L99013', 'BXM', "
                        "false, '', '2026-11-01 10:00:00', 1)"
                    ),
                    {
                        "id": n,
                        "nhs": synthetic.nhs_number(n * 11),
                        "family": family,
                        "given": given,
                        "fk": family.lower(),
                        "gk": given.lower(),
                    },
                )
                conn.execute(
                    text(
                        "INSERT INTO caseloadentry (person_id, zone_id, sort_name, display_name, nhs_number, "
                        "date_of_birth, practice_name, key_worker_name, health, social, next_due_what, lives_alone, "
                        "in_hospital, crisis) VALUES (:id, 'BXM', :sort, :shown, :nhs, '1944-11-23', '', '', "
                        "'Nursing', '', '', false, false, false)"
                    ),
                    {
                        "id": n,
                        "sort": f"{family.lower()} {given.lower()}",
                        "shown": f"{family.upper()}, {given}",
                        "nhs": synthetic.nhs_number(n * 11),
                    },
                )
        assert found_by_search(engine, "o'brien") == []  # the old keys: an apostrophe typed plainly finds nobody
        db.migrate(engine)
        with db.reading(engine) as session:
            keys = {(p.family_key, p.given_key) for p in session.exec(select(Person)).all()}
            sort_names = set(session.exec(select(CaseloadEntry.sort_name)).all())
        assert keys == {("obrien", "zoe"), ("delacruz", "maria"), ("smithjones", "annemarie"), ("pascoe", "doris")}
        assert sort_names == {"obrien zoe", "delacruz maria", "smithjones annemarie", "pascoe doris"}
        assert found_by_search(engine, "zoe obrien") == ["O'BRIEN, Zoë"]
        assert found_by_search(engine, "la cruz") == ["DE LA CRUZ, María"]  # through the substring index, rebuilt
        assert found_by_search(engine, "jones") == ["SMITH-JONES, Anne-Marie"]
        assert found_on_caseload(engine, "maria de la cruz") == ["DE LA CRUZ, María"]
    finally:
        engine.dispose()
