"""Calls on the zone line: start, type notes as they come, finish, list.

A call is written to the database the moment it starts, and everything typed
goes to its draft as it is typed, so killing the desk mid-call loses nothing:
the next start finds the call unfinished, with its notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from desk import clock, history, phones, triage
from desk.errors import InvalidForm, InvalidInput, NotFound
from desk.history import Actor
from desk.models import Call, CallDraft, Person, Referral, Staff, saved_id
from desk.services import recognise as rec
from desk.services.recognise import CallerMatch
from desk.vocabulary import CALL_REASONS


@dataclass(frozen=True)
class CallDetails:
    """What the call screen holds as it is typed: who it is about, why they rang, notes, outcome."""

    person_id: int | None = None
    reason: str = ""
    notes: str = ""
    outcome: str = ""


@dataclass(frozen=True)
class CallState:
    """A call as the call screen needs it: the saved record merged with its draft."""

    id: int
    version: int
    zone_id: str
    started_at: datetime
    ended_at: datetime | None
    caller_raw: str
    caller_kind: str
    caller_name: str
    person_id: int | None
    reason: str
    notes: str
    outcome: str
    status: str
    taken_by_id: int
    desk: str


def start(
    session: Session,
    actor: Actor,
    zone_id: str,
    *,
    number: str = "",
    match: CallerMatch | None = None,
    typed: bool = True,
) -> Call:
    """Open a call now; the caller is recognised from ``number`` unless a match is given.

    A number typed at the desk must be a possible phone number; one reported by
    the phone system (``typed=False``) is kept as it came even if it is not.
    """
    if actor.staff_id is None:
        raise InvalidForm({"staff": "Choose who is at the desk before taking a call."})
    e164 = None
    if number.strip():
        heard = _caller_number(number, typed)
        if isinstance(heard, phones.ServiceNumber):
            match = match or rec.service_match(heard)  # 999, 111: a service, never a person
        elif heard is not None:
            e164 = heard.e164
            if match is None:
                found = rec.matches_for(session, e164)
                match = found[0] if len(found) == 1 else None  # a shared number: the co-ordinator chooses
    call = Call(
        zone_id=zone_id,
        started_at=clock.now(),
        caller_raw=number.strip(),
        caller_e164=e164,
        taken_by_id=actor.staff_id,
        desk=actor.desk,
    )
    if match is not None:
        _apply_match(call, match)
    history.create(session, actor, call, "Call started", person_id=call.person_id)
    session.add(CallDraft(call_id=saved_id(call.id), person_id=call.person_id, saved_at=clock.now()))
    return call


def _caller_number(number: str, typed: bool) -> phones.Phone | phones.ServiceNumber | None:
    """A typed number must be a caller's number (phones.caller); one the phone system reports is kept as it came."""
    if typed:
        return phones.caller(number, "number")
    try:
        return phones.caller(number)
    except InvalidInput:
        return None


def _caller_fields(match: CallerMatch | None) -> dict[str, object]:
    """The call's caller columns for a match; None: someone not on record."""
    if match is None:
        return dict(
            caller_kind="unlisted",
            caller_name="",
            caller_person_id=None,
            caller_contact_id=None,
            caller_practice_id=None,
            caller_org_id=None,
        )
    fields: dict[str, object] = dict(
        caller_kind=match.kind,
        caller_name=match.summary,
        caller_person_id=match.person_id if match.kind == "person" else None,
        caller_contact_id=match.contact_id,
        caller_practice_id=match.practice_id,
        caller_org_id=match.org_id,
    )
    if match.person_id is not None:
        fields["person_id"] = match.person_id  # a person or their carer: the call is about that person
    return fields


def _apply_match(call: Call, match: CallerMatch) -> None:
    for key, value in _caller_fields(match).items():
        setattr(call, key, value)


def choose_caller(
    session: Session, actor: Actor, call_id: int, match: CallerMatch | None, *, expected_version: int
) -> CallState:
    """Say who is ringing on a number several records share: one of them, or None for someone else."""
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound("That call is not on record.")
    why = f"Caller chosen: {match.summary}" if match else "Caller is none of those on record for the number"
    history.change(
        session,
        actor,
        call,
        _caller_fields(match),
        expected_version=expected_version,
        why=why,
        person_id=match.person_id if match else call.person_id,
        label="call",
    )
    return state(session, call_id)


def save_draft(session: Session, call_id: int, form: CallDetails) -> None:
    """Keep what is typed so far; cheap enough to run on every pause in typing."""
    draft = session.get(CallDraft, call_id)
    if draft is None:
        call = session.get(Call, call_id)
        if call is None or call.status != "open":
            raise NotFound("That call is already finished; start a new one to add more.")
        draft = CallDraft(call_id=call_id, saved_at=clock.now())
        session.add(draft)
    draft.person_id, draft.reason, draft.notes, draft.outcome = form.person_id, form.reason, form.notes, form.outcome
    draft.saved_at = clock.now()


def validate_finish(form: CallDetails) -> dict[str, str]:
    """What must be said before a call can be finished: a message per field, empty when all is said."""
    problems: dict[str, str] = {}
    if form.reason not in CALL_REASONS:
        problems["reason"] = "Choose why they rang."
    if not form.outcome.strip():
        problems["outcome"] = "Say what was done (the outcome) before finishing the call."
    return problems


def finish(
    session: Session,
    actor: Actor,
    call_id: int,
    form: CallDetails,
    *,
    expected_version: int,
) -> Call:
    """Close the call with what was said and done; the draft goes, the record stays.

    A call that asks for help (:data:`desk.triage.TRIAGED_REASONS`) is refused
    until it has been triaged into a referral linked to it: finish it with
    :func:`desk.crisis.referrals.finish_and_refer`, or escalate it first.
    """
    problems = validate_finish(form)
    if form.person_id is not None and session.get(Person, form.person_id) is None:
        problems["person"] = "That person is no longer on the register: search again."
    if form.reason in triage.TRIAGED_REASONS and not is_triaged(session, call_id):
        label = CALL_REASONS[form.reason].lower()
        problems["triage"] = f"A call about {label} asks for help: triage it (response and lead) before it is finished."
    if problems:
        raise InvalidForm(problems)
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound("That call is not on record.")
    history.change(
        session,
        actor,
        call,
        dict(
            person_id=form.person_id,
            reason=form.reason,
            notes=form.notes.rstrip(),
            outcome=form.outcome.strip(),
            ended_at=clock.now(),
            status="finished",
        ),
        expected_version=expected_version,
        why="Call finished",
        person_id=form.person_id,
        label="call",
    )
    draft = session.get(CallDraft, call_id)
    if draft is not None:
        session.delete(draft)
    return call


def is_triaged(session: Session, call_id: int) -> bool:
    """True when a referral has been made from this call (triaged, or escalated as a crisis)."""
    return session.exec(select(Referral.id).where(Referral.call_id == call_id)).first() is not None


def state(session: Session, call_id: int) -> CallState:
    """The call with its unsaved draft laid over it (what the screen should show)."""
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound("That call is not on record.")
    draft = session.get(CallDraft, call_id)
    person_id, reason, notes, outcome = call.person_id, call.reason, call.notes, call.outcome
    if draft is not None:
        person_id = draft.person_id if draft.person_id is not None else person_id
        reason, notes, outcome = draft.reason or reason, draft.notes or notes, draft.outcome or outcome
    return CallState(
        id=call_id,
        version=call.version,
        zone_id=call.zone_id,
        started_at=call.started_at,
        ended_at=call.ended_at,
        caller_raw=call.caller_raw,
        caller_kind=call.caller_kind,
        caller_name=call.caller_name,
        person_id=person_id,
        reason=reason,
        notes=notes,
        outcome=outcome,
        status=call.status,
        taken_by_id=call.taken_by_id,
        desk=call.desk,
    )


def unfinished(session: Session, zone_id: str, *, staff_id: int | None = None) -> list[CallState]:
    """Calls started but never finished (a crash, a closed terminal): to pick up again."""
    q = select(Call.id).where(Call.zone_id == zone_id, Call.status == "open")
    if staff_id is not None:
        q = q.where(Call.taken_by_id == staff_id)
    return [state(session, saved_id(cid)) for cid in session.exec(q.order_by(col(Call.started_at))).all()]


@dataclass(frozen=True)
class LogRow:
    """One line of the day's call log."""

    id: int
    started_at: datetime
    ended_at: datetime | None
    caller: str
    person_id: int | None
    person: str
    reason: str
    outcome: str
    taken_by: str
    status: str

    @property
    def minutes(self) -> str:
        """How long the call took, as m:ss, or 'open'."""
        if self.ended_at is None:
            return "open"
        secs = int((self.ended_at - self.started_at).total_seconds())
        return f"{secs // 60}:{secs % 60:02d}"


def log_for_day(session: Session, zone_id: str, day: datetime | None = None) -> list[LogRow]:
    """The zone's calls for a day (today by default), newest first."""
    local_day = clock.local(day or clock.now()).date()
    start_local = datetime.combine(local_day, datetime.min.time(), tzinfo=clock.LONDON)
    start_utc = start_local.astimezone(UTC)
    end_utc = (start_local + timedelta(days=1)).astimezone(UTC)
    rows = session.exec(
        select(Call, Person.family_name, Person.given_name, Staff.name)
        .join(Person, col(Person.id) == col(Call.person_id), isouter=True)
        .join(Staff, col(Staff.id) == col(Call.taken_by_id))
        .where(Call.zone_id == zone_id, col(Call.started_at) >= start_utc, col(Call.started_at) < end_utc)
        .order_by(col(Call.started_at).desc())
    ).all()
    out = []
    for call, fam, given, staff in rows:
        out.append(
            LogRow(
                id=saved_id(call.id),
                started_at=call.started_at,
                ended_at=call.ended_at,
                caller=call.caller_name or phones.national(call.caller_e164) or call.caller_raw or "Withheld",
                person_id=call.person_id,
                person=f"{fam.upper()}, {given}" if fam else "",
                reason=CALL_REASONS.get(call.reason, call.reason),
                outcome=call.outcome,
                taken_by=staff,
                status=call.status,
            )
        )
    return out
