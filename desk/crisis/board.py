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

from sqlalchemy import func
from sqlmodel import Session, col, select

from desk import clock, triage
from desk.crisis import liaison
from desk.crisis_models import Booking, Crisis
from desk.models import History, Person, Referral, Staff

AMBER_FROM = timedelta(minutes=30)


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


def board(session: Session, zone_id: str | None = None, *, now: datetime | None = None) -> list[BoardRow]:
    """Open crises and open Rapid referrals of a zone (or all zones), the least time left first."""
    at = now or clock.now()
    cq = (
        select(Crisis, Referral, Person)
        .join(Referral, col(Referral.id) == Crisis.referral_id)
        .join(Person, col(Person.id) == Crisis.person_id)
        .where(Crisis.status == "open")
    )
    rq = (
        select(Referral, Person)
        .join(Person, col(Person.id) == Referral.person_id)
        .where(Referral.status == "open", Referral.response == triage.RAPID)
    )
    if zone_id is not None:
        cq = cq.where(Crisis.zone_id == zone_id)
        rq = rq.where(Person.zone_id == zone_id)
    crises = session.exec(cq).all()
    rapid = session.exec(rq).all()
    crisis_ids = [c.id for c, _r, _p in crises if c.id is not None]
    visits: dict[int, list[BoardVisit]] = defaultdict(list)
    if crisis_ids:
        for b, name in session.exec(
            select(Booking, Staff.name)
            .join(Staff, col(Staff.id) == Booking.staff_id)
            .where(col(Booking.crisis_id).in_(crisis_ids), Booking.state != "cancelled")
            .order_by(col(Booking.visit_at))
        ):
            visits[b.crisis_id].append(BoardVisit(name, b.discipline, b.visit_at, b.state))
    newest = liaison.newest(session, crisis_ids)
    rows: list[BoardRow] = []
    for c, r, p in crises:
        assert c.id is not None and r.id is not None and p.id is not None
        due = r.due_at or r.received_at
        entry = newest.get(c.id)
        rows.append(
            BoardRow(
                kind="crisis",
                referral_id=r.id,
                crisis_id=c.id,
                zone_id=c.zone_id,
                person_id=p.id,
                person=f"{p.family_name.upper()}, {p.given_name}",
                what=c.what_happened,
                due_at=due,
                clock=clock_state(due, at, r.first_contact_at),
                visits=tuple(visits.get(c.id, [])),
                latest_liaison=f"{entry.party_label}: {entry.agreed}" if entry else "",
            )
        )
    for r, p in rapid:
        assert r.id is not None and p.id is not None
        due = r.due_at or r.received_at
        rows.append(
            BoardRow(
                kind="rapid",
                referral_id=r.id,
                crisis_id=None,
                zone_id=p.zone_id,
                person_id=p.id,
                person=f"{p.family_name.upper()}, {p.given_name}",
                what=r.reason,
                due_at=due,
                clock=clock_state(due, at, r.first_contact_at),
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


def changed_mark(session: Session) -> tuple[int, int]:
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
    return int(newest), int(recent)
