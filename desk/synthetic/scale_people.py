"""The trust-scale seed's person and contact rows, and each registration's history entry."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from desk import names
from desk.synthetic import rules
from desk.synthetic.drama import DramaNumber
from desk.synthetic.scale_context import SEED_DESK, ScaleContext
from desk.synthetic.scale_phones import Contacts, Phones
from desk.synthetic.scale_register import Caseload, KeyWorkers, NhsNumbers, Register, place


@dataclass
class Registered:
    """When each person's record was made (their registration's history entry is at that time)."""

    created: list[datetime]


PERSON_COLUMNS = (
    "id",
    "nhs_number",
    "family_name",
    "given_name",
    "family_key",
    "given_key",
    "date_of_birth",
    "sex",
    "address",
    "postcode",
    "postcode_key",
    "phone_e164",
    "phone_raw",
    "phone_valid",
    "phone_rev",
    "practice_id",
    "zone_id",
    "lives_alone",
    "conditions",
    "key_worker_id",
    "created_at",
    "version",
)
HISTORY_COLUMNS = ("id", "at", "staff_id", "desk", "entity", "entity_id", "person_id", "action", "why")


def write_people(ctx: ScaleContext) -> Registered:
    """The person rows (conditions, living alone and when registered decided here) and their history."""
    register, phones = ctx.records.get(Register), ctx.records.get(Phones)
    created = [ctx.now] * len(register)
    ctx.write("people", "person", PERSON_COLUMNS, _person_rows(ctx, register, phones, created))
    ctx.progress("people", len(register), len(register))
    entries = (rules.registered(k + 1, created[k], SEED_DESK) for k in range(len(register)))
    rows = ((i, ctx.sink.ts(e.at), *e[1:]) for i, e in enumerate(entries, start=1))
    ctx.write("history", "history", HISTORY_COLUMNS, rows)
    return Registered(created)


def _person_rows(
    ctx: ScaleContext, register: Register, phones: Phones, created: list[datetime]
) -> Iterator[tuple[Any, ...]]:
    rng, sink, words = ctx.rng, ctx.sink, ctx.words
    numbers, key_workers = ctx.records.get(NhsNumbers).numbers, ctx.records.get(KeyWorkers).staff
    on_caseload, homes = ctx.records.get(Caseload).on, register.households
    conditions = [(name, weight / 100) for name, weight in words.conditions.items()]
    for k in range(len(register)):
        fam, given = words.family_names[register.family[k]], register.given_names[register.given[k]]
        hh, zone = register.household[k], register.zone[k]
        where = place(ctx, zone)
        postcode = register.postcodes[zone][homes.postcode[hh]]
        phone = phones.of_person(register, k)
        age = register.age[k]
        has = ""
        if age >= 50:
            boost = 1.8 if on_caseload[k] else (1.0 if age >= 65 else 0.4)
            has = ", ".join(c for c, p in conditions if rng.random() < p * boost)
        lives_alone = len(homes.members[hh]) == 1 and age >= 65 and rng.random() < 0.6
        created[k] = ctx.now - timedelta(days=rng.randrange(30, 3650), seconds=rng.randrange(86400))
        yield (
            k + 1,
            numbers[k],
            fam,
            given,
            names.key(fam),
            names.key(given),
            sink.day(date.fromordinal(register.dob[k])),
            "Male" if register.sex[k] else "Female",
            f"{homes.number[hh]} {where.streets[homes.street[hh]]}, {where.town}",
            postcode,
            postcode.replace(" ", ""),
            phone.e164 if phone else None,
            phone.raw if phone else "",
            sink.flag(phone.valid if phone else True),
            phone.rev if phone else "",
            ctx.practices[register.practice[k]].ods_code,
            zone,
            sink.flag(lives_alone),
            has,
            key_workers[k] or None,
            sink.ts(created[k]),
            1,
        )
        if (k + 1) % 20_000 == 0:
            ctx.progress("people", k + 1, len(register))


CONTACT_COLUMNS = (
    "id",
    "person_id",
    "name",
    "relationship",
    "is_carer",
    "phone_e164",
    "phone_raw",
    "phone_valid",
    "version",
)


def write_contacts(ctx: ScaleContext) -> None:
    """The contact rows, each with the number the phone stage gave them."""
    sink, phones = ctx.sink, ctx.records.get(Phones)
    rows = (
        (
            i + 1,
            c.person + 1,
            c.name,
            c.relationship,
            sink.flag(c.is_carer),
            *_phone_columns(ctx, phones.of_contact(i)),
            1,
        )
        for i, c in enumerate(ctx.records.get(Contacts).items)
    )
    ctx.write("contacts", "contact", CONTACT_COLUMNS, rows)


def _phone_columns(ctx: ScaleContext, number: DramaNumber | None) -> tuple[Any, ...]:
    if number is None:
        return (None, "", ctx.sink.flag(True))
    return (number.e164, number.raw, ctx.sink.flag(number.valid))


@dataclass
class Busiest:
    """The person with the longest history (a frequent caller on the caseload with a carer), if anyone."""

    person: int | None

    @property
    def person_id(self) -> int:
        """Their id, or 0 when the register is too small to have one."""
        return 0 if self.person is None else self.person + 1


def choose_busiest(ctx: ScaleContext) -> Busiest:
    """The first on the caseload aged 75 or more with a phone and a carer or relative who has one too."""
    register, phones = ctx.records.get(Register), ctx.records.get(Phones)
    caseload, contacts = ctx.records.get(Caseload).people, ctx.records.get(Contacts)
    for k in caseload:
        numbered = any(phones.contact[ci] >= 0 for ci in contacts.of_person.get(k, ()))
        if register.age[k] >= 75 and phones.of_person(register, k) is not None and numbered:
            return Busiest(k)
    return Busiest(caseload[0] if caseload else None)
