"""Register, change and read people on the register.

Every change goes through here with an :class:`~desk.history.Actor` and a
reason, so the history says who, when, from which desk and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from desk import clock, dates, history, names, nhs, phones
from desk.errors import InvalidForm, InvalidInput, NotFound
from desk.history import Actor
from desk.models import (
    CALL_REASONS,
    DISCIPLINES,
    SEXES,
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
)
from desk.services import caseload

POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")

PERSON_FIELDS = (
    "nhs_number",
    "family_name",
    "given_name",
    "date_of_birth",
    "sex",
    "address",
    "postcode",
    "phone",
    "practice_id",
    "lives_alone",
    "conditions",
)


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


def validate_person(session: Session, form: dict[str, Any], *, person_id: int | None = None) -> dict[str, Any]:
    """Check a person form; return clean column values or raise :class:`InvalidForm` with every problem."""
    problems: dict[str, str] = {}
    clean: dict[str, Any] = {}

    def attempt(name: str, fn: Any) -> None:
        try:
            fn()
        except InvalidInput as exc:
            problems[exc.field if exc.field else name] = exc.message

    def _nhs() -> None:
        number = nhs.clean(str(form.get("nhs_number", "")))
        q = select(Person.id).where(Person.nhs_number == number)
        other = session.exec(q).first()
        if other is not None and other != person_id:
            raise InvalidInput(
                "nhs_number", f"NHS number {nhs.display(number)} is already registered: search for them instead."
            )
        clean["nhs_number"] = number

    def _names() -> None:
        for key, label in (("family_name", "Family name"), ("given_name", "Given name")):
            value = " ".join(str(form.get(key, "")).split())
            if not value:
                problems[key] = f"{label} is required."
            else:
                clean[key] = value

    def _dob() -> None:
        clean["date_of_birth"] = dates.date_of_birth(form.get("date_of_birth", ""))

    def _postcode() -> None:
        text = str(form.get("postcode", "")).strip()
        if text and not POSTCODE.match(format_postcode(text)):
            raise InvalidInput("postcode", f"'{text}' is not a UK postcode: type it as TQ5 9AB.")
        clean["postcode"] = format_postcode(text) if text else ""

    def _phone() -> None:
        text = str(form.get("phone", "")).strip()
        if text:
            ph = phones.parse(text, "phone")
            clean.update(phone_e164=ph.e164, phone_raw=ph.raw, phone_valid=ph.valid)
        else:
            clean.update(phone_e164=None, phone_raw="", phone_valid=True)

    def _practice() -> None:
        code = str(form.get("practice_id", "") or "").strip().upper()
        if not code:
            raise InvalidInput("practice_id", "GP practice is required: it decides the person's zone.")
        practice = session.get(Practice, code)
        if practice is None:
            raise InvalidInput("practice_id", f"No GP practice with code {code}.")
        clean["practice_id"] = practice.ods_code
        clean["zone_id"] = practice.zone_id

    for name, fn in (
        ("nhs_number", _nhs),
        ("names", _names),
        ("date_of_birth", _dob),
        ("postcode", _postcode),
        ("phone", _phone),
        ("practice_id", _practice),
    ):
        attempt(name, fn)
    sex = str(form.get("sex", "") or "")
    if sex and sex not in SEXES:
        problems["sex"] = f"Sex must be one of: {', '.join(SEXES)}."
    if problems:
        raise InvalidForm(problems)
    clean["sex"] = sex
    clean["address"] = " ".join(str(form.get("address", "") or "").split())
    clean["lives_alone"] = bool(form.get("lives_alone", False))
    clean["conditions"] = str(form.get("conditions", "") or "").strip()
    clean["family_key"] = names.key(clean["family_name"])
    clean["given_key"] = names.key(clean["given_name"])
    clean["postcode_key"] = postcode_key(clean["postcode"])
    clean["phone_rev"] = phone_rev(clean["phone_e164"])
    return clean


def register(session: Session, actor: Actor, form: dict[str, Any], why: str = "Registered at the desk") -> Person:
    """Register a new person; their zone comes from their GP practice."""
    values = validate_person(session, form)
    person = Person(**values, created_at=clock.now())
    history.create(session, actor, person, why)
    caseload.refresh(session, person.id)  # type: ignore[arg-type]
    return person


def update(
    session: Session, actor: Actor, person_id: int, form: dict[str, Any], *, expected_version: int, why: str
) -> bool:
    """Change a person's details; refused if another desk saved them since ``expected_version``."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("That person is no longer on the register.")
    if not why.strip():
        raise InvalidForm({"why": "Say why the record is changing (e.g. 'moved house, told by daughter')."})
    merged = {k: getattr(person, k) for k in PERSON_FIELDS if k != "phone"}
    merged["phone"] = person.phone_raw or phones.national(person.phone_e164)
    merged.update(form)
    values = validate_person(session, merged, person_id=person_id)
    changed = history.change(
        session,
        actor,
        person,
        values,
        expected_version=expected_version,
        why=why,
        person_id=person_id,
        label="person's record",
    )
    if changed:
        caseload.refresh(session, person_id)
    return changed


def add_contact(
    session: Session,
    actor: Actor,
    person_id: int,
    *,
    name: str,
    relationship: str,
    phone: str = "",
    is_carer: bool = False,
    why: str = "Contact added at the desk",
) -> Contact:
    """Add a carer, relative or neighbour, with the number they ring from."""
    problems: dict[str, str] = {}
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
        is_carer=is_carer,
        phone_e164=ph.e164 if ph else None,
        phone_raw=ph.raw if ph else "",
        phone_valid=ph.valid if ph else True,
    )
    history.create(session, actor, contact, why, person_id=person_id)
    return contact


# --- the record as the screen shows it ---------------------------------------


@dataclass
class PackageLine:
    service: str
    detail: str
    provider: str
    start_date: date
    weekly_cost_pence: int


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
    contacts: list[tuple[str, str, str, bool]] = field(default_factory=list)  # name, relationship, phone, carer
    professionals: list[tuple[str, str, str]] = field(default_factory=list)  # name, discipline, side
    package: list[PackageLine] = field(default_factory=list)
    package_review_due: date | None = None
    referrals: list[tuple[str, str, str, str]] = field(default_factory=list)  # discipline, urgency, reason, received
    alerts: list[str] = field(default_factory=list)
    in_hospital: str = ""  # ward name when admitted
    last_calls: list[str] = field(default_factory=list)  # the latest finished calls, one line each

    @property
    def banner_name(self) -> str:
        return f"{self.family_name.upper()}, {self.given_name}"

    @property
    def nhs_display(self) -> str:
        return nhs.display(self.nhs_number)

    @property
    def weekly_cost_pence(self) -> int:
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
        id=p.id,
        version=p.version,
        nhs_number=p.nhs_number,
        family_name=p.family_name,  # type: ignore[arg-type]
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
    for c in session.exec(
        select(Contact).where(Contact.person_id == person_id).order_by(Contact.is_carer.desc(), Contact.name)
    ):  # type: ignore[attr-defined]
        rec.contacts.append((c.name, c.relationship, phones.national(c.phone_e164), c.is_carer))
    rows = session.exec(
        select(Involvement, Staff)
        .join(Staff, Staff.id == Involvement.staff_id)
        .where(Involvement.person_id == person_id, Involvement.ended_on == None)  # noqa: E711
    )
    for inv, s in rows:
        label, side = DISCIPLINES.get(inv.discipline, (inv.discipline, ""))
        rec.professionals.append((s.name, label, side))
    pkg = session.exec(
        select(CarePackage)
        .where(CarePackage.person_id == person_id, CarePackage.status == "active")
        .order_by(col(CarePackage.started_on).desc())
    ).first()
    if pkg is not None:
        rec.package_review_due = pkg.review_due
        for it in session.exec(
            select(CarePackageItem).where(CarePackageItem.package_id == pkg.id, CarePackageItem.end_date == None)  # noqa: E711
        ):
            rec.package.append(PackageLine(it.service, it.detail, it.provider, it.start_date, it.weekly_cost_pence))
    for r in session.exec(
        select(Referral)
        .where(Referral.person_id == person_id, Referral.status == "open")
        .order_by(Referral.received_at)
    ):
        rec.referrals.append(
            (
                DISCIPLINES.get(r.discipline, (r.discipline, ""))[0],
                r.urgency,
                r.reason,
                dates.nhs_style(clock.local(r.received_at).date()),
            )
        )
    rec.alerts = [
        a.text
        for a in session.exec(
            select(Alert).where(Alert.person_id == person_id, Alert.ended_at == None)  # noqa: E711
        )
    ]
    adm = session.exec(
        select(Admission, Organisation)
        .join(Organisation, Organisation.id == Admission.ward_id)
        .where(Admission.person_id == person_id, Admission.discharged_at == None)  # noqa: E711
    ).first()
    if adm is not None:
        rec.in_hospital = adm[1].name
    for c in session.exec(
        select(Call)
        .where(Call.person_id == person_id, Call.status == "finished")
        .order_by(col(Call.started_at).desc())
        .limit(2)
    ):
        rec.last_calls.append(
            f"{dates.nhs_style(clock.local(c.started_at).date())}: {CALL_REASONS.get(c.reason, c.reason)} - {c.outcome}"
        )
    return rec
