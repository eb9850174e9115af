"""Who is ringing? Recognise a caller from the number the phone shows.

A number can belong to several records at once (a couple's landline, a
daughter who cares for both parents), so the answer is a list of matches,
best first: the person themselves, then carers and relatives (with whom they
care for), then GP practices, wards, care homes, and the zone's own staff.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import phonenumbers
from phonenumbers import shortnumberinfo
from sqlalchemy import literal, null, text, union_all
from sqlmodel import Session, select

from desk import nhs, phones
from desk.models import ORG_KINDS, ROLES, Contact, Organisation, Person, Practice, Staff


@dataclass(frozen=True)
class CallerMatch:
    """One record the number belongs to."""

    kind: str  # person | carer | relative | practice | ward | care_home | ambulance | other | staff
    name: str
    detail: str = ""
    person_id: int | None = None  # the person the caller is, or cares for
    contact_id: int | None = None
    practice_id: str | None = None
    org_id: int | None = None
    staff_id: int | None = None

    @property
    def summary(self) -> str:
        """One line for the call screen: 'Carer of Doris PASCOE: Jean Pascoe (daughter)'."""
        return f"{self.name}: {self.detail}" if self.detail else self.name


@dataclass(frozen=True)
class Recognition:
    """What the desk knows about a number."""

    raw: str
    e164: str | None
    matches: list[CallerMatch] = field(default_factory=list)
    problem: str | None = None  # why the number could not be read
    warning: str | None = None  # possible but unassigned, or a short code

    @property
    def known(self) -> bool:
        return bool(self.matches)

    @property
    def headline(self) -> str:
        """What the co-ordinator reads first."""
        if self.problem:
            return self.problem
        if not self.matches:
            return f"Unknown number {phones.national(self.e164) or self.raw}: not on the register."
        first = self.matches[0].summary
        more = len(self.matches) - 1
        return first + (f" (and {more} more)" if more else "")


def _person_name(p: Person) -> str:
    return f"{p.given_name} {p.family_name.upper()}"


def recognise(session: Session, raw: str) -> Recognition:
    """Everything the number is known as; the number itself is never refused here."""
    raw = (raw or "").strip()
    if not raw:
        return Recognition(raw="", e164=None, problem="No number: the caller withheld it.")
    try:
        number = phonenumbers.parse(raw, phones.REGION)
    except phonenumbers.NumberParseException:
        return Recognition(raw=raw, e164=None, problem=f"'{raw}' is not a phone number.")
    if shortnumberinfo.is_valid_short_number(number):
        return Recognition(
            raw=raw, e164=None,
            warning=f"{raw} is a short service number (such as 999 or 111), not a caller's line.",
        )
    try:
        phone = phones.parse(raw)
    except Exception as exc:  # InvalidInput
        return Recognition(raw=raw, e164=None, problem=getattr(exc, "message", str(exc)))
    found = matches_for(session, phone.e164)
    # A number already on our records needs no "is it real?" warning.
    return Recognition(raw=raw, e164=phone.e164, matches=found, warning=None if found else phone.warning)


def matches_for(session: Session, e164: str) -> list[CallerMatch]:
    """Every record holding this E.164 number, best first.

    One round trip: each table's index look-up in a single UNION ALL, so a
    shared PostgreSQL answers within the 5 ms the ringing screen allows.
    """
    n = null()
    rows = session.execute(union_all(
        select(literal(0).label("rank"), Person.id.label("id"), n.label("code"), Person.given_name.label("a"),
               Person.family_name.label("b"), Person.nhs_number.label("c"), n.label("d"), n.label("flag"),
               Person.id.label("person_id"))
        .where(Person.phone_e164 == e164),
        select(literal(1), Contact.id, n, Person.given_name, Person.family_name, Contact.name, Contact.relationship,
               Contact.is_carer, Contact.person_id)
        .join(Person, Person.id == Contact.person_id).where(Contact.phone_e164 == e164),
        select(literal(2), n, Practice.ods_code, Practice.name, n, n, n, n, n).where(Practice.phone_e164 == e164),
        select(literal(3), Organisation.id, n, Organisation.name, Organisation.kind, n, n, n, n)
        .where(Organisation.phone_e164 == e164),
        select(literal(4), Staff.id, n, Staff.name, Staff.role, n, n, n, n).where(Staff.phone_e164 == e164),
    ).order_by(text("rank"), text("id"))).all()
    out: list[CallerMatch] = []
    for rank, id_, code, a, b, c, d, flag, person_id in rows:
        if rank == 0:
            out.append(CallerMatch("person", f"{a} {b.upper()}", f"NHS {nhs.display(c)}", person_id=id_))
        elif rank == 1:
            role = "Carer" if flag else d.capitalize() or "Contact"
            out.append(CallerMatch("carer" if flag else "relative", f"{role} of {a} {b.upper()}", f"{c} ({d})",
                                   person_id=person_id, contact_id=id_))
        elif rank == 2:
            out.append(CallerMatch("practice", a, f"GP practice {code}", practice_id=code))
        elif rank == 3:
            out.append(CallerMatch(b, a, ORG_KINDS.get(b, b), org_id=id_))
        else:
            out.append(CallerMatch("staff", a, ROLES.get(b, b), staff_id=id_))
    return out
