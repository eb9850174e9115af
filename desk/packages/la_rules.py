"""What still needs the local authority: the named rules, all in this one place.

In the zone the co-ordinator arranges or changes a package directly on a
nurse's or therapist's assessment. These decisions stay with a social worker
(the Care Act, the Mental Capacity Act), and a change that meets any of them
is routed to a social worker of the zone as a referral, with the assessment
attached and the rule named:

* ``safeguarding``: a safeguarding concern (Care Act s42: care and support
  needs, at risk of abuse or neglect, unable to protect themselves);
* ``mental_capacity``: a question of mental capacity or a best-interests decision;
* ``permanent_care_home``: a permanent move to a care home;
* ``direct_payments``: setting up or changing direct payments;
* ``first_eligibility``: the first decision on eligibility for long-term
  support: long-term services for someone who has never had any (short-term
  reablement and equipment need no such decision);

and any rule the zone's configuration adds (:class:`desk.packages.config.ZoneRule`):
arranging or changing one of its services.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from desk import history, triage
from desk.crisis import referrals
from desk.history import Actor
from desk.models import saved_id
from desk.package_models import AssessmentReferral
from desk.packages.catalogue import Service
from desk.packages.config import PackageSettings


@dataclass(frozen=True)
class Rule:
    """A decision that stays with the local authority: its name, its label, and why, in the law's words."""

    name: str
    label: str
    why: str


SAFEGUARDING = Rule(
    "safeguarding",
    "Safeguarding concern",
    "A safeguarding enquiry is the local authority's (Care Act s42): a social worker decides what is done.",
)
MENTAL_CAPACITY = Rule(
    "mental_capacity",
    "Mental capacity or best interests",
    "Where capacity is in doubt the two-stage test and any best-interests decision are a social worker's.",
)
PERMANENT_CARE_HOME = Rule(
    "permanent_care_home",
    "Permanent move to a care home",
    "A permanent care home placement is decided by the local authority, with the person and their family.",
)
DIRECT_PAYMENTS = Rule(
    "direct_payments",
    "Direct payments",
    "Setting up or changing direct payments is the local authority's decision (with charging).",
)
FIRST_ELIGIBILITY = Rule(
    "first_eligibility",
    "First decision on eligibility for long-term support",
    "The first decision that someone is eligible for long-term support is the local authority's.",
)

RULES: dict[str, Rule] = {
    r.name: r for r in (SAFEGUARDING, MENTAL_CAPACITY, PERMANENT_CARE_HOME, DIRECT_PAYMENTS, FIRST_ELIGIBILITY)
}
"""The rules every zone has, by name."""


@dataclass(frozen=True)
class Concerns:
    """What the co-ordinator ticks on a change when the assessment raised it."""

    safeguarding: bool = False
    """The assessor raised a safeguarding concern."""
    capacity_in_doubt: bool = False
    """The person's capacity to decide about their care is in doubt, or a best-interests decision is needed."""


@dataclass(frozen=True)
class ProposedChange:
    """What the rules look at: the services being arranged or changed, the concerns, and the person's past."""

    services: tuple[Service, ...]
    """The services added or changed by the change (not those it ends or leaves alone)."""
    concerns: Concerns
    had_long_term_support: bool
    """The person has had long-term support arranged before (so eligibility was decided)."""


@dataclass(frozen=True)
class RuleMet:
    """A rule a change meets, and why it met it, in words for the co-ordinator."""

    rule: Rule
    because: str

    @property
    def message(self) -> str:
        """``Permanent move to a care home: the change arranges ... A permanent care home placement is ...``."""
        return f"{self.rule.label}: {self.because}. {self.rule.why}"


def every_rule(settings: PackageSettings) -> list[Rule]:
    """Every rule in force in a zone: the five of every zone, then the zone's own."""
    return list(RULES.values()) + [Rule(r.name, r.label, r.why) for r in settings.rules]


def check(change: ProposedChange, settings: PackageSettings) -> list[RuleMet]:
    """The rules a change meets, in the order of :func:`every_rule`; empty when it can be arranged directly."""
    met: list[RuleMet] = []
    if change.concerns.safeguarding:
        met.append(RuleMet(SAFEGUARDING, "the assessment raised a safeguarding concern"))
    if change.concerns.capacity_in_doubt:
        met.append(RuleMet(MENTAL_CAPACITY, "the person's capacity to decide about their care is in doubt"))
    for name in ("permanent_care_home", "direct_payments"):
        named = [s.name for s in change.services if s.la_rule == name]
        if named:
            met.append(RuleMet(RULES[name], f"the change arranges {', '.join(named).lower()}"))
    long_term = [s.name for s in change.services if s.term == "long" and not s.equipment]
    if long_term and not change.had_long_term_support:
        met.append(
            RuleMet(
                FIRST_ELIGIBILITY,
                f"{', '.join(long_term).lower()} would be their first long-term support",
            )
        )
    for zr in settings.rules:
        named = [s.name for s in change.services if s.id in zr.services]
        if named:
            met.append(RuleMet(Rule(zr.name, zr.label, zr.why), f"the change arranges {', '.join(named).lower()}"))
    return met


def route(
    session: Session,
    actor: Actor,
    *,
    person_id: int,
    assessment_id: int,
    package_id: int | None,
    met: list[RuleMet],
    what: str,
) -> int:
    """Refer the change to a social worker of the zone, the assessment attached and the rules named.

    A safeguarding concern is Fast (within a day); everything else Normal.
    Returns the referral's id.
    """
    names = ", ".join(m.rule.label for m in met)
    response = triage.FAST if any(m.rule is SAFEGUARDING for m in met) else triage.NORMAL
    referral = referrals.refer(
        session,
        actor,
        person_id=person_id,
        discipline="social_work",
        reason=f"Needs a social worker ({names}): {what}",
        response=response,
        why=f"Routed to a social worker on assessment {assessment_id}: " + "; ".join(m.message for m in met),
    )
    link = AssessmentReferral(
        referral_id=saved_id(referral.id),
        assessment_id=assessment_id,
        kind="local_authority",
        rule=",".join(m.rule.name for m in met),
        why="; ".join(m.because for m in met),
        package_id=package_id,
    )
    history.create(session, actor, link, f"Assessment attached; rule: {names}", person_id=person_id)
    return saved_id(referral.id)
