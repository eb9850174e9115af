"""Registering and changing people: the zone comes from the practice, bad forms write nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import select

from desk import dates, db
from desk.errors import InvalidForm, NotFound, StaleRecord
from desk.history import Actor
from desk.models import (
    Admission,
    Alert,
    CarePackage,
    CarePackageItem,
    Contact,
    History,
    Involvement,
    Organisation,
    Person,
    Referral,
)
from desk.services import people
from desk.services.reference import StaffRow
from tests.helpers import synthetic
from tests.helpers.fixtures import FrozenClock, Registrar


def counts(engine: Engine) -> tuple[int, int, int]:
    """How many people, contacts and history entries the database holds."""
    with db.reading(engine) as session:
        return tuple(  # type: ignore[return-value]
            session.exec(select(func.count()).select_from(model)).one() for model in (Person, Contact, History)
        )


def person_history(engine: Engine, person_id: int) -> list[History]:
    with db.reading(engine) as session:
        return list(
            session.exec(
                select(History)
                .where(History.entity == "person", History.entity_id == str(person_id))
                .order_by(History.id)
            )
        )


@pytest.fixture
def doris(register: Registrar) -> Person:
    """Doris as registered at the desk, postcode typed in lower case."""
    return register(
        family_name="Pascoe",
        given_name="Doris",
        date_of_birth="23/11/1944",
        address="3 Fore Street, Brixham",
        postcode="tq5 9ab",
        phone="01632 960001",
        lives_alone=True,
    )


# --- registering -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("practice", "zone", "zone_name"),
    [
        ("L99001", "TQN", "Torquay North"),
        ("L99004", "TQS", "Torquay South"),
        ("L99007", "PGN", "Paignton North"),
        ("L99010", "PGS", "Paignton South"),
        ("L99013", "BXM", "Brixham"),
    ],
)
def test_zone_comes_from_the_gp_practice(
    engine: Engine, register: Registrar, practice: str, zone: str, zone_name: str
) -> None:
    """The practice decides the zone, whatever the address says (every address here is in Brixham)."""
    person = register(practice_id=practice.lower())
    assert person.zone_id == zone and person.practice_id == practice
    with db.reading(engine) as session:
        assert people.record(session, person.id).zone_name == zone_name  # type: ignore[arg-type]


def test_register_stores_clean_values_and_one_history_entry(
    engine: Engine, doris: Person, actor: Actor, clock: FrozenClock
) -> None:
    assert doris.postcode == "TQ5 9AB" and doris.postcode_key == "TQ59AB"
    assert doris.family_key == "pascoe" and doris.given_key == "doris"
    assert doris.phone_e164 == "+441632960001" and doris.phone_valid is False  # drama range: possible, flagged
    assert doris.created_at == clock.now and doris.version == 1
    [entry] = person_history(engine, doris.id)  # type: ignore[arg-type]
    assert (entry.action, entry.staff_id, entry.desk, entry.person_id) == ("create", actor.staff_id, "desk-1", doris.id)
    assert entry.before is None and entry.after is not None and entry.after["nhs_number"] == doris.nhs_number


BAD_FIELDS: dict[str, tuple[Any, str]] = {
    # field: (bad value, what the message beside it says)
    "nhs_number": ("999 123 456", "must be ten digits"),
    "family_name": ("   ", "Family name is required"),
    "given_name": ("", "Given name is required"),
    "date_of_birth": ("31/02/1944", "is impossible: February 1944 has 29 days"),
    "postcode": ("BRIXHAM", "is not a UK postcode"),
    "phone": ("0180321055199999", "cannot be a phone number"),
    "practice_id": ("", "GP practice is required"),
    "sex": ("F", "Sex must be one of: Female, Male"),
}


@pytest.mark.parametrize("field", list(BAD_FIELDS))
def test_one_bad_field_is_named_and_nothing_is_written(engine: Engine, register: Registrar, field: str) -> None:
    value, says = BAD_FIELDS[field]
    before = counts(engine)
    with pytest.raises(InvalidForm) as caught, db.writing(engine) as session:
        people.register(session, register.actor, register.form(**{field: value}))
    assert list(caught.value.problems) == [field]
    assert says in caught.value.problems[field]
    assert counts(engine) == before


def test_every_bad_field_gets_its_own_message(engine: Engine, register: Registrar) -> None:
    """A form with everything wrong is answered in one go, one message per field."""
    before = counts(engine)
    form = register.form(**{field: value for field, (value, _) in BAD_FIELDS.items()})
    with pytest.raises(InvalidForm) as caught, db.writing(engine) as session:
        people.register(session, register.actor, form)
    assert set(caught.value.problems) == set(BAD_FIELDS)
    for field, (_, says) in BAD_FIELDS.items():
        assert says in caught.value.problems[field], field
    assert counts(engine) == before


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("practice_id", "X00000", "No GP practice with code X00000"),
        ("date_of_birth", "24/11/2026", "is in the future"),
        ("nhs_number", "999 123 456A", "characters other than digits"),
    ],
)
def test_other_refusals(engine: Engine, register: Registrar, field: str, value: str, says: str) -> None:
    with pytest.raises(InvalidForm) as caught, db.writing(engine) as session:
        people.register(session, register.actor, register.form(**{field: value}))
    assert says in caught.value.problems[field]


def test_duplicate_nhs_number_is_refused(engine: Engine, register: Registrar, doris: Person) -> None:
    """Typed with spaces this time, it is still the same person: search for them instead."""
    before = counts(engine)
    with pytest.raises(InvalidForm) as caught, db.writing(engine) as session:
        people.register(session, register.actor, register.form(nhs_number=synthetic.spaced(doris.nhs_number)))
    assert "already registered: search for them instead" in caught.value.problems["nhs_number"]
    assert counts(engine) == before


# --- changing -------------------------------------------------------------------------


def update(
    engine: Engine,
    actor: Actor,
    person: Person,
    form: people.PersonChanges,
    version: int | None = None,
    why: str = "Moved house, told by daughter",
) -> bool:
    with db.writing(engine) as session:
        return people.update(
            session,
            actor,
            person.id,
            form,
            expected_version=person.version if version is None else version,
            why=why,
        )


def fetch(engine: Engine, person_id: int) -> Person:
    with db.reading(engine) as session:
        person = session.get(Person, person_id)
        assert person is not None
        return person


def test_update_records_only_what_changed(engine: Engine, doris: Person, actor: Actor, clock: FrozenClock) -> None:
    """The derived search key changes with the postcode, so it is in the entry too; nothing else is."""
    clock.advance(timedelta(hours=2))  # a different moment from the registration
    assert update(engine, actor, doris, people.PersonChanges(address="7 Berry Head Road, Brixham", postcode="TQ5 8XY"))
    after = fetch(engine, doris.id)  # type: ignore[arg-type]
    assert after.version == doris.version + 1
    assert (after.address, after.postcode, after.postcode_key) == ("7 Berry Head Road, Brixham", "TQ5 8XY", "TQ58XY")
    _, entry = person_history(engine, doris.id)  # type: ignore[arg-type]
    assert entry.action == "update" and entry.at == clock.now and entry.why == "Moved house, told by daughter"
    assert entry.before == {"address": "3 Fore Street, Brixham", "postcode": "TQ5 9AB", "postcode_key": "TQ59AB"}
    assert entry.after == {"address": "7 Berry Head Road, Brixham", "postcode": "TQ5 8XY", "postcode_key": "TQ58XY"}


def test_changing_practice_moves_the_person_to_its_zone(engine: Engine, doris: Person, actor: Actor) -> None:
    assert update(engine, actor, doris, people.PersonChanges(practice_id="L99007"), why="Registered with a Paignton GP")
    after = fetch(engine, doris.id)  # type: ignore[arg-type]
    assert (after.practice_id, after.zone_id) == ("L99007", "PGN")
    entry = person_history(engine, doris.id)[-1]  # type: ignore[arg-type]
    assert entry.after == {"practice_id": "L99007", "zone_id": "PGN"}


def test_saving_without_a_change_writes_nothing(engine: Engine, doris: Person, actor: Actor) -> None:
    before = counts(engine)
    assert update(engine, actor, doris, people.PersonChanges(family_name=" Pascoe ", postcode="tq59ab")) is False
    assert counts(engine) == before
    assert fetch(engine, doris.id).version == doris.version  # type: ignore[arg-type]


def test_the_change_form_saved_untouched_changes_nothing(engine: Engine, doris: Person, actor: Actor) -> None:
    """The change form sends every field back as it shows them (spaced NHS number, 23-Nov-1944, national phone)."""
    with db.reading(engine) as session:
        rec = people.record(session, doris.id)  # type: ignore[arg-type]
    assert rec.phone and " " in rec.nhs_display  # the shown forms differ from the stored ones
    shown = people.PersonDetails(
        nhs_number=rec.nhs_display,
        family_name=rec.family_name,
        given_name=rec.given_name,
        date_of_birth=dates.nhs_style(rec.date_of_birth),
        sex=rec.sex,
        address=rec.address,
        postcode=rec.postcode,
        phone=rec.phone,
        practice_id=rec.practice_id,
        lives_alone=rec.lives_alone,
        conditions=rec.conditions,
    )
    before = counts(engine)
    assert update(engine, actor, doris, people.PersonChanges.every_field(shown)) is False
    assert counts(engine) == before
    assert fetch(engine, doris.id).version == doris.version  # type: ignore[arg-type]


def test_changes_name_only_what_they_change(engine: Engine, doris: Person) -> None:
    """Fields left None in PersonChanges keep what is on record; a field given replaces it."""
    on_record = people.PersonDetails.of(fetch(engine, doris.id))  # type: ignore[arg-type]
    assert on_record.given_name != "Dorothy"
    changed = people.PersonChanges(given_name="Dorothy", lives_alone=not on_record.lives_alone).applied_to(on_record)
    assert changed.given_name == "Dorothy" and changed.lives_alone is not on_record.lives_alone
    assert (changed.family_name, changed.nhs_number, changed.date_of_birth) == (
        on_record.family_name,
        on_record.nhs_number,
        on_record.date_of_birth,
    )


def test_update_needs_a_reason(engine: Engine, doris: Person, actor: Actor) -> None:
    with pytest.raises(InvalidForm) as caught:
        update(engine, actor, doris, people.PersonChanges(address="Elsewhere"), why="  ")
    assert "Say why the record is changing" in caught.value.problems["why"]


def test_invalid_update_changes_nothing(engine: Engine, doris: Person, actor: Actor) -> None:
    before = counts(engine)
    with pytest.raises(InvalidForm) as caught:
        update(engine, actor, doris, people.PersonChanges(address="Elsewhere", date_of_birth="01/01/2030"))
    assert list(caught.value.problems) == ["date_of_birth"]
    assert counts(engine) == before
    assert fetch(engine, doris.id).address == "3 Fore Street, Brixham"  # type: ignore[arg-type]


def test_stale_update_is_refused_and_changes_nothing(engine: Engine, doris: Person, actor: Actor) -> None:
    """Desk 2 saved while desk 1 was typing: desk 1's save based on the old version is refused."""
    assert update(engine, Actor(actor.staff_id, "desk-2"), doris, people.PersonChanges(given_name="Dorothy"))
    before = counts(engine)
    with pytest.raises(StaleRecord, match="changed at another desk while you were editing"):
        update(engine, actor, doris, people.PersonChanges(address="7 Berry Head Road, Brixham"), version=doris.version)
    after = fetch(engine, doris.id)  # type: ignore[arg-type]
    assert (after.given_name, after.address, after.version) == ("Dorothy", "3 Fore Street, Brixham", doris.version + 1)
    assert counts(engine) == before


def test_update_of_someone_no_longer_registered(engine: Engine, actor: Actor) -> None:
    with pytest.raises(NotFound), db.writing(engine) as session:
        people.update(session, actor, 424242, people.PersonChanges(address="x"), expected_version=1, why="typo")


# --- contacts -------------------------------------------------------------------------


def test_add_contact(engine: Engine, doris: Person, actor: Actor) -> None:
    with db.writing(engine) as session:
        contact = people.add_contact(
            session,
            actor,
            doris.id,
            people.ContactDetails(
                name=" Jean  Pascoe ",
                relationship="Daughter ",  # type: ignore[arg-type]
                phone="07700 900123",
                is_carer=True,
            ),
        )
    assert (contact.name, contact.relationship, contact.is_carer) == ("Jean Pascoe", "daughter", True)
    assert (contact.phone_e164, contact.phone_raw, contact.phone_valid) == ("+447700900123", "07700 900123", False)
    with db.reading(engine) as session:
        [entry] = session.exec(select(History).where(History.entity == "contact")).all()
    assert (entry.action, entry.person_id, entry.entity_id) == ("create", doris.id, str(contact.id))


def test_contact_without_a_phone_is_fine(engine: Engine, doris: Person, actor: Actor) -> None:
    with db.writing(engine) as session:
        contact = people.add_contact(
            session, actor, doris.id, people.ContactDetails(name="Mr Lee", relationship="neighbour")
        )  # type: ignore[arg-type]
    assert contact.phone_e164 is None and contact.is_carer is False


def test_bad_contact_names_each_problem_and_writes_nothing(engine: Engine, doris: Person, actor: Actor) -> None:
    before = counts(engine)
    with pytest.raises(InvalidForm) as caught, db.writing(engine) as session:
        people.add_contact(session, actor, doris.id, people.ContactDetails(name=" ", relationship="", phone="hello"))  # type: ignore[arg-type]
    assert set(caught.value.problems) == {"name", "relationship", "phone"}
    assert counts(engine) == before


def test_contact_for_someone_not_registered(engine: Engine, actor: Actor) -> None:
    with pytest.raises(InvalidForm) as caught, db.writing(engine) as session:
        people.add_contact(session, actor, 424242, people.ContactDetails(name="Jean", relationship="daughter"))
    assert "no longer on the register" in caught.value.problems["person"]


# --- the record as the screen shows it ------------------------------------------------------


@pytest.fixture
def doris_with_care(
    engine: Engine, doris: Person, actor: Actor, bxm_staff: dict[str, StaffRow], clock: FrozenClock
) -> Person:
    """Doris with a carer, a neighbour, a nurse, a package, a referral, an alert and a hospital stay."""
    nurse, social = bxm_staff["nurse"], bxm_staff["social_worker"]
    with db.writing(engine) as session:
        people.add_contact(
            session,
            actor,
            doris.id,
            people.ContactDetails(
                name="Jean Pascoe",
                relationship="daughter",  # type: ignore[arg-type]
                phone="07700 900123",
                is_carer=True,
            ),
        )
        people.add_contact(
            session,
            actor,
            doris.id,
            people.ContactDetails(name="Alan Lee", relationship="neighbour", phone="01632 960555"),
        )  # type: ignore[arg-type]
        ward = session.exec(
            select(Organisation).where(Organisation.kind == "ward", Organisation.zone_id == "BXM")
        ).one()
        person = session.get(Person, doris.id)
        person.key_worker_id = nurse.id  # type: ignore[union-attr]
        session.add(
            Involvement(person_id=doris.id, staff_id=nurse.id, discipline="nursing", started_on=date(2026, 10, 1))
        )  # type: ignore[arg-type]
        session.add(
            Involvement(
                person_id=doris.id,
                staff_id=social.id,
                discipline="social_work",  # type: ignore[arg-type]
                started_on=date(2026, 1, 1),
                ended_on=date(2026, 3, 1),
            )
        )
        package = CarePackage(person_id=doris.id, started_on=date(2026, 10, 5), review_due=date(2026, 11, 2))  # type: ignore[arg-type]
        session.add(package)
        session.flush()
        session.add(
            CarePackageItem(
                package_id=package.id,
                service="Home care",
                detail="2 visits a day, 1 carer",  # type: ignore[arg-type]
                provider="Bay Care",
                start_date=date(2026, 10, 5),
                weekly_cost_pence=25_000,
            )
        )
        session.add(
            CarePackageItem(
                package_id=package.id,
                service="Meals",
                provider="Bay Meals",  # type: ignore[arg-type]
                start_date=date(2026, 10, 5),
                end_date=date(2026, 11, 1),
                weekly_cost_pence=4_000,
            )
        )
        session.add(
            Referral(
                person_id=doris.id,
                received_at=datetime(2026, 11, 20, 9, tzinfo=UTC),  # type: ignore[arg-type]
                discipline="occupational_therapy",
                reason="Bath transfers",
                urgency="fast",
            )
        )
        session.add(Alert(person_id=doris.id, text="Key safe 1234", raised_at=clock.now))  # type: ignore[arg-type]
        session.add(Alert(person_id=doris.id, text="Old alert", raised_at=clock.now, ended_at=clock.now))  # type: ignore[arg-type]
        session.add(Admission(person_id=doris.id, ward_id=ward.id, admitted_at=clock.now))  # type: ignore[arg-type]
    return doris


def test_record_shows_everything_the_banner_and_panels_need(
    engine: Engine, doris_with_care: Person, bxm_staff: dict[str, StaffRow]
) -> None:
    with db.reading(engine) as session:
        rec = people.record(session, doris_with_care.id)  # type: ignore[arg-type]
    assert rec.banner_name == "PASCOE, Doris"
    assert rec.nhs_display == synthetic.spaced(doris_with_care.nhs_number)
    assert (rec.date_of_birth, rec.age) == (date(1944, 11, 23), 82)  # her birthday, on the frozen day
    assert (rec.phone, rec.phone_valid, rec.lives_alone) == ("01632 960001", False, True)
    assert (rec.practice, rec.practice_phone, rec.zone_name) == (
        "Quayside Medical Practice",
        "0113 496 0113",
        "Brixham",
    )
    assert rec.key_worker == bxm_staff["nurse"].name
    assert rec.contacts == [
        ("Jean Pascoe", "daughter", "07700 900123", True),  # carers first
        ("Alan Lee", "neighbour", "01632 960555", False),
    ]
    assert rec.professionals == [(bxm_staff["nurse"].name, "Nursing", "health")]  # the ended social worker is gone
    assert [(p.service, p.provider) for p in rec.package] == [("Home care", "Bay Care")]  # ended meals are gone
    assert (rec.weekly_cost_pence, rec.package_review_due) == (25_000, date(2026, 11, 2))
    assert rec.referrals == [("Occupational therapy", "fast", "Bath transfers", "20-Nov-2026", "")]  # no clock set
    assert rec.alerts == ["Key safe 1234"]
    assert (rec.in_hospital, rec.in_hospital_since) == ("Brixham Community Hospital, Harbour Ward", date(2026, 11, 23))


def test_record_of_a_newcomer_has_empty_panels(engine: Engine, register: Registrar) -> None:
    person = register(phone="")
    with db.reading(engine) as session:
        rec = people.record(session, person.id)  # type: ignore[arg-type]
    assert (rec.phone, rec.key_worker, rec.in_hospital, rec.in_hospital_since) == ("", "", "", None)
    assert rec.contacts == rec.professionals == rec.package == rec.referrals == rec.alerts == []  # type: ignore[comparison-overlap]
    assert rec.package_review_due is None and rec.weekly_cost_pence == 0


def test_record_of_someone_not_registered(engine: Engine) -> None:
    with pytest.raises(NotFound), db.reading(engine) as session:
        people.record(session, 424242)


@pytest.mark.parametrize(
    ("typed", "key", "shown"), [("tq59ab", "TQ59AB", "TQ5 9AB"), (" TQ1  4AA ", "TQ14AA", "TQ1 4AA")]
)
def test_postcode_forms(typed: str, key: str, shown: str) -> None:
    assert people.postcode_key(typed) == key
    assert people.format_postcode(typed) == shown


def test_phone_last_digits_key() -> None:
    """Reversed national digits: 'ends in 0551' becomes a prefix search an index can answer."""
    assert people.phone_rev("+441174960123") == "32106947110"
    assert people.phone_rev(None) == ""
