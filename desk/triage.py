"""Triage: how soon each response must be seen, and what the desk proposes for a call.

One rule, one place, for when a response is due. From the NHS urgent community
response standard and the single point of referral model:

* **Crisis**: a same-day multidisciplinary assessment, first face-to-face
  response within 2 hours;
* **Rapid**: within 3 hours;
* **Fast**: within 1 day;
* **Normal**: within 3 days.

Hour-based responses are elapsed real time. Day-based responses fall at the
same UK local (Europe/London) clock time 1 or 3 days later. When that local
time does not exist or happens twice, the desk resolves it itself and never
asks the user:

* **spring gap** (the clocks go forward, 01:00-02:00 does not exist): the
  time is read on the clock as it was before the change, so 01:30 becomes
  02:30 BST (the same instant as 01:30 GMT);
* **autumn repeat** (the clocks go back, 01:00-02:00 happens twice): the
  first of the two is taken (BST), so the deadline is never later than the
  wall clock promised.

The result is stored in UTC with the referral when it is made and never
recomputed. Pure functions without the ORM, so the demo and seed read the
same clocks cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from desk.clock import LONDON

CRISIS, RAPID, FAST, NORMAL = "crisis", "rapid", "fast", "normal"

RESPONSES: dict[str, str] = {
    CRISIS: "Crisis (same-day assessment, first contact within 2 hours)",
    RAPID: "Rapid (within 3 hours)",
    FAST: "Fast (within 1 day)",
    NORMAL: "Normal (within 3 days)",
}
"""Every response a referral can be given, most urgent first."""

URGENCY_WITHIN: dict[str, timedelta] = {
    CRISIS: timedelta(hours=2),
    RAPID: timedelta(hours=3),
    FAST: timedelta(days=1),
    NORMAL: timedelta(days=3),
}
"""How long each response allows (day-based ones in local calendar days: see :func:`due_at`)."""

HOUR_BASED: frozenset[str] = frozenset({CRISIS, RAPID})
"""Responses whose clock is elapsed real time (shown with a time as well as a date)."""

LEADS: dict[str, str] = {"nurse": "Nurse", "therapist": "Therapist", "social_care": "Social care"}
"""Who leads the intervention."""

LEAD_DISCIPLINE: dict[str, str] = {
    "nurse": "nursing",
    "therapist": "physiotherapy",
    "social_care": "social_work",
}
"""The discipline a referral is made to when only the lead is known."""

UCR_NEEDS: dict[str, str] = {
    "fall": "A fall with no serious injury",
    "frailty": "Frailty or sudden loss of function",
    "reduced_mobility": "Reduced function or mobility",
    "palliative": "Palliative or end-of-life crisis",
    "equipment": "Urgent equipment",
    "confusion": "Confusion or delirium",
    "catheter": "Urgent catheter care",
    "diabetes": "Urgent diabetes care",
    "carer_cannot_cope": "An unpaid carer who cannot cope",
    "other": "Other",
}
"""The nine urgent community response needs, and other: the one vocabulary for them."""

EMERGENCY_REMINDER = "A life-threatening emergency, a stroke or a mental health crisis: ring 999, not the crisis team."
"""Shown whenever the desk asks for a crisis need."""

# Which lead each need calls for, and which discipline that lead comes from.
_NEED_LEAD: dict[str, tuple[str, str]] = {
    "fall": ("therapist", "physiotherapy"),
    "frailty": ("nurse", "nursing"),
    "reduced_mobility": ("therapist", "physiotherapy"),
    "palliative": ("nurse", "nursing"),
    "equipment": ("therapist", "occupational_therapy"),
    "confusion": ("nurse", "nursing"),
    "catheter": ("nurse", "nursing"),
    "diabetes": ("nurse", "nursing"),
    "carer_cannot_cope": ("social_care", "social_work"),
    "other": ("nurse", "nursing"),
}

TRIAGED_REASONS: frozenset[str] = frozenset({"new_referral", "change_in_need", "crisis", "discharge"})
"""Call reasons that ask for help, so the call becomes a referral with a clock."""


def _london_wall(naive: datetime) -> datetime:
    """A local wall-clock time as an aware UTC instant, resolving gaps and repeats as documented."""
    first = naive.replace(tzinfo=LONDON, fold=0)
    # fold=0 is the earlier reading of a repeated hour, and for a time in the spring
    # gap it uses the offset in force before the change (01:30 -> 01:30 GMT = 02:30 BST).
    return first.astimezone(UTC)


def due_at(received_at: datetime, urgency: str) -> datetime:
    """When a referral of this response, received then, must have been responded to (UTC).

    ``urgency`` is a key of :data:`RESPONSES`. Hour-based responses add elapsed
    time; day-based ones land on the same London wall-clock time 1 or 3 days on.
    """
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware (desk.clock.now())")
    within = URGENCY_WITHIN[urgency]
    if urgency in HOUR_BASED:
        return (received_at + within).astimezone(UTC)
    wall = received_at.astimezone(LONDON).replace(tzinfo=None)
    return _london_wall(wall + timedelta(days=within.days))


@dataclass(frozen=True)
class Proposal:
    """What the desk proposes for a call that asks for help: a response and who leads."""

    response: str
    lead: str
    discipline: str
    why: str


def propose(reason: str, need: str | None = None) -> Proposal:
    """The response and intervention lead the desk proposes from what the call recorded.

    A crisis call gets the Crisis response, its lead from the urgent community
    response need; a change in need naming one of those needs is Rapid,
    otherwise Fast; a discharge is Fast and led by social care (the package
    home); a new referral is Normal. The co-ordinator confirms or changes it.
    """
    if need is not None and need not in UCR_NEEDS:
        raise ValueError(f"unknown urgent community response need {need!r}")
    lead, discipline = _NEED_LEAD[need] if need else ("nurse", "nursing")
    if reason == "crisis":
        label = UCR_NEEDS[need].lower() if need else "a crisis"
        return Proposal(CRISIS, lead, discipline, f"Crisis call: {label}")
    if reason == "change_in_need":
        if need:
            return Proposal(RAPID, lead, discipline, f"Change in need: {UCR_NEEDS[need].lower()}")
        return Proposal(FAST, lead, discipline, "Change in need")
    if reason == "discharge":
        return Proposal(FAST, "social_care", "social_work", "Discharge from hospital: care at home ready")
    if reason == "new_referral":
        return Proposal(NORMAL, lead, discipline, "New referral")
    raise ValueError(f"a call for {reason!r} is not triaged")
