"""Reminders that are never lost: deadlines in our own table, raised once, acknowledged once.

A Crisis or Rapid referral gets two reminders when it is made: 30 minutes
before its deadline and at it (:func:`reminder_times`, the one function that
computes them). The truth lives in the ``reminder`` table, never in a
scheduler: each desk wakes (at :func:`next_wake_at` and on a short poll), asks
which reminders are due and not yet raised (:func:`due`), and claims each with
a conditional UPDATE (:func:`claim`), so exactly one desk raises it, whether
desks restart or not, and a reminder that fell due while every desk was closed
is raised by the first poll after one opens. Everyone sees it
(:func:`outstanding`) until someone acknowledges it (:func:`acknowledge`).

A reminder is not due once its condition is met: a first contact recorded, or
for a crisis, the assessment.

A care package's review (desk.package_models.PackageReview) is a deadline of
the same kind: :func:`poll_reviews` claims each review falling due with the
same conditional update, so one desk raises it, and :func:`outstanding_reviews`
shows it on every desk of the zone until the review is recorded. The review
four weeks after a hospital discharge (kind ``discharge``) is one of them.

A discharge the zone must pick up (desk.discharge.pickups) rides on the same
wakes: :func:`poll_pickups` carries the delayed days of the patients still in
hospital forward and raises each pick-up due, one desk each time, again and
again until someone in the zone acknowledges it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, CursorResult, Select, and_, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from desk import clock, history, triage
from desk.crisis_models import Reminder
from desk.discharge import delays, pickups
from desk.discharge.pickups import PickupRow
from desk.errors import InvalidForm, NotFound
from desk.history import Actor
from desk.models import Person, Referral
from desk.package_models import PackageReview

BEFORE = timedelta(minutes=30)

REMINDER_KINDS: dict[str, str] = {"before": "30 minutes left", "deadline": "Deadline reached"}
"""When a reminder falls, in the words the notification uses."""

REMINDED_RESPONSES: frozenset[str] = frozenset({triage.CRISIS, triage.RAPID})
"""The responses whose clocks are hours, and so get reminders."""


@dataclass(frozen=True)
class ReminderTime:
    """One reminder a deadline needs: its kind and when it falls (UTC)."""

    kind: str
    due_at: datetime


def reminder_times(response: str, deadline: datetime) -> list[ReminderTime]:
    """The reminders a referral of this response, due then, needs (none for Fast or Normal)."""
    if response not in REMINDED_RESPONSES:
        return []
    return [ReminderTime("before", deadline - BEFORE), ReminderTime("deadline", deadline)]


def schedule(session: Session, referral: Referral) -> list[Reminder]:
    """Give a referral the reminders its response needs; pending ones follow a changed deadline."""
    assert referral.id is not None
    if referral.due_at is None:
        return []
    person = session.get(Person, referral.person_id)
    assert person is not None
    existing = {r.kind: r for r in session.exec(select(Reminder).where(Reminder.referral_id == referral.id))}
    out: list[Reminder] = []
    for want in reminder_times(referral.response, referral.due_at):
        have = existing.get(want.kind)
        if have is None:
            have = Reminder(zone_id=person.zone_id, referral_id=referral.id, kind=want.kind, due_at=want.due_at)
            session.add(have)
        elif have.state == "pending" and have.due_at != want.due_at:
            have.due_at = want.due_at
        out.append(have)
    session.flush()
    return out


def _not_met() -> ColumnElement[bool]:
    """The reminder's referral is still open and its condition (contact, or a crisis's assessment) not met."""
    return and_(
        col(Referral.status) == "open",
        or_(
            and_(col(Referral.response) == triage.CRISIS, col(Referral.assessed_at).is_(None)),
            and_(col(Referral.response) != triage.CRISIS, col(Referral.first_contact_at).is_(None)),
        ),
    )


def _referral_unmet() -> ColumnElement[bool]:
    """The reminder's own referral is still unmet: a correlated subquery, looked up by primary key row by row.

    Kept a subquery in the WHERE on purpose: as a join (or EXISTS), PostgreSQL
    chose to scan every referral instead of walking the few pending reminders
    in due order and looking up each one's referral.
    """
    return sa_select(_not_met()).where(col(Referral.id) == col(Reminder.referral_id)).scalar_subquery()


def _pending_unmet(*, zone_id: str | None) -> Select[int | None, datetime]:
    """Pending reminders (id, due) whose condition is still unmet, soonest first.

    Read from the ``(state, due_at)`` index: pending reminders are a few
    hundred among hundreds of thousands. Those already met (a first contact
    recorded, the referral closed) stay pending and are passed over in the
    database, not brought back to be checked.
    """
    q = sa_select(col(Reminder.id), col(Reminder.due_at)).where(col(Reminder.state) == "pending", _referral_unmet())
    if zone_id is not None:
        q = q.where(col(Reminder.zone_id) == zone_id)
    return q.order_by(col(Reminder.due_at), col(Reminder.id))


def due(session: Session, *, zone_id: str | None = None, now: datetime | None = None) -> list[int]:
    """Reminders due and not yet raised (their condition not met), soonest first."""
    q = _pending_unmet(zone_id=zone_id).where(col(Reminder.due_at) <= (now or clock.now()))
    return [rid for rid, _at in session.execute(q) if rid is not None]


def _claim(session: Session, table: type[Reminder] | type[PackageReview], row_id: int, desk: str) -> bool:
    """Raise one deadline if nobody has: a conditional UPDATE, so of many desks exactly one gets True.

    A review's version is left as it was: raising it only tells the zone, so
    a co-ordinator recording the review they read just before it was raised
    is not refused as if another desk had changed it.
    """
    raised: dict[str, object] = dict(state="raised", raised_at=clock.now(), raised_by_desk=desk)
    if table is Reminder:
        raised["version"] = col(table.version) + 1
    result = session.execute(
        update(table)
        .where(col(table.id) == row_id, col(table.state) == "pending")
        .values(**raised)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


def claim(session: Session, reminder_id: int, desk: str) -> bool:
    """Raise one reminder if nobody has: a conditional UPDATE, so of many desks exactly one gets True."""
    return _claim(session, Reminder, reminder_id, desk)


@dataclass(frozen=True)
class ReminderRow:
    """A reminder as a notification and the board show it."""

    id: int
    version: int
    zone_id: str
    referral_id: int
    person_id: int
    person: str
    response: str
    kind: str
    due_at: datetime
    deadline: datetime
    state: str
    raised_at: datetime | None
    raised_by_desk: str
    acknowledged_at: datetime | None
    acknowledged_by_id: int | None

    @property
    def message(self) -> str:
        """What the notification says."""
        label = triage.RESPONSES[self.response].split(" (")[0]
        return f"{REMINDER_KINDS[self.kind]}: {label} for {self.person}, due {clock.local(self.deadline):%H:%M}"


def _rows(session: Session, where: list[ColumnElement[bool]]) -> list[ReminderRow]:
    rows = session.execute(
        sa_select(
            Reminder,
            col(Referral.person_id),
            col(Referral.response),
            col(Referral.due_at),
            col(Person.family_name),
            col(Person.given_name),
        )
        .join(Referral, col(Referral.id) == Reminder.referral_id)
        .join(Person, col(Person.id) == Referral.person_id)
        .where(*where)
        .order_by(col(Reminder.due_at), col(Reminder.id))
    ).all()
    out = []
    for r, pid, response, deadline, family, given in rows:
        assert r.id is not None
        out.append(
            ReminderRow(
                id=r.id,
                version=r.version,
                zone_id=r.zone_id,
                referral_id=r.referral_id,
                person_id=pid,
                person=f"{family.upper()}, {given}",
                response=response,
                kind=r.kind,
                due_at=r.due_at,
                deadline=deadline or r.due_at,
                state=r.state,
                raised_at=r.raised_at,
                raised_by_desk=r.raised_by_desk,
                acknowledged_at=r.acknowledged_at,
                acknowledged_by_id=r.acknowledged_by_id,
            )
        )
    return out


def poll(session: Session, actor: Actor, *, zone_id: str | None = None) -> list[ReminderRow]:
    """Raise every reminder now due that no desk has raised; returns the ones this desk raised.

    Run in a write transaction (``db.writing``): the same call on start-up
    catches up on whatever fell due while the desk was closed.
    """
    mine = _raise_each(session, actor, due(session, zone_id=zone_id), claim, "reminder", "Reminder raised")
    return _rows(session, [col(Reminder.id).in_(mine)]) if mine else []


def _raise_each(
    session: Session,
    actor: Actor,
    ids: list[int],
    claim_one: Callable[[Session, int, str], bool],
    entity: str,
    why: str,
) -> list[int]:
    """Claim each of ``ids`` for this desk and record the raise (desk.history.claimed); the ids it won."""
    return history.claimed(
        session, actor, ids, claim_one, entity=entity, why=why, before={"state": "pending"}, after={"state": "raised"}
    )


def outstanding(session: Session, *, zone_id: str | None = None) -> list[ReminderRow]:
    """Raised, not acknowledged, and still unmet: what every desk shows until someone acknowledges it."""
    where: list[ColumnElement[bool]] = [col(Reminder.state) == "raised", _not_met()]
    if zone_id is not None:
        where.append(col(Reminder.zone_id) == zone_id)
    return _rows(session, where)


@dataclass(frozen=True)
class Acknowledgement:
    """Someone saying they have seen a raised reminder (and will act on it)."""

    reminder_id: int
    expected_version: int


def acknowledge(session: Session, actor: Actor, data: Acknowledgement) -> ReminderRow:
    """Clear a raised reminder on every desk, recording who and when; refused if already cleared."""
    reminder = session.get(Reminder, data.reminder_id)
    if reminder is None:
        raise NotFound("That reminder is not on record.")
    if reminder.state != "raised":
        if reminder.state == "acknowledged":
            when = clock.local(reminder.acknowledged_at or clock.now())
            raise InvalidForm({"reminder": f"Already acknowledged at {when:%H:%M}."})
        raise InvalidForm({"reminder": "This reminder has not been raised yet."})
    referral = session.get(Referral, reminder.referral_id)
    history.change(
        session,
        actor,
        reminder,
        dict(state="acknowledged", acknowledged_at=clock.now(), acknowledged_by_id=actor.staff_id),
        expected_version=data.expected_version,
        why="Reminder acknowledged",
        person_id=referral.person_id if referral else None,
        label="reminder",
    )
    return _rows(session, [col(Reminder.id) == data.reminder_id])[0]


def next_wake_at(session: Session, *, zone_id: str | None = None) -> datetime | None:
    """When the next pending, unmet reminder falls (a desk's scheduler sleeps until then, or its poll)."""
    row = session.execute(_pending_unmet(zone_id=zone_id).limit(1)).first()
    return row[1] if row is not None else None


# --- package reviews -----------------------------------------------------------------

REVIEW_KINDS: dict[str, str] = {
    "first": "First review of a new or changed package",
    "yearly": "Yearly review",
    "discharge": "Review four weeks after discharge",
}
"""Which review it is, in the words the notification uses."""


@dataclass(frozen=True)
class ReviewRow:
    """A package review as a notification and the review list show it."""

    id: int
    version: int
    zone_id: str
    package_id: int
    person_id: int
    person: str
    kind: str
    due_at: datetime
    state: str
    raised_at: datetime | None
    raised_by_desk: str

    @property
    def message(self) -> str:
        """What the notification says."""
        return f"Review due: {REVIEW_KINDS[self.kind]} for {self.person}, due {clock.local(self.due_at):%d-%b-%Y %H:%M}"


def review_rows(session: Session, where: list[ColumnElement[bool]]) -> list[ReviewRow]:
    """Reviews matching ``where``, soonest due first, with the person's name."""
    rows = session.execute(
        sa_select(PackageReview, col(Person.family_name), col(Person.given_name))
        .join(Person, col(Person.id) == PackageReview.person_id)
        .where(*where)
        .order_by(col(PackageReview.due_at), col(PackageReview.id))
    ).all()
    return [
        ReviewRow(
            id=r.id or 0,
            version=r.version,
            zone_id=r.zone_id,
            package_id=r.package_id,
            person_id=r.person_id,
            person=f"{family.upper()}, {given}",
            kind=r.kind,
            due_at=r.due_at,
            state=r.state,
            raised_at=r.raised_at,
            raised_by_desk=r.raised_by_desk,
        )
        for r, family, given in rows
    ]


def due_reviews(session: Session, *, zone_id: str | None = None, now: datetime | None = None) -> list[int]:
    """Reviews fallen due and not yet raised, soonest first (read from the ``(state, due_at)`` index)."""
    q = sa_select(col(PackageReview.id)).where(
        col(PackageReview.state) == "pending", col(PackageReview.due_at) <= (now or clock.now())
    )
    if zone_id is not None:
        q = q.where(col(PackageReview.zone_id) == zone_id)
    return [rid for rid in session.execute(q.order_by(col(PackageReview.due_at), col(PackageReview.id))).scalars()]


def claim_review(session: Session, review_id: int, desk: str) -> bool:
    """Raise one review if no desk has (the same conditional UPDATE as :func:`claim`)."""
    return _claim(session, PackageReview, review_id, desk)


def poll_reviews(session: Session, actor: Actor, *, zone_id: str | None = None) -> list[ReviewRow]:
    """Raise every review now due that no desk has raised; returns the ones this desk raised.

    Run in a write transaction, on the same poll as :func:`poll` (and on start-up, to catch up).
    """
    mine = _raise_each(
        session, actor, due_reviews(session, zone_id=zone_id), claim_review, "packagereview", "Review fell due"
    )
    return review_rows(session, [col(PackageReview.id).in_(mine)]) if mine else []


def outstanding_reviews(session: Session, *, zone_id: str | None = None) -> list[ReviewRow]:
    """Reviews raised and not yet recorded: what every desk of the zone shows until the review is done."""
    where: list[ColumnElement[bool]] = [col(PackageReview.state) == "raised"]
    if zone_id is not None:
        where.append(col(PackageReview.zone_id) == zone_id)
    return review_rows(session, where)


def next_review_wake_at(session: Session, *, zone_id: str | None = None) -> datetime | None:
    """When the next pending review falls (a desk's scheduler sleeps until then, or its poll)."""
    q = sa_select(col(PackageReview.due_at)).where(col(PackageReview.state) == "pending")
    if zone_id is not None:
        q = q.where(col(PackageReview.zone_id) == zone_id)
    return session.execute(q.order_by(col(PackageReview.due_at)).limit(1)).scalar()


# --- discharges to pick up -------------------------------------------------------------


def poll_pickups(session: Session, actor: Actor, *, zone_id: str | None = None) -> list[PickupRow]:
    """Raise the zone's discharges to pick up now due (desk.discharge.pickups.poll); returns the ones this desk raised.

    Run in a write transaction on the same wakes as :func:`poll`. It first
    carries each delayed patient's reason on to the days since (recorded by
    the desk, nobody at it), so the ward screen and the delays view count
    today without anyone opening the stay.
    """
    delays.carry_forward(session, actor=Actor(None, actor.desk))
    return pickups.poll(session, actor, zone_id)


def next_pickup_wake_at(session: Session, *, zone_id: str | None = None) -> datetime | None:
    """When the zone's next unacknowledged pick-up is to be raised (a desk's scheduler may wake then)."""
    return pickups.next_raise_at(session, zone_id)
