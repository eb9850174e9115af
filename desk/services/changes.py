"""Has anything changed since I last looked? One cheap answer for screens that stay live.

Every change to the desk's records writes an append-only history entry in the
same transaction (desk.history), and history ids only grow. So the newest
entry's id is a mark: while it stands still nothing has been saved, at this
desk or any other sharing the database; when it moves, a screen reloads.
Scoped to one person, it moves only when something about them is saved.

Both questions are answered from an index's last entry (the primary key, or
``ix_history_person_id``), so they cost the same on an empty desk and on a
trust's whole register. Typing during a call is saved to drafts, not history:
:func:`drafts_mark` is the mark for lists that preview what is being typed.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func
from sqlmodel import Session, select

from desk.models import CallDraft, History


def mark(session: Session, *, person_id: int | None = None) -> int:
    """The id of the newest history entry (about ``person_id`` if given); 0 when there is none.

    A screen keeps the mark it loaded at and asks again on a timer: a
    different answer means something was saved since, so it reloads.
    """
    stmt = select(func.max(History.id))
    if person_id is not None:
        stmt = stmt.where(History.person_id == person_id)
    return session.exec(stmt).one() or 0


class DraftsMark(NamedTuple):
    """How many calls have a draft, and when the newest was saved: equal marks, nothing typed since."""

    drafts: int
    newest_saved_at: datetime | None


def drafts_mark(session: Session) -> DraftsMark:
    """How many calls have a draft, and when the newest was saved.

    Moves as notes are typed at any desk, which history does not record until
    the call is finished; the unfinished calls list watches it beside
    :func:`mark`. Drafts exist only while a call is open, so the table stays
    small: counting it whole is cheaper than picking out one zone's.
    """
    count, newest = session.exec(select(func.count(), func.max(CallDraft.saved_at)).select_from(CallDraft)).one()
    return DraftsMark(count, newest)
