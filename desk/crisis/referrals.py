"""Triage a finished call into a referral with a clock, and record the three intervals.

A call whose reason asks for help becomes a referral in the same transaction
as the call is finished: the desk proposes a response and an intervention lead
(:func:`desk.triage.propose`), the co-ordinator confirms or changes them, and a
change from the proposal is kept with its reason. The referral's clock
(``due_at``) is set once, here, by :func:`desk.triage.due_at`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlmodel import Session, col, select

from desk import clock, history, triage
from desk.crisis import reminders
from desk.errors import DeskError, InvalidForm, NotFound
from desk.history import Actor
from desk.models import Call, Referral
from desk.services import calls, caseload
from desk.vocabulary import CALL_REASONS, DISCIPLINES, URGENCIES

# A time typed a moment ahead of the desk's clock (a slow wall clock) is not "the future".
FUTURE_SLACK = timedelta(minutes=1)


@dataclass(frozen=True)
class TriageChoice:
    """What the co-ordinator confirmed: the response, the lead, the crisis need, and why it differs."""

    response: str
    lead: str
    need: str | None = None
    change_why: str = ""


@dataclass(frozen=True)
class CallFinish:
    """What the call screen sends when the call ends (see :func:`desk.services.calls.finish`)."""

    call_id: int
    person_id: int | None
    reason: str
    notes: str
    outcome: str
    expected_version: int


@dataclass(frozen=True)
class ReferralMade:
    """The referral a triaged call became, with its clock and the proposal it was judged against."""

    referral_id: int
    call_id: int
    person_id: int
    response: str
    lead: str
    discipline: str
    due_at: datetime
    proposal: triage.Proposal
    changed_from_proposal: bool


@dataclass(frozen=True)
class IntervalInput:
    """One of the three measured moments, as it happened (``at``), for a referral read at a version."""

    referral_id: int
    at: datetime
    expected_version: int


@dataclass(frozen=True)
class Intervals:
    """The three intervals the service is judged by, as recorded for one referral."""

    referral_id: int
    version: int
    received_at: datetime
    first_contact_at: datetime | None
    assessed_at: datetime | None
    services_at: datetime | None
    first_contact_by_id: int | None
    assessed_by_id: int | None
    services_by_id: int | None

    @property
    def to_first_contact(self) -> timedelta | None:
        """Received to first contact."""
        return self.first_contact_at - self.received_at if self.first_contact_at else None

    @property
    def to_assessment(self) -> timedelta | None:
        """Received to assessment."""
        return self.assessed_at - self.received_at if self.assessed_at else None

    @property
    def assessment_to_services(self) -> timedelta | None:
        """Assessment to services in place."""
        if self.assessed_at is None or self.services_at is None:
            return None
        return self.services_at - self.assessed_at


def proposal_for_call(session: Session, call_id: int) -> triage.Proposal:
    """What the desk proposes for the call as typed so far (its draft included)."""
    st = calls.state(session, call_id)
    if st.reason not in triage.TRIAGED_REASONS:
        raise InvalidForm({"reason": "Only a call asking for help (referral, change, crisis, discharge) is triaged."})
    return triage.propose(st.reason)


def _validate(choice: TriageChoice, reason: str) -> tuple[triage.Proposal, bool]:
    problems: dict[str, str] = {}
    if reason not in triage.TRIAGED_REASONS:
        label = CALL_REASONS.get(reason, reason or "no reason")
        problems["reason"] = f"A call for '{label}' does not become a referral: choose why they rang."
    if choice.response not in triage.RESPONSES:
        problems["response"] = "Choose a response: Crisis, Rapid, Fast or Normal."
    if choice.lead not in triage.LEADS:
        problems["lead"] = "Choose who leads: nurse, therapist or social care."
    crisis = reason == "crisis" or choice.response == triage.CRISIS
    if choice.need is not None and choice.need not in triage.UCR_NEEDS:
        problems["need"] = "Choose the need from the list. " + triage.EMERGENCY_REMINDER
    elif crisis and not choice.need:
        problems["need"] = "Say which urgent community response need it is. " + triage.EMERGENCY_REMINDER
    if problems:
        raise InvalidForm(problems)
    proposal = triage.propose(reason, choice.need)
    changed = (choice.response, choice.lead) != (proposal.response, proposal.lead)
    if changed and not choice.change_why.strip():
        raise InvalidForm(
            {
                "change_why": f"The desk proposed {triage.RESPONSES[proposal.response].split(' (')[0]}, "
                f"{triage.LEADS[proposal.lead].lower()} leading: say briefly why you chose otherwise."
            }
        )
    return proposal, changed


def _refer(session: Session, actor: Actor, finish: CallFinish, choice: TriageChoice) -> ReferralMade:
    """Make the referral for a call being finished, linked to it, before the call itself is closed."""
    call = session.get(Call, finish.call_id)
    if call is None:
        raise NotFound("That call is not on record.")
    proposal, changed = _validate(choice, finish.reason)
    person_id = finish.person_id
    if person_id is None:
        raise InvalidForm({"person": "Find or register the person the call is about before it is triaged."})
    if calls.is_triaged(session, finish.call_id):
        raise DeskError("This call has already been triaged: open its referral instead.")
    discipline = proposal.discipline if choice.lead == proposal.lead else triage.LEAD_DISCIPLINE[choice.lead]
    received = call.started_at
    need = choice.need or ""
    reason = CALL_REASONS[finish.reason] + (f": {triage.UCR_NEEDS[need]}" if need else "")
    referral = Referral(
        person_id=person_id,
        received_at=received,
        source=call.caller_kind,
        discipline=discipline,
        reason=reason,
        urgency=choice.response if choice.response in URGENCIES else triage.RAPID,
        crisis=choice.response == triage.CRISIS,
        due_at=triage.due_at(received, choice.response),
        call_id=finish.call_id,
        response=choice.response,
        lead=choice.lead,
        ucr_need=need,
        proposed_response=proposal.response,
        proposed_lead=proposal.lead,
        change_why=choice.change_why.strip() if changed else "",
        triaged_by_id=actor.staff_id,
    )
    why = "Triaged from the call" + (f"; changed from the proposal: {referral.change_why}" if changed else "")
    history.create(session, actor, referral, why, person_id=person_id)
    reminders.schedule(session, referral)
    assert referral.id is not None and referral.due_at is not None
    return ReferralMade(
        referral_id=referral.id,
        call_id=finish.call_id,
        person_id=person_id,
        response=referral.response,
        lead=referral.lead,
        discipline=discipline,
        due_at=referral.due_at,
        proposal=proposal,
        changed_from_proposal=changed,
    )


def finish_and_refer(session: Session, actor: Actor, finish: CallFinish, choice: TriageChoice) -> ReferralMade:
    """Finish a call that asked for help and make its referral: one transaction, both or neither.

    The triage is checked before anything is written, so a refused choice
    leaves the call open with everything typed. The referral is made first,
    so :func:`desk.services.calls.finish` sees the call triaged.
    """
    _validate(choice, finish.reason)
    problems = calls.validate_finish(
        calls.CallDetails(person_id=finish.person_id, reason=finish.reason, notes=finish.notes, outcome=finish.outcome)
    )
    if problems:
        raise InvalidForm(problems)
    made = _refer(session, actor, finish, choice)
    calls.finish(
        session,
        actor,
        finish.call_id,
        calls.CallDetails(person_id=finish.person_id, reason=finish.reason, notes=finish.notes, outcome=finish.outcome),
        expected_version=finish.expected_version,
    )
    caseload.refresh(session, made.person_id)
    return made


def refer(
    session: Session,
    actor: Actor,
    *,
    person_id: int,
    discipline: str,
    reason: str,
    response: str = triage.NORMAL,
    source: str = "staff",
    why: str = "",
) -> Referral:
    """A referral made at the desk without a call (from an assessment, say), with its clock and reminders.

    ``discipline`` is a key of :data:`desk.vocabulary.DISCIPLINES`; the lead follows from it.
    The clock is set once, here, by :func:`desk.triage.due_at`.
    """
    if discipline not in DISCIPLINES:
        raise InvalidForm({"discipline": "Choose the discipline the referral is to."})
    if response not in triage.RESPONSES:
        raise InvalidForm({"response": "Choose a response: Crisis, Rapid, Fast or Normal."})
    lead = next((k for k, d in triage.LEAD_DISCIPLINE.items() if d == discipline), "nurse")
    if discipline == "occupational_therapy":
        lead = "therapist"
    received = clock.now()
    referral = Referral(
        person_id=person_id,
        received_at=received,
        source=source,
        discipline=discipline,
        reason=reason,
        urgency=response if response in URGENCIES else triage.RAPID,
        crisis=response == triage.CRISIS,
        due_at=triage.due_at(received, response),
        response=response,
        lead=lead,
        proposed_response=response,
        proposed_lead=lead,
        triaged_by_id=actor.staff_id,
    )
    history.create(session, actor, referral, why or reason, person_id=person_id)
    reminders.schedule(session, referral)
    caseload.refresh(session, person_id)
    return referral


def referral_for_call(session: Session, call_id: int) -> int | None:
    """The referral made from a call, if it has been triaged or escalated."""
    return session.exec(select(Referral.id).where(Referral.call_id == call_id)).first()


# --- the three intervals ------------------------------------------------------------

_MOMENTS = {
    "first_contact": ("first_contact_at", "first_contact_by_id", "first_contact_recorded_at", "First contact"),
    "assessment": ("assessed_at", "assessed_by_id", "assessed_recorded_at", "Assessment"),
    "services": ("services_at", "services_by_id", "services_recorded_at", "Services in place"),
}


def set_moment(
    session: Session,
    actor: Actor,
    referral: Referral,
    moment: str,
    at: datetime,
    *,
    expected_version: int | None,
    why: str,
) -> None:
    """Record one of the three moments on a referral (checked), with who recorded it and when."""
    column, by_column, recorded_column, label = _MOMENTS[moment]
    field = "at"
    if at.tzinfo is None:
        raise InvalidForm({field: "Give the time with its time zone (the desk's clock)."})
    if getattr(referral, column) is not None:
        when = clock.local(getattr(referral, column)).strftime("%d-%b-%Y %H:%M")
        raise InvalidForm({field: f"{label} is already recorded ({when})."})
    if at > clock.now() + FUTURE_SLACK:
        raise InvalidForm({field: f"{label} cannot be in the future."})
    if at < referral.received_at:
        raise InvalidForm({field: f"{label} cannot be before the referral was received."})
    if moment == "services":
        if referral.assessed_at is None:
            raise InvalidForm({field: "Record the assessment before services are in place."})
        if at < referral.assessed_at:
            raise InvalidForm({field: "Services cannot be in place before the assessment."})
    history.change(
        session,
        actor,
        referral,
        {column: at, by_column: actor.staff_id, recorded_column: clock.now()},
        expected_version=expected_version,
        why=why,
        person_id=referral.person_id,
        label="referral",
    )


def _record(session: Session, actor: Actor, data: IntervalInput, moment: str) -> Intervals:
    referral = session.get(Referral, data.referral_id)
    if referral is None:
        raise NotFound("That referral is not on record.")
    set_moment(
        session,
        actor,
        referral,
        moment,
        data.at,
        expected_version=data.expected_version,
        why=f"{_MOMENTS[moment][3]} recorded",
    )
    caseload.refresh(session, referral.person_id)
    return intervals(session, data.referral_id)


def record_first_contact(session: Session, actor: Actor, data: IntervalInput) -> Intervals:
    """The first contact with the person (received to first contact stops here)."""
    return _record(session, actor, data, "first_contact")


def record_assessment(session: Session, actor: Actor, data: IntervalInput) -> Intervals:
    """The assessment (received to assessment stops here)."""
    return _record(session, actor, data, "assessment")


def record_services(session: Session, actor: Actor, data: IntervalInput) -> Intervals:
    """Services in place (assessment to services stops here)."""
    return _record(session, actor, data, "services")


def intervals(session: Session, referral_id: int) -> Intervals:
    """The referral's three intervals as recorded so far."""
    r = session.get(Referral, referral_id)
    if r is None:
        raise NotFound("That referral is not on record.")
    assert r.id is not None
    return Intervals(
        referral_id=r.id,
        version=r.version,
        received_at=r.received_at,
        first_contact_at=r.first_contact_at,
        assessed_at=r.assessed_at,
        services_at=r.services_at,
        first_contact_by_id=r.first_contact_by_id,
        assessed_by_id=r.assessed_by_id,
        services_by_id=r.services_by_id,
    )


# --- the three moments, set by a key on the person record ---------------------------

MOMENT_LABELS: dict[str, str] = {moment: spec[3] for moment, spec in _MOMENTS.items()}
"""The three moments a referral's intervals are measured by, in the order they happen."""


@dataclass(frozen=True)
class OpenReferral:
    """An open referral of a person, as the record offers it for a moment to be recorded."""

    label: str
    response: str
    due_at: datetime | None
    intervals: Intervals

    def recorded(self, moment: str) -> datetime | None:
        """When that moment was recorded as happening, if it has been."""
        column = _MOMENTS[moment][0]
        return getattr(self.intervals, column)  # type: ignore[no-any-return]


def open_referrals(session: Session, person_id: int) -> list[OpenReferral]:
    """The person's open referrals, soonest due first, each with the moments recorded so far."""
    rows = session.exec(
        select(Referral).where(Referral.person_id == person_id, col(Referral.closed_at).is_(None))
    ).all()
    out = []
    for r in rows:
        assert r.id is not None
        response = r.response or r.urgency
        label = f"{DISCIPLINES.get(r.discipline, (r.discipline, ''))[0]} referral ({response}): {r.reason}"
        out.append(OpenReferral(label, response, r.due_at, intervals(session, r.id)))
    far = datetime.max.replace(tzinfo=clock.now().tzinfo)
    out.sort(key=lambda o: (o.due_at or far, o.intervals.received_at))
    return out


def record_moment(session: Session, actor: Actor, data: IntervalInput, moment: str) -> Intervals:
    """One of the three moments (a key of :data:`MOMENT_LABELS`), as it happened, with who recorded it."""
    if moment not in _MOMENTS:
        raise InvalidForm({"moment": "Choose first contact, assessment or services in place."})
    return _record(session, actor, data, moment)


def last_time_it_was(wall: time, *, now: datetime | None = None) -> datetime:
    """The latest moment, up to now, that the office clock read ``wall``: today, or yesterday if later than now.

    A moment is recorded after it happens, so 23:40 typed at 00:10 is last night;
    the minute it is now is now itself.
    A reading in the spring gap is taken as the clock before the change reads
    it, and a repeated autumn hour as its first reading (as :mod:`desk.triage`).
    """
    now = now or clock.now()
    if clock.local(now).time().replace(second=0, microsecond=0) == wall:
        return now  # this very minute: the moment is now, not the minute's start (before a referral just made)
    today = clock.local(now).date()
    for day in (today, today - timedelta(days=1)):
        at = datetime.combine(day, wall).replace(tzinfo=clock.LONDON, fold=0).astimezone(UTC)
        if at <= now + FUTURE_SLACK:
            return at
    return at
