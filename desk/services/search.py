"""Find the person a call is about, from whatever the caller can tell us.

One box takes a name ("smith", "smith jo", "Jo Smith", "Smith, Jo"), an NHS
number with or without spaces (whole or its first digits), a date of birth
(23/11/1944), a postcode (TQ5 9AB or just TQ5) or a phone number (whole, or
its last digits). Each kind goes to an index; nothing scans the register.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from desk import clock, dates, nhs, phones
from desk.models import Contact, Person, Practice

POSTCODE_START = re.compile(r"^[A-Za-z]{1,2}\d[A-Za-z\d]?(\s*\d[A-Za-z]{0,2})?$")
DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class PersonHit:
    """A search result row."""

    person_id: int
    family_name: str
    given_name: str
    nhs_number: str
    date_of_birth: date
    postcode: str
    practice: str
    zone_id: str
    phone_e164: str | None

    @property
    def name(self) -> str:
        return f"{self.family_name.upper()}, {self.given_name}"

    @property
    def nhs_display(self) -> str:
        return nhs.display(self.nhs_number)

    @property
    def age(self) -> int:
        return clock.age_on(self.date_of_birth, clock.today())

    @property
    def phone(self) -> str:
        return phones.national(self.phone_e164)


def classify(query: str) -> str:
    """Which kind of search the text asks for: nhs, phone, digits, date, postcode, name or empty."""
    q = query.strip()
    if not q:
        return "empty"
    compact = re.sub(r"[\s\-()]", "", q)
    if dates.parse(q) is not None and not compact.isdigit():
        return "date"
    if compact.startswith("+") or (compact.isdigit() and compact.startswith("0") and len(compact) >= 10):
        return "phone"
    if compact.isdigit():
        if len(compact) == 10 and nhs.is_valid(compact):
            return "nhs"
        if len(compact) == 8 and dates.parse(q) is not None:
            return "date"
        return "digits"
    if POSTCODE_START.match(q):
        return "postcode"
    return "name"


_COLUMNS = (
    Person.id, Person.family_name, Person.given_name, Person.nhs_number, Person.date_of_birth,
    Person.postcode, Practice.name, Person.zone_id, Person.phone_e164,
)


def _base():  # type: ignore[no-untyped-def]
    return select(*_COLUMNS).join(Practice, Practice.ods_code == Person.practice_id)


def _name_condition(text: str):  # type: ignore[no-untyped-def]
    tokens = [t for t in re.split(r"[\s,]+", text.lower()) if t]
    if len(tokens) == 1:
        return col(Person.family_key).startswith(tokens[0])
    first, rest = tokens[0], " ".join(tokens[1:])
    if "," in text:  # "Smith, Jo": family first, for certain
        return and_(col(Person.family_key).startswith(first), col(Person.given_key).startswith(rest))
    last, lead = tokens[-1], " ".join(tokens[:-1])
    return or_(
        and_(col(Person.family_key).startswith(first), col(Person.given_key).startswith(rest)),
        and_(col(Person.family_key).startswith(last), col(Person.given_key).startswith(lead)),
    )


def search(session: Session, query: str, *, limit: int = DEFAULT_LIMIT, zone_id: str | None = None) -> list[PersonHit]:
    """People matching the query, best first; an empty query finds nobody."""
    kind = classify(query)
    if kind == "empty":
        return []
    q = query.strip()
    compact = re.sub(r"[\s\-()]", "", q)
    order = (Person.family_key, Person.given_key, Person.id)
    if kind == "nhs":
        stmt = _base().where(Person.nhs_number == compact)
    elif kind == "phone":
        phone = phones.try_parse(q)
        if phone is None:
            return []
        carers = select(Contact.person_id).where(Contact.phone_e164 == phone.e164)
        stmt = _base().where(or_(Person.phone_e164 == phone.e164, col(Person.id).in_(carers)))
    elif kind == "digits":
        conds = [col(Person.nhs_number).startswith(compact)]
        if len(compact) >= 3:
            conds.append(col(Person.phone_rev).startswith(compact[::-1]))
        stmt = _base().where(or_(*conds))
        order = (Person.nhs_number, Person.id)  # type: ignore[assignment]
    elif kind == "date":
        stmt = _base().where(Person.date_of_birth == dates.parse(q))
    elif kind == "postcode":
        stmt = _base().where(col(Person.postcode_key).startswith(re.sub(r"\s+", "", q).upper()))
    else:
        stmt = _base().where(_name_condition(q))
    if zone_id:
        stmt = stmt.where(Person.zone_id == zone_id)
    rows = session.exec(stmt.order_by(*order).limit(limit)).all()
    return [PersonHit(*r) for r in rows]
