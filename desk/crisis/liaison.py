"""The liaison log of a crisis: every party contacted, by whom, when, and what was agreed.

Append-only, like a paper log: an entry is never changed, a correction is a
new entry. The newest entry shows on the crisis board.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from desk import clock, history
from desk.crisis.referrals import FUTURE_SLACK
from desk.crisis_models import Crisis, LiaisonEntry
from desk.errors import InvalidForm
from desk.history import Actor
from desk.models import Staff

PARTIES: dict[str, str] = {
    "ambulance": "Ambulance service",
    "gp": "GP",
    "care_home": "Care home",
    "family": "Family",
    "ward": "Hospital ward",
    "police": "Police",
    "out_of_hours": "Out-of-hours service",
    "other": "Other",
}
"""Who a crisis worker liaises with."""


@dataclass(frozen=True)
class LiaisonInput:
    """One contact made: the party, who there, what was agreed, and when (now if not given)."""

    crisis_id: int
    party: str
    agreed: str
    contact: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class LiaisonRow:
    """A liaison entry as the crisis screen and board show it."""

    id: int
    crisis_id: int
    party: str
    contact: str
    agreed: str
    at: datetime
    by_id: int | None
    by_name: str

    @property
    def party_label(self) -> str:
        """The party in words."""
        return PARTIES.get(self.party, self.party)


def add_entry(session: Session, actor: Actor, data: LiaisonInput) -> LiaisonRow:
    """Log a contact with a party about a crisis; no party, nothing agreed or a future time is refused."""
    problems: dict[str, str] = {}
    crisis = session.get(Crisis, data.crisis_id)
    if crisis is None:
        problems["crisis"] = "That crisis is not on record."
    if data.party not in PARTIES:
        problems["party"] = "Choose the party: ambulance, GP, care home, family, ward, police, out-of-hours or other."
    if not data.agreed.strip():
        problems["agreed"] = "Say what was agreed (or 'no answer, will ring again')."
    at = data.at or clock.now()
    if at.tzinfo is None or at > clock.now() + FUTURE_SLACK:
        problems["at"] = "The time of the contact cannot be in the future."
    if problems:
        raise InvalidForm(problems)
    assert crisis is not None
    entry = LiaisonEntry(
        crisis_id=data.crisis_id,
        party=data.party,
        contact=" ".join(data.contact.split()),
        agreed=data.agreed.strip(),
        at=at,
        by_id=actor.staff_id,
    )
    history.create(session, actor, entry, f"Liaison: {PARTIES[data.party]}", person_id=crisis.person_id)
    return _row(session, entry)


def _row(session: Session, e: LiaisonEntry, names: dict[int, str] | None = None) -> LiaisonRow:
    assert e.id is not None
    if names is not None:
        by_name = names.get(e.by_id or 0, "")
    else:
        staff = session.get(Staff, e.by_id) if e.by_id is not None else None
        by_name = staff.name if staff else ""
    return LiaisonRow(e.id, e.crisis_id, e.party, e.contact, e.agreed, e.at, e.by_id, by_name)


def _names(session: Session, entries: Sequence[LiaisonEntry]) -> dict[int, str]:
    ids = {e.by_id for e in entries if e.by_id is not None}
    if not ids:
        return {}
    rows = session.exec(select(Staff.id, Staff.name).where(col(Staff.id).in_(ids))).all()
    return {sid: name for sid, name in rows if sid is not None}


def entries(session: Session, crisis_id: int) -> list[LiaisonRow]:
    """A crisis's liaison log, newest first."""
    rows = session.exec(
        select(LiaisonEntry)
        .where(LiaisonEntry.crisis_id == crisis_id)
        .order_by(col(LiaisonEntry.at).desc(), col(LiaisonEntry.id).desc())
    ).all()
    names = _names(session, rows)
    return [_row(session, e, names) for e in rows]


def newest(session: Session, crisis_ids: Sequence[int]) -> dict[int, LiaisonRow]:
    """The newest liaison entry of each crisis that has one (for the board)."""
    if not crisis_ids:
        return {}
    rows = session.exec(
        select(LiaisonEntry)
        .where(col(LiaisonEntry.crisis_id).in_(crisis_ids))
        .order_by(col(LiaisonEntry.crisis_id), col(LiaisonEntry.at).desc(), col(LiaisonEntry.id).desc())
    ).all()
    names = _names(session, rows)
    out: dict[int, LiaisonRow] = {}
    for e in rows:
        out.setdefault(e.crisis_id, _row(session, e, names))
    return out
