"""Who is ringing? Recognise a caller from the number the phone shows.

A number can belong to several records at once (a couple's landline, a
daughter who cares for both parents), so the answer is a list of matches,
best first: the person themselves, then carers and relatives (with whom they
care for), then GP practices, wards, care homes, and the zone's own staff.
When there is more than one, the desk never picks for the co-ordinator: it
shows them all and asks who is on the line.

A short number (999, 112, 111) is a service ringing, the ambulance service or
NHS 111, and is never matched to a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlmodel import Session

from desk import nhs, phones
from desk.errors import InvalidInput
from desk.models import Person
from desk.vocabulary import ORG_KINDS, ROLES


@dataclass(frozen=True)
class CallerMatch:
    """One record the number belongs to."""

    # person | carer | relative | practice | ward | care_home | ambulance | other | staff,
    # or for a short number: emergency | nhs_111 | service
    kind: str
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
    warning: str | None = None  # possible but unassigned

    @property
    def known(self) -> bool:
        """The number is on record (or is a service such as 999)."""
        return bool(self.matches)

    @property
    def shared(self) -> bool:
        """More than one record holds the number: the co-ordinator must choose who is ringing."""
        return len(self.matches) > 1

    @property
    def headline(self) -> str:
        """What the co-ordinator reads first."""
        if self.problem:
            return self.problem
        if not self.matches:
            return f"Unknown number {phones.national(self.e164) or self.raw}: not on the register."
        if self.shared:
            names = "; ".join(m.name for m in self.matches)
            return f"Shared number, {len(self.matches)} on record: {names}. Ask who is calling."
        return self.matches[0].summary


def _person_name(p: Person) -> str:
    return f"{p.given_name} {p.family_name.upper()}"


def recognise(session: Session, raw: str) -> Recognition:
    """Everything the number is known as.

    The rule for what a caller's number may be is :func:`desk.phones.caller`,
    the same one that starts a call, so the hint and the refusal agree.
    """
    raw = (raw or "").strip()
    if not raw:
        return Recognition(raw="", e164=None, problem="No number: the caller withheld it.")
    try:
        number = phones.caller(raw)
    except InvalidInput as exc:
        return Recognition(raw=raw, e164=None, problem=exc.message)
    if isinstance(number, phones.ServiceNumber):
        return Recognition(raw=raw, e164=None, matches=[service_match(number)])
    found = matches_for(session, number.e164)
    # A number already on our records needs no "is it real?" warning.
    return Recognition(raw=raw, e164=number.e164, matches=found, warning=None if found else number.warning)


def service_match(number: phones.ServiceNumber) -> CallerMatch:
    """A short number as a caller: the service, about nobody in particular."""
    return CallerMatch(number.kind, number.summary)


_MATCHES = text(
    # One round trip: each table's index look-up, in a single UNION ALL. Written out once (not
    # built per call): building it took a millisecond of the five a ringing phone allows.
    "SELECT 0 AS rank, person.id AS id, NULL AS code, person.given_name AS a, person.family_name AS b,"
    " person.nhs_number AS c, NULL AS d, NULL AS flag, person.id AS person_id"
    " FROM person WHERE person.phone_e164 = :e164"
    " UNION ALL SELECT 1, contact.id, NULL, person.given_name, person.family_name, contact.name,"
    " contact.relationship, contact.is_carer, contact.person_id"
    " FROM contact JOIN person ON person.id = contact.person_id WHERE contact.phone_e164 = :e164"
    " UNION ALL SELECT 2, NULL, practice.ods_code, practice.name, NULL, NULL, NULL, NULL, NULL"
    " FROM practice WHERE practice.phone_e164 = :e164"
    " UNION ALL SELECT 3, organisation.id, NULL, organisation.name, organisation.kind, NULL, NULL, NULL, NULL"
    " FROM organisation WHERE organisation.phone_e164 = :e164"
    " UNION ALL SELECT 4, staff.id, NULL, staff.name, staff.role, NULL, NULL, NULL, NULL"
    " FROM staff WHERE staff.phone_e164 = :e164"
    " ORDER BY rank, id"
)


def matches_for(session: Session, e164: str) -> list[CallerMatch]:
    """Every record holding this E.164 number, best first.

    One round trip (see ``_MATCHES``), so a shared PostgreSQL answers within
    the 5 ms the ringing screen allows.
    """
    rows = session.execute(_MATCHES, {"e164": e164}).all()
    out: list[CallerMatch] = []
    for rank, id_, code, a, b, c, d, flag, person_id in rows:
        if rank == 0:
            out.append(CallerMatch("person", f"{a} {b.upper()}", f"NHS {nhs.display(c)}", person_id=id_))
        elif rank == 1:
            role = "Carer" if flag else d.capitalize() or "Contact"
            out.append(
                CallerMatch(
                    "carer" if flag else "relative",
                    f"{role} of {a} {b.upper()}",
                    f"{c} ({d})",
                    person_id=person_id,
                    contact_id=id_,
                )
            )
        elif rank == 2:
            out.append(CallerMatch("practice", a, f"GP practice {code}", practice_id=code))
        elif rank == 3:
            out.append(CallerMatch(b, a, ORG_KINDS.get(b, b), org_id=id_))
        else:
            out.append(CallerMatch("staff", a, ROLES.get(b, b), staff_id=id_))
    return out
