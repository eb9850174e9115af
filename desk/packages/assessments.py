"""A professional's assessment of a person, recorded once and never edited.

The assessor is a member of staff assessing in one of
:data:`desk.vocabulary.ASSESSOR_ROLES` (a district nurse, a physiotherapist...);
what they found is one finding per area of need, each with a level. A
co-ordinator may record an assessment reported by phone: the record keeps
whose assessment it is (``assessor``) and who recorded it on their behalf
(``recorded_by``). A correction is a new assessment naming the one it
corrects; the old one stays as it was, marked as corrected.

Recording an assessment can close the assessment interval of one of the
person's open referrals (:func:`desk.crisis.referrals.set_moment`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from desk import clock, history
from desk.crisis import referrals
from desk.errors import InvalidForm, NotFound
from desk.history import Actor
from desk.models import Assessment, Person, Referral, Staff, saved_id
from desk.package_models import AssessmentFinding
from desk.services import caseload
from desk.vocabulary import AREAS_OF_NEED, ASSESSMENT_PLACES, ASSESSOR_ROLES, DISCIPLINES, NEED_LEVELS


@dataclass(frozen=True)
class FindingInput:
    """What the assessor found in one area of need (a key of AREAS_OF_NEED), at a level (of NEED_LEVELS)."""

    area: str
    level: str
    note: str = ""


@dataclass(frozen=True)
class AssessmentInput:
    """An assessment as the form sends it, not yet checked."""

    person_id: int
    assessor_id: int
    """The member of staff whose assessment it is."""
    assessor_role: str
    """The role they assessed in: a key of :data:`desk.vocabulary.ASSESSOR_ROLES`."""
    at: datetime
    """When they assessed (aware; stored in UTC)."""
    place: str
    """Where: a key of :data:`desk.vocabulary.ASSESSMENT_PLACES`."""
    findings: tuple[FindingInput, ...]
    recommendations: str = ""
    summary: str = ""
    corrects_id: int | None = None
    """The assessment this one corrects; ``correction_why`` must then say what was wrong."""
    correction_why: str = ""
    referral_id: int | None = None
    """An open referral of the person whose assessment interval this assessment closes."""
    referral_version: int | None = None
    """The version of that referral the form read (a stale one is refused)."""


@dataclass(frozen=True)
class Finding:
    """One finding of a saved assessment."""

    area: str
    level: str
    note: str

    @property
    def words(self) -> str:
        """``Personal care: High: help every day``, and the note."""
        text = f"{AREAS_OF_NEED[self.area]}: {NEED_LEVELS.get(self.level, self.level)}"
        return f"{text} ({self.note})" if self.note else text


@dataclass(frozen=True)
class AssessmentRecord:
    """A saved assessment as every reader sees it."""

    id: int
    person_id: int
    assessor_id: int
    assessor_name: str
    assessor_role: str
    discipline: str
    at: datetime
    place: str
    findings: tuple[Finding, ...]
    recommendations: str
    summary: str
    recorded_by_id: int | None
    recorded_by_name: str
    recorded_at: datetime | None
    corrects_id: int | None
    correction_why: str
    corrected_by_id: int | None
    """A newer assessment that corrects this one, if any: this one then authorises nothing."""

    @property
    def areas(self) -> frozenset[str]:
        """The areas of need it assessed (whatever the level found)."""
        return frozenset(f.area for f in self.findings)

    @property
    def on_behalf(self) -> bool:
        """True when someone other than the assessor recorded it (a co-ordinator, by phone)."""
        return self.recorded_by_id is not None and self.recorded_by_id != self.assessor_id

    @property
    def assessed_on(self) -> date:
        """The UK local day it was made."""
        return clock.local(self.at).date()

    @property
    def role_label(self) -> str:
        """``District nurse``."""
        if self.assessor_role in ASSESSOR_ROLES:
            return ASSESSOR_ROLES[self.assessor_role][0]
        return DISCIPLINES.get(self.discipline, (self.discipline, ""))[0]  # recorded before roles were kept

    @property
    def byline(self) -> str:
        """Whose it is and who recorded it: ``Debbie Aggett, District nurse; recorded by Anna Venn on her behalf``."""
        text = f"{self.assessor_name}, {self.role_label}"
        if self.on_behalf:
            text += f"; recorded by {self.recorded_by_name} on their behalf"
        return text


def _validate(session: Session, data: AssessmentInput) -> tuple[Person, Staff, Referral | None]:
    problems: dict[str, str] = {}
    person = session.get(Person, data.person_id)
    if person is None:
        raise NotFound("That person is not on the register.")
    assessor = session.get(Staff, data.assessor_id)
    role = ASSESSOR_ROLES.get(data.assessor_role)
    if assessor is None:
        problems["assessor"] = "Choose the member of staff who assessed."
    if role is None:
        problems["assessor_role"] = "Choose the role they assessed in: " + ", ".join(
            label for label, _d, _r in ASSESSOR_ROLES.values()
        )
    elif assessor is not None and assessor.role not in role[2]:
        problems["assessor_role"] = f"{assessor.name} is not a {role[0].lower()}: choose their role or who assessed."
    if data.place not in ASSESSMENT_PLACES:
        problems["place"] = "Say where they assessed: at home, on a ward, in a care home or by phone."
    if data.at.tzinfo is None:
        problems["at"] = "Give the time with its time zone (the desk's clock)."
    elif data.at > clock.now() + referrals.FUTURE_SLACK:
        problems["at"] = "An assessment cannot be in the future."
    if not data.findings:
        problems["findings"] = "Record what they found in at least one area of need."
    seen: set[str] = set()
    for i, f in enumerate(data.findings):
        if f.area not in AREAS_OF_NEED:
            problems[f"findings[{i}].area"] = "Choose the area of need from the list."
        elif f.area in seen:
            problems[f"findings[{i}].area"] = f"{AREAS_OF_NEED[f.area]} is recorded twice: keep one."
        seen.add(f.area)
        if f.level not in NEED_LEVELS:
            problems[f"findings[{i}].level"] = "Choose the level of need: none, low, moderate, high or critical."
    if data.corrects_id is not None:
        old = session.get(Assessment, data.corrects_id)
        if old is None or old.person_id != data.person_id:
            problems["corrects"] = "The assessment being corrected is not one of this person's."
        elif not data.correction_why.strip():
            problems["correction_why"] = "Say what this corrects in the earlier assessment."
    referral = None
    if data.referral_id is not None:
        referral = session.get(Referral, data.referral_id)
        if referral is None or referral.person_id != data.person_id or referral.status != "open":
            problems["referral"] = "That is not an open referral of this person."
    if problems:
        raise InvalidForm(problems)
    assert assessor is not None
    return person, assessor, referral


def record(session: Session, actor: Actor, data: AssessmentInput) -> AssessmentRecord:
    """Save an assessment with its findings, once; optionally close a referral's assessment interval.

    Raises :class:`InvalidForm` (a message per field) and writes nothing if
    anything is wrong. ``actor`` is who records it: the assessor, or a
    co-ordinator recording it on their behalf (the record says so).
    """
    person, assessor, referral = _validate(session, data)
    role = ASSESSOR_ROLES[data.assessor_role]
    row = Assessment(
        person_id=data.person_id,
        staff_id=data.assessor_id,
        discipline=role[1],
        at=data.at,
        summary=data.summary.strip(),
        assessor_role=data.assessor_role,
        place=data.place,
        recommendations=data.recommendations.strip(),
        recorded_by_id=actor.staff_id,
        recorded_at=clock.now(),
        corrects_id=data.corrects_id,
        correction_why=data.correction_why.strip(),
    )
    on_behalf = actor.staff_id is not None and actor.staff_id != assessor.id
    why = f"Assessment by {assessor.name}, {role[0]}" + (" (recorded on their behalf)" if on_behalf else "")
    if data.corrects_id is not None:
        why += f"; corrects assessment {data.corrects_id}: {row.correction_why}"
    history.create(session, actor, row, why, person_id=person.id)
    aid = saved_id(row.id)
    for f in data.findings:
        session.add(AssessmentFinding(assessment_id=aid, area=f.area, level=f.level, note=f.note.strip()))
    session.flush()
    if referral is not None:
        referrals.set_moment(
            session,
            actor,
            referral,
            "assessment",
            data.at,
            expected_version=data.referral_version,
            why=f"Assessment recorded: {role[0]}",
        )
    caseload.refresh(session, data.person_id)
    return get(session, aid)


def _records(session: Session, rows: list[Assessment]) -> list[AssessmentRecord]:
    if not rows:
        return []
    ids = [saved_id(r.id) for r in rows]
    staff_ids = {r.staff_id for r in rows} | {r.recorded_by_id for r in rows if r.recorded_by_id is not None}
    names = dict(session.exec(select(Staff.id, Staff.name).where(col(Staff.id).in_(staff_ids))).all())
    findings: dict[int, list[Finding]] = {i: [] for i in ids}
    order = list(AREAS_OF_NEED)
    for f in session.exec(select(AssessmentFinding).where(col(AssessmentFinding.assessment_id).in_(ids))):
        findings[f.assessment_id].append(Finding(f.area, f.level, f.note))
    # A correction is always of the same person (``_validate``): asking by person walks
    # ix_assessment_person_id, where corrects_id alone has no index and scanned every assessment.
    corrected = dict(
        session.exec(
            select(Assessment.corrects_id, Assessment.id).where(
                col(Assessment.person_id).in_({r.person_id for r in rows}), col(Assessment.corrects_id).in_(ids)
            )
        ).all()
    )
    return [
        AssessmentRecord(
            id=saved_id(r.id),
            person_id=r.person_id,
            assessor_id=r.staff_id,
            assessor_name=names.get(r.staff_id, ""),
            assessor_role=r.assessor_role,
            discipline=r.discipline,
            at=r.at,
            place=r.place,
            findings=tuple(sorted(findings[saved_id(r.id)], key=lambda f: order.index(f.area))),
            recommendations=r.recommendations,
            summary=r.summary,
            recorded_by_id=r.recorded_by_id,
            recorded_by_name=names.get(r.recorded_by_id, "") if r.recorded_by_id is not None else "",
            recorded_at=r.recorded_at,
            corrects_id=r.corrects_id,
            correction_why=r.correction_why,
            corrected_by_id=corrected.get(saved_id(r.id)),
        )
        for r in rows
    ]


def get(session: Session, assessment_id: int) -> AssessmentRecord:
    """One assessment with its findings; :class:`NotFound` if there is none."""
    row = session.get(Assessment, assessment_id)
    if row is None:
        raise NotFound("That assessment is not on record.")
    return _records(session, [row])[0]


def for_person(session: Session, person_id: int, *, limit: int = 50) -> list[AssessmentRecord]:
    """A person's assessments, newest first."""
    rows = session.exec(
        select(Assessment)
        .where(Assessment.person_id == person_id)
        .order_by(col(Assessment.at).desc(), col(Assessment.id).desc())
        .limit(limit)
    ).all()
    return _records(session, list(rows))


def latest(session: Session, person_id: int, *, disciplines: frozenset[str] | None = None) -> AssessmentRecord | None:
    """The person's newest assessment not corrected since (of these disciplines, if given)."""
    for rec in for_person(session, person_id):
        if rec.corrected_by_id is None and (disciplines is None or rec.discipline in disciplines):
            return rec
    return None
