"""Whether an assessment may authorise a change to a package: while recent, and for the areas it assessed.

An assessment authorises changes for :attr:`~desk.packages.config.PackageSettings.assessment_valid_days`
days (14 by default, per zone) after the day it was made, and only to services
addressing an area of need it assessed (the catalogue maps each service to
its areas). A corrected assessment authorises nothing: its correction does.
A refusal names the date and the areas, and :func:`ask_for_new_assessment`
refers the person back to the assessor's discipline in one call.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlmodel import Session

from desk import dates, history
from desk.crisis import referrals
from desk.errors import InvalidForm
from desk.history import Actor
from desk.models import saved_id
from desk.package_models import AssessmentReferral
from desk.packages import assessments
from desk.packages.assessments import AssessmentRecord
from desk.packages.catalogue import Service
from desk.vocabulary import AREAS_OF_NEED


class AuthorityRefused(InvalidForm):
    """The assessment cannot authorise this change: too old, corrected, or it did not assess the areas changed.

    ``problems["assessment"]`` says why, with the date and the areas; the
    screen can offer :func:`ask_for_new_assessment` for ``assessment_id``.
    """

    def __init__(self, problems: dict[str, str], *, assessment_id: int, reason: str) -> None:
        super().__init__(problems)
        self.assessment_id = assessment_id
        self.reason = reason
        """``stale``, ``corrected`` or ``areas``."""


def _areas(areas: Iterable[str]) -> str:
    labels = [AREAS_OF_NEED.get(a, a).lower() for a in sorted(areas, key=list(AREAS_OF_NEED).index)]
    return ", ".join(labels) if labels else "no area"


def refusal(
    record: AssessmentRecord, services: Iterable[Service], *, today: date, valid_days: int
) -> tuple[str, str] | None:
    """Why ``record`` cannot authorise changing ``services`` today, as (reason, message); None if it can."""
    on = dates.nhs_style(record.assessed_on)
    who = f"{record.role_label} {record.assessor_name}".strip()
    if record.corrected_by_id is not None:
        return "corrected", f"The assessment of {on} was corrected since: use the correction."
    age = (today - record.assessed_on).days
    if age > valid_days:
        return (
            "stale",
            f"The assessment by {who} on {on} is {age} days old; an assessment authorises changes for "
            f"{valid_days} days. It assessed: {_areas(record.areas)}. Ask for a new assessment.",
        )
    for s in services:
        if not s.areas & record.areas:
            return (
                "areas",
                f"The assessment by {who} on {on} assessed {_areas(record.areas)}, not what {s.name.lower()} "
                f"is for ({_areas(s.areas)}). Ask for an assessment of that.",
            )
    return None


def check(record: AssessmentRecord, services: Iterable[Service], *, today: date, valid_days: int) -> None:
    """Raise :class:`AuthorityRefused` if ``record`` cannot authorise changing ``services`` today."""
    found = refusal(record, services, today=today, valid_days=valid_days)
    if found is not None:
        reason, message = found
        raise AuthorityRefused({"assessment": message}, assessment_id=record.id, reason=reason)


def ask_for_new_assessment(session: Session, actor: Actor, assessment_id: int, why: str = "") -> int:
    """Refer the person for a new assessment to the discipline of the one refused; returns the referral's id."""
    record = assessments.get(session, assessment_id)
    discipline = record.discipline  # set from the role the assessor assessed in
    reason = f"New assessment needed: the {record.role_label.lower()} assessment of " + dates.nhs_style(
        record.assessed_on
    )
    if why.strip():
        reason += f" ({why.strip()})"
    referral = referrals.refer(
        session, actor, person_id=record.person_id, discipline=discipline, reason=reason, why=reason
    )
    link = AssessmentReferral(
        referral_id=saved_id(referral.id), assessment_id=assessment_id, kind="reassessment", why=why.strip()
    )
    history.create(session, actor, link, "New assessment asked for", person_id=record.person_id)
    return saved_id(referral.id)
