"""The crisis board: every open crisis and open Rapid referral, by time left on its clock.

Each row says who, what happened, how long is left (to the minute), who is
booked and whether they have arrived, and the newest liaison entry. The clock's
state has a word as well as a level (for a colour): on time, due soon (amber,
from 30 minutes before the deadline), breached (red, from the deadline), and
seen (stopped by the first face-to-face contact).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import exists as sa_exists
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from desk import clock, triage
from desk.crisis import liaison
from desk.crisis_models import Booking, Crisis, LiaisonEntry
from desk.models import History, Person, Referral, Staff

AMBER_FROM = timedelta(minutes=30)
NOT_ESCALATED = "Not escalated: "
"""Said before what happened on a Crisis referral triaged on a call with no same-day team booked yet."""


@dataclass(frozen=True)
class ClockState:
    """Where a clock stands: a level for the colour and a word for everyone."""

    level: str  # ok | amber | red | met
    word: str
    minutes_left: int  # negative once breached


def clock_state(due_at: datetime, now: datetime, stopped_at: datetime | None = None) -> ClockState:
    """The state of a response clock at ``now``: amber from 30 minutes before, red from the deadline."""
    if stopped_at is not None:
        seen = "Seen" if stopped_at <= due_at else "Seen late"
        return ClockState("met", seen, int((due_at - stopped_at).total_seconds() // 60))
    left = due_at - now
    minutes = int(left.total_seconds() // 60)
    if left <= timedelta(0):
        return ClockState("red", "Breached", minutes)
    if left <= AMBER_FROM:
        return ClockState("amber", "Due soon", minutes)
    return ClockState("ok", "On time", minutes)


@dataclass(frozen=True)
class BoardVisit:
    """Someone booked for a crisis, as the board shows them."""

    name: str
    discipline: str
    visit_at: datetime
    state: str


@dataclass(frozen=True)
class BoardRow:
    """One line of the board."""

    kind: str  # crisis | rapid
    referral_id: int
    crisis_id: int | None
    zone_id: str
    person_id: int
    person: str
    what: str
    due_at: datetime
    clock: ClockState
    visits: tuple[BoardVisit, ...]
    latest_liaison: str

    @property
    def arrived(self) -> bool:
        """True once anyone booked has arrived."""
        return any(v.state in ("arrived", "assessed") for v in self.visits)


def _newest_liaison(session: Session, crisis_ids: list[int]) -> dict[int, str]:
    """The newest liaison entry of each crisis that has one, as the board says it ("Party: agreed")."""
    if not crisis_ids:
        return {}
    out: dict[int, str] = {}
    for crisis_id, party, agreed in session.execute(
        sa_select(col(LiaisonEntry.crisis_id), col(LiaisonEntry.party), col(LiaisonEntry.agreed))
        .where(col(LiaisonEntry.crisis_id).in_(crisis_ids))
        .order_by(col(LiaisonEntry.crisis_id), col(LiaisonEntry.at).desc(), col(LiaisonEntry.id).desc())
    ):
        if crisis_id not in out:
            out[crisis_id] = f"{liaison.PARTIES.get(party, party)}: {agreed}"
    return out


def _visits(session: Session, crisis_ids: list[int]) -> dict[int, list[BoardVisit]]:
    """Everyone booked (and not cancelled) for these crises, soonest visit first."""
    visits: dict[int, list[BoardVisit]] = defaultdict(list)
    if not crisis_ids:
        return visits
    for crisis_id, name, discipline, visit_at, state in session.execute(
        sa_select(
            col(Booking.crisis_id), col(Staff.name), col(Booking.discipline), col(Booking.visit_at), col(Booking.state)
        )
        .join(Staff, col(Staff.id) == Booking.staff_id)
        .where(col(Booking.crisis_id).in_(crisis_ids), col(Booking.state) != "cancelled")
        .order_by(col(Booking.visit_at))
    ):
        visits[crisis_id].append(BoardVisit(name, discipline, visit_at, state))
    return visits


def board(session: Session, zone_id: str | None = None, *, now: datetime | None = None) -> list[BoardRow]:
    """Open crises and open Rapid referrals of a zone (or all zones), the least time left first.

    Only the columns a row shows are read, as plain tuples, in four queries
    whatever the number of rows: building whole records for hundreds of
    referrals and people cost more than the queries themselves.
    """
    at = now or clock.now()
    cq = (
        sa_select(
            col(Crisis.id),
            col(Crisis.zone_id),
            col(Crisis.what_happened),
            col(Referral.id),
            col(Referral.due_at),
            col(Referral.received_at),
            col(Referral.first_contact_at),
            col(Person.id),
            col(Person.family_name),
            col(Person.given_name),
        )
        .join(Referral, col(Referral.id) == Crisis.referral_id)
        .join(Person, col(Person.id) == Crisis.person_id)
        .where(col(Crisis.status) == "open")
    )
    rq = (
        sa_select(
            col(Referral.id),
            col(Referral.response),
            col(Referral.reason),
            col(Referral.due_at),
            col(Referral.received_at),
            col(Referral.first_contact_at),
            col(Person.id),
            col(Person.zone_id),
            col(Person.family_name),
            col(Person.given_name),
        )
        .join(Person, col(Person.id) == Referral.person_id)
        .where(col(Referral.status) == "open", col(Referral.response).in_((triage.RAPID, triage.CRISIS)))
        # a Crisis referral is on the board through its crisis once escalated; until then, on its own
        .where(~sa_exists().where(col(Crisis.referral_id) == col(Referral.id)))
    )
    if zone_id is not None:
        cq = cq.where(col(Crisis.zone_id) == zone_id)
        rq = rq.where(col(Person.zone_id) == zone_id)
    crises = session.execute(cq).all()
    rapid = session.execute(rq).all()
    crisis_ids = [c[0] for c in crises if c[0] is not None]
    visits = _visits(session, crisis_ids)
    newest = _newest_liaison(session, crisis_ids)
    rows: list[BoardRow] = []
    for cid, czone, what, rid, due_at, received_at, contact_at, pid, family, given in crises:
        assert cid is not None and rid is not None and pid is not None
        due = due_at or received_at
        rows.append(
            BoardRow(
                kind="crisis",
                referral_id=rid,
                crisis_id=cid,
                zone_id=czone,
                person_id=pid,
                person=f"{family.upper()}, {given}",
                what=what,
                due_at=due,
                clock=clock_state(due, at, contact_at),
                visits=tuple(visits.get(cid, [])),
                latest_liaison=newest.get(cid, ""),
            )
        )
    for rid, response, reason, due_at, received_at, contact_at, pid, pzone, family, given in rapid:
        assert rid is not None and pid is not None
        due = due_at or received_at
        crisis = response == triage.CRISIS  # triaged Crisis, no same-day team escalated yet
        rows.append(
            BoardRow(
                kind="crisis" if crisis else "rapid",
                referral_id=rid,
                crisis_id=None,
                zone_id=pzone,
                person_id=pid,
                person=f"{family.upper()}, {given}",
                what=f"{NOT_ESCALATED}{reason}" if crisis else reason,
                due_at=due,
                clock=clock_state(due, at, contact_at),
                visits=(),
                latest_liaison="",
            )
        )
    rows.sort(key=lambda row: (row.clock.level == "met", row.due_at, row.referral_id))
    return rows


def retick(row: BoardRow, now: datetime) -> ClockState:
    """A row's clock a minute on, without asking the database: a stopped clock stays as it was."""
    if row.clock.level == "met":
        return row.clock
    return clock_state(row.due_at, now)


def time_left(state: ClockState) -> str:
    """Time left on a clock, to the minute, as the board says it ("1 h 05 min", "12 min over")."""
    if state.level == "met":
        return "stopped"
    minutes = abs(state.minutes_left)
    hours, mins = divmod(minutes, 60)
    span = f"{hours} h {mins:02d} min" if hours else f"{mins} min"
    return f"{span} over" if state.level == "red" else span


MARK_WINDOW = 256
"""How far below the newest history row a late commit is still noticed (see :func:`changed_mark`)."""


class BoardMark(NamedTuple):
    """The newest history id and how many rows lie just below it: equal marks, nothing on the board changed."""

    newest_history_id: int
    recent_rows: int


def changed_mark(session: Session) -> BoardMark:
    """A cheap mark that moves whenever anything the board shows changes anywhere (any desk, any process).

    Every change the board shows (a crisis raised or closed, a visit moved, a
    liaison entry, a referral opened or contacted, a reminder raised or
    acknowledged) writes a history row in its own transaction, so the newest
    history id moves with it: one primary-key lookup. On PostgreSQL ids are
    handed out before commit, so a transaction that took a lower id can commit
    after a higher one was seen; counting the rows in a short window below the
    newest catches that too.
    """
    newest = session.exec(select(func.max(History.id))).one() or 0
    recent = session.exec(select(func.count()).where(col(History.id) > newest - MARK_WINDOW)).one()
    return BoardMark(int(newest), int(recent))
