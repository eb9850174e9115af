"""Register, change and read people on the register.

Every change goes through here with an :class:`~desk.history.Actor` and a
reason, so the history says who, when, from which desk and why.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date
from typing import Any, NamedTuple, TypeVar

from sqlmodel import Session, col, select

from desk import clock, dates, history, names, nhs, phones
from desk.errors import InvalidForm, InvalidInput, NotFound
from desk.history import Actor
from desk.models import (
    Admission,
    Alert,
    Call,
    CarePackage,
    CarePackageItem,
    Contact,
    Involvement,
    Organisation,
    Person,
    Practice,
    Referral,
    Staff,
    Zone,
    saved_id,
)
from desk.packages import targets
from desk.packages.targets import Waiting
from desk.services import caseload
from desk.services.timeline import due_text
from desk.vocabulary import CALL_REASONS, DISCIPLINES, SEXES

_T = TypeVar("_T")

POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


@dataclass(frozen=True)
class PersonDetails:
    """A person's details as typed on the register or change form, not yet checked.

    Text as typed (a date of birth may also be a :class:`~datetime.date`, as on
    record); :func:`validate_person` turns it into :class:`PersonValues` or says,
    field by field, what is wrong.
    """

    nhs_number: str = ""
    family_name: str = ""
    given_name: str = ""
    date_of_birth: str | date = ""
    sex: str = ""
    address: str = ""
    postcode: str = ""
    phone: str = ""
    practice_id: str = ""
    lives_alone: bool = False
    conditions: str = ""

    @classmethod
    def of(cls, person: Person) -> PersonDetails:
        """The form as it would be filled from what is on record."""
        return cls(
            nhs_number=person.nhs_number,
            family_name=person.family_name,
            given_name=person.given_name,
            date_of_birth=person.date_of_birth,
            sex=person.sex,
            address=person.address,
            postcode=person.postcode,
            phone=person.phone_raw or phones.national(person.phone_e164),
            practice_id=person.practice_id,
            lives_alone=person.lives_alone,
            conditions=person.conditions,
        )


@dataclass(frozen=True)
class PersonChanges:
    """The fields of a person's details being changed; None leaves a field as it is on record."""

    nhs_number: str | None = None
    family_name: str | None = None
    given_name: str | None = None
    date_of_birth: str | date | None = None
    sex: str | None = None
    address: str | None = None
    postcode: str | None = None
    phone: str | None = None
    practice_id: str | None = None
    lives_alone: bool | None = None
    conditions: str | None = None

    @classmethod
    def every_field(cls, form: PersonDetails) -> PersonChanges:
        """Every field of a whole form (the change form sends them all, changed or not)."""
        return cls(**asdict(form))

    def applied_to(self, form: PersonDetails) -> PersonDetails:
        """``form`` with these changes laid over it."""
        given = {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}
        return replace(form, **given)


@dataclass(frozen=True)
class PersonValues:
    """A checked person form: the person's columns as they are stored, search keys included."""

    nhs_number: str
    family_name: str
    given_name: str
    date_of_birth: date
    sex: str
    address: str
    postcode: str
    phone_e164: str | None
    phone_raw: str
    phone_valid: bool
    practice_id: str
    zone_id: str
    lives_alone: bool
    conditions: str
    family_key: str
    given_key: str
    postcode_key: str
    phone_rev: str

    def columns(self) -> dict[str, Any]:
        """Column name to value, for the record and its history entry."""
        return asdict(self)


def postcode_key(postcode: str) -> str:
    """Upper case without spaces: how postcodes are searched."""
    return re.sub(r"\s+", "", postcode or "").upper()


def format_postcode(text: str) -> str:
    """``tq59ab`` to ``TQ5 9AB``."""
    k = postcode_key(text)
    return f"{k[:-3]} {k[-3:]}" if len(k) > 3 else k


def phone_rev(e164: str | None) -> str:
    """National digits reversed, so 'last digits' is a prefix search on an index."""
    if not e164:
        return ""
    digits = re.sub(r"\D", "", phones.national(e164))
    return digits[::-1]


def validate_person(session: Session, form: PersonDetails, *, person_id: int | None = None) -> PersonValues:
    """Check a person form; return the columns to store or raise :class:`InvalidForm` with every problem.

    Each message is keyed by the form field it is about, so the form shows it
    beside that field and keeps what was typed.
    """
    problems: dict[str, str] = {}

    def attempt(name: str, check: Callable[[], _T]) -> _T | None:
        try:
            return check()
        except InvalidInput as exc:
            problems[exc.field if exc.field else name] = exc.message
            return None

    def _nhs() -> str:
        number = nhs.clean(form.nhs_number)
        other = session.exec(select(Person.id).where(Person.nhs_number == number)).first()
        if other is not None and other != person_id:
            raise InvalidInput(
                "nhs_number", f"NHS number {nhs.display(number)} is already registered: search for them instead."
            )
        return number

    def _name(key: str, label: str, text: str) -> str:
        value = " ".join(text.split())
        if not value:
            raise InvalidInput(key, f"{label} is required.")
        return value

    def _postcode() -> str:
        text = form.postcode.strip()
        if text and not POSTCODE.match(format_postcode(text)):
            raise InvalidInput("postcode", f"'{text}' is not a UK postcode: type it as TQ5 9AB.")
        return format_postcode(text) if text else ""

    def _phone() -> phones.Phone | None:
        text = form.phone.strip()
        return phones.parse(text, "phone") if text else None

    def _practice() -> Practice:
        code = (form.practice_id or "").strip().upper()
        if not code:
            raise InvalidInput("practice_id", "GP practice is required: it decides the person's zone.")
        practice = session.get(Practice, code)
        if practice is None:
            raise InvalidInput("practice_id", f"No GP practice with code {code}.")
        return practice

    number = attempt("nhs_number", _nhs)
    family_name = attempt("family_name", lambda: _name("family_name", "Family name", form.family_name))
    given_name = attempt("given_name", lambda: _name("given_name", "Given name", form.given_name))
    dob = attempt("date_of_birth", lambda: dates.date_of_birth(form.date_of_birth))
    postcode = attempt("postcode", _postcode)
    phone = attempt("phone", _phone)
    practice = attempt("practice_id", _practice)
    sex = form.sex or ""
    if sex and sex not in SEXES:
        problems["sex"] = f"Sex must be one of: {', '.join(SEXES)}."
    if problems:
        raise InvalidForm(problems)
    assert number is not None and family_name is not None and given_name is not None
    assert dob is not None and postcode is not None and practice is not None
    phone_e164 = phone.e164 if phone else None
    return PersonValues(
        nhs_number=number,
        family_name=family_name,
        given_name=given_name,
        date_of_birth=dob,
        sex=sex,
        address=" ".join((form.address or "").split()),
        postcode=postcode,
        phone_e164=phone_e164,
        phone_raw=phone.raw if phone else "",
        phone_valid=phone.valid if phone else True,
        practice_id=practice.ods_code,
        zone_id=practice.zone_id,
        lives_alone=bool(form.lives_alone),
        conditions=(form.conditions or "").strip(),
        family_key=names.key(family_name),
        given_key=names.key(given_name),
        postcode_key=postcode_key(postcode),
        phone_rev=phone_rev(phone_e164),
    )


def register(session: Session, actor: Actor, form: PersonDetails, why: str = "Registered at the desk") -> Person:
    """Register a new person; their zone comes from their GP practice."""
    values = validate_person(session, form)
    person = Person(**values.columns(), created_at=clock.now())
    history.create(session, actor, person, why)
    caseload.refresh(session, saved_id(person.id))
    return person


def update(
    session: Session, actor: Actor, person_id: int, changes: PersonChanges, *, expected_version: int, why: str
) -> bool:
    """Change a person's details; refused if another desk saved them since ``expected_version``.

    Returns False, writing nothing, when the changes leave the record as it was.
    """
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("That person is no longer on the register.")
    if not why.strip():
        raise InvalidForm({"why": "Say why the record is changing (e.g. 'moved house, told by daughter')."})
    values = validate_person(session, changes.applied_to(PersonDetails.of(person)), person_id=person_id)
    changed = history.change(
        session,
        actor,
        person,
        values.columns(),
        expected_version=expected_version,
        why=why,
        person_id=person_id,
        label="person's record",
    )
    if changed:
        caseload.refresh(session, person_id)
    return changed


@dataclass(frozen=True)
class ContactDetails:
    """A carer, relative or neighbour as typed on the contact form, not yet checked."""

    name: str = ""
    relationship: str = ""
    phone: str = ""
    is_carer: bool = False


def add_contact(
    session: Session,
    actor: Actor,
    person_id: int,
    details: ContactDetails,
    why: str = "Contact added at the desk",
) -> Contact:
    """Add a carer, relative or neighbour, with the number they ring from.

    Refused with :class:`InvalidForm`, a message per field, when something is missing or wrong.
    """
    problems: dict[str, str] = {}
    name, relationship, phone = details.name, details.relationship, details.phone
    if not name.strip():
        problems["name"] = "Contact's name is required."
    if not relationship.strip():
        problems["relationship"] = "Say who they are to the person (daughter, neighbour, ...)."
    ph = None
    if phone.strip():
        try:
            ph = phones.parse(phone, "phone")
        except InvalidInput as exc:
            problems["phone"] = exc.message
    if session.get(Person, person_id) is None:
        problems["person"] = "That person is no longer on the register."
    if problems:
        raise InvalidForm(problems)
    contact = Contact(
        person_id=person_id,
        name=" ".join(name.split()),
        relationship=relationship.strip().lower(),
        is_carer=details.is_carer,
        phone_e164=ph.e164 if ph else None,
        phone_raw=ph.raw if ph else "",
        phone_valid=ph.valid if ph else True,
    )
    history.create(session, actor, contact, why, person_id=person_id)
    return contact


# --- the record as the screen shows it ---------------------------------------


@dataclass(frozen=True)
class PackageLine:
    """One service of a person's active care package."""

    service: str
    detail: str
    provider: str
    start_date: date
    weekly_cost_pence: int


class ContactLine(NamedTuple):
    """A carer, relative or neighbour as the record lists them."""

    name: str
    relationship: str
    phone: str
    is_carer: bool


class ProfessionalLine(NamedTuple):
    """Someone involved in the person's care now, and on which side."""

    name: str
    discipline: str
    side: str


class ReferralLine(NamedTuple):
    """An open referral as the record lists it."""

    discipline: str
    urgency: str  # the response triage gave (crisis, rapid, fast, normal)
    reason: str
    received: str
    due: str = ""  # when it is due, with the time where the clock is hours (desk.services.timeline.due_text)


@dataclass
class PersonRecord:
    """Everything the person screen shows above the timeline."""

    id: int
    version: int
    nhs_number: str
    family_name: str
    given_name: str
    date_of_birth: date
    age: int
    sex: str
    address: str
    postcode: str
    phone: str
    phone_valid: bool
    practice: str
    practice_id: str
    practice_phone: str
    zone_id: str
    zone_name: str
    lives_alone: bool
    conditions: str
    key_worker: str
    contacts: list[ContactLine] = field(default_factory=list)
    professionals: list[ProfessionalLine] = field(default_factory=list)
    package: list[PackageLine] = field(default_factory=list)
    package_review_due: date | None = None
    waiting: list[Waiting] = field(default_factory=list)
    """Packages and equipment not yet available, against their 28- and 7-day targets (desk.packages.targets)."""
    referrals: list[ReferralLine] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    in_hospital: str = ""  # ward name when admitted
    in_hospital_since: date | None = None
    """The UK local day of the admission, while in hospital."""
    last_calls: list[str] = field(default_factory=list)  # the latest finished calls, one line each

    @property
    def banner_name(self) -> str:
        """``PASCOE, Doris``: the banner's form of the name."""
        return f"{self.family_name.upper()}, {self.given_name}"

    @property
    def nhs_display(self) -> str:
        """The NHS number spaced 3-3-4."""
        return nhs.display(self.nhs_number)

    @property
    def weekly_cost_pence(self) -> int:
        """What the active package costs a week, in pence."""
        return sum(p.weekly_cost_pence for p in self.package)


def record(session: Session, person_id: int) -> PersonRecord:
    """A person's whole record for the screen, as plain data."""
    p = session.get(Person, person_id)
    if p is None:
        raise NotFound("That person is no longer on the register.")
    practice = session.get(Practice, p.practice_id)
    zone = session.get(Zone, p.zone_id)
    kw = session.get(Staff, p.key_worker_id) if p.key_worker_id else None
    rec = PersonRecord(
        id=person_id,
        version=p.version,
        nhs_number=p.nhs_number,
        family_name=p.family_name,
        given_name=p.given_name,
        date_of_birth=p.date_of_birth,
        age=clock.age_on(p.date_of_birth, clock.today()),
        sex=p.sex,
        address=p.address,
        postcode=p.postcode,
        phone=phones.national(p.phone_e164),
        phone_valid=p.phone_valid,
        practice=practice.name if practice else p.practice_id,
        practice_id=p.practice_id,
        practice_phone=phones.national(practice.phone_e164) if practice else "",
        zone_id=p.zone_id,
        zone_name=zone.name if zone else p.zone_id,
        lives_alone=p.lives_alone,
        conditions=p.conditions,
        key_worker=f"{kw.name}" if kw else "",
    )
    for contact in session.exec(
        select(Contact).where(Contact.person_id == person_id).order_by(col(Contact.is_carer).desc(), col(Contact.name))
    ):
        rec.contacts.append(
            ContactLine(contact.name, contact.relationship, phones.national(contact.phone_e164), contact.is_carer)
        )
    rows = session.exec(
        select(Involvement, Staff)
        .join(Staff, col(Staff.id) == col(Involvement.staff_id))
        .where(Involvement.person_id == person_id, col(Involvement.ended_on).is_(None))
    )
    for inv, staff in rows:
        label, side = DISCIPLINES.get(inv.discipline, (inv.discipline, ""))
        rec.professionals.append(ProfessionalLine(staff.name, label, side))
    pkg = session.exec(
        select(CarePackage)
        .where(CarePackage.person_id == person_id, CarePackage.status == "active")
        .order_by(col(CarePackage.started_on).desc())
    ).first()
    if pkg is not None:
        rec.package_review_due = pkg.review_due
        for it in session.exec(
            select(CarePackageItem).where(CarePackageItem.package_id == pkg.id, col(CarePackageItem.end_date).is_(None))
        ):
            rec.package.append(PackageLine(it.service, it.detail, it.provider, it.start_date, it.weekly_cost_pence))
    rec.waiting = targets.for_person(session, person_id)
    for r in session.exec(
        select(Referral)
        .where(Referral.person_id == person_id, Referral.status == "open")
        .order_by(col(Referral.received_at))
    ):
        response = r.response if r.lead else r.urgency  # a referral triaged at the desk has its lead and response
        rec.referrals.append(
            ReferralLine(
                DISCIPLINES.get(r.discipline, (r.discipline, ""))[0],
                response,
                r.reason,
                dates.nhs_style(clock.local(r.received_at).date()),
                due_text(r.due_at, response) if r.due_at else "",
            )
        )
    rec.alerts = [
        a.text for a in session.exec(select(Alert).where(Alert.person_id == person_id, col(Alert.ended_at).is_(None)))
    ]
    adm = session.exec(
        select(Admission, Organisation)
        .join(Organisation, col(Organisation.id) == col(Admission.ward_id))
        .where(Admission.person_id == person_id, col(Admission.discharged_at).is_(None))
    ).first()
    if adm is not None:
        rec.in_hospital = adm[1].name
        rec.in_hospital_since = clock.local(adm[0].admitted_at).date()
    for call in session.exec(
        select(Call)
        .where(Call.person_id == person_id, Call.status == "finished")
        .order_by(col(Call.started_at).desc())
        .limit(2)
    ):
        day = dates.nhs_style(clock.local(call.started_at).date())
        rec.last_calls.append(f"{day}: {CALL_REASONS.get(call.reason, call.reason)} - {call.outcome}")
    return rec
