"""The append-only history: every change says who, when, from which desk, and why.

Services call :func:`create`, :func:`change` or :func:`end` inside their write
transaction, so a change and its history entry are committed together or not
at all. :func:`change` is also where a stale save is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import insert, inspect
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel

from desk import clock
from desk.errors import StaleRecord
from desk.models import History, Person


@dataclass(frozen=True)
class Actor:
    """Who is making a change, and at which desk."""

    staff_id: int | None
    desk: str


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def snapshot(obj: SQLModel) -> dict[str, Any]:
    """A JSON-safe copy of a record's columns (without its version)."""
    return {k: _plain(v) for k, v in obj.model_dump().items() if k != "version"}


def _entity(obj: SQLModel) -> tuple[str, str]:
    identity = inspect(obj).identity or ()
    return str(obj.__tablename__), "/".join(str(v) for v in identity)


def _write(
    session: Session,
    actor: Actor,
    obj: SQLModel,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    why: str,
    person_id: int | None,
) -> History:
    entity, entity_id = _entity(obj)
    entry = History(
        at=clock.now(),
        staff_id=actor.staff_id,
        desk=actor.desk,
        entity=entity,
        entity_id=entity_id,
        person_id=person_id,
        action=action,
        before=before,
        after=after,
        why=why,
    )
    batch: list[dict[str, Any] | _Created] | None = session.info.get(_BATCH)
    if batch is not None:
        batch.append(entry.model_dump(exclude={"id"}))
    else:
        session.add(entry)
    return entry


_BATCH = "desk.history.batch"


@contextmanager
def batched(session: Session) -> Iterator[None]:
    """The history entries written inside go to the database together, in order, as one statement at the end.

    For a write of many records at once (a package change): each entry is the
    same as :func:`create` or :func:`change` would write, in the order they
    were made, and in the same transaction; none is read back before the end.
    Nothing is written if the block raises. Inside another ``batched``, the
    outer one writes them. A record created inside with ``create(...,
    flush=False)`` is flushed with the batch, and its entry says its values as
    they are then.
    """
    if _BATCH in session.info:
        yield
        return
    rows: list[dict[str, Any] | _Created] = []
    session.info[_BATCH] = rows
    try:
        yield
    finally:
        del session.info[_BATCH]
    if any(isinstance(row, _Created) for row in rows):
        session.flush()  # the records created in the batch get their ids
    if rows:
        session.execute(insert(History), [row.entry() if isinstance(row, _Created) else row for row in rows])


def create(
    session: Session, actor: Actor, obj: SQLModel, why: str, person_id: int | None = None, *, flush: bool = True
) -> SQLModel:
    """Insert a new record and its history entry (values after, none before).

    ``flush=False``, inside :func:`batched`: the record goes to the database
    with the batch's flush, and its entry (with its id and values as then) is
    made there, in its place among the batch's entries. Outside a batch the
    record is flushed at once, as by default.
    """
    session.add(obj)
    batch: list[dict[str, Any] | _Created] | None = session.info.get(_BATCH)
    if not flush and batch is not None:
        batch.append(_Created(actor, obj, why, person_id, clock.now()))
        return obj
    session.flush()
    if person_id is None and isinstance(obj, Person):
        person_id = obj.id
    _write(session, actor, obj, "create", None, snapshot(obj), why, person_id)
    return obj


@dataclass(frozen=True)
class _Created:
    """A record created inside :func:`batched` with ``flush=False``: its entry is made once it has its id."""

    actor: Actor
    obj: SQLModel
    why: str
    person_id: int | None
    at: datetime

    def entry(self) -> dict[str, Any]:
        entity, entity_id = _entity(self.obj)
        person_id = self.obj.id if self.person_id is None and isinstance(self.obj, Person) else self.person_id
        return History(
            at=self.at,
            staff_id=self.actor.staff_id,
            desk=self.actor.desk,
            entity=entity,
            entity_id=entity_id,
            person_id=person_id,
            action="create",
            before=None,
            after=snapshot(self.obj),
            why=self.why,
        ).model_dump(exclude={"id"})


def change(
    session: Session,
    actor: Actor,
    obj: SQLModel,
    changes: dict[str, Any],
    *,
    expected_version: int | None,
    why: str,
    person_id: int | None = None,
    action: str = "update",
    label: str = "record",
    flush: bool = True,
) -> bool:
    """Apply ``changes`` to ``obj`` if nobody else has saved it since we read it.

    ``expected_version`` is the version the user was looking at when they
    started editing. If another desk has saved since, nothing is written and
    :class:`StaleRecord` says so. Returns False (and writes nothing) when the
    changes leave the record as it was.

    ``flush=False`` leaves the change and its history entry pending, to go to
    the database with the caller's next flush (one statement for many history
    entries): the caller then turns a ``StaleDataError`` from that flush into
    :class:`StaleRecord` (see :func:`stale_as_record`). The version the user
    saw is still checked here, before anything is changed.
    """
    current = getattr(obj, "version", None)
    if expected_version is not None and current is not None and current != expected_version:
        raise StaleRecord(
            f"This {label} was changed at another desk while you were editing it. "
            "Nothing of yours was saved: reopen it to see their change, then make yours again."
        )
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key, value in changes.items():
        old = getattr(obj, key)
        if old != value:
            before[key] = _plain(old)
            after[key] = _plain(value)
            setattr(obj, key, value)
    if not after:
        return False
    if flush:
        with stale_as_record(label):
            session.flush()
    _write(session, actor, obj, action, before, after, why, person_id)
    return True


@contextmanager
def stale_as_record(label: str) -> Iterator[None]:
    """A flush inside finding a row saved at another desk since it was read: :class:`StaleRecord`, said plainly."""
    try:
        yield
    except StaleDataError:
        raise StaleRecord(
            f"This {label} was changed at another desk a moment ago. "
            "Nothing of yours was saved: reopen it to see their change, then make yours again."
        ) from None


def claimed(
    session: Session,
    actor: Actor,
    ids: list[int],
    claim_one: Callable[[Session, int, str], bool],
    *,
    entity: str,
    why: str,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    person_of: dict[int, int] | None = None,
) -> list[int]:
    """Claim each of ``ids`` for this desk and record each claim won; the ids it won.

    A deadline raised once by one desk (a reminder, a review, a pick-up) is
    claimed with a conditional UPDATE (``claim_one``: of many desks exactly
    one gets True); the desk that wins writes the history entry. The claims'
    rows are read afresh after.
    """
    mine: list[int] = []
    for rid in ids:
        if claim_one(session, rid, actor.desk):
            mine.append(rid)
            session.add(
                History(
                    at=clock.now(),
                    staff_id=actor.staff_id,
                    desk=actor.desk,
                    entity=entity,
                    entity_id=str(rid),
                    person_id=(person_of or {}).get(rid),
                    action="update",
                    before=before,
                    after=after,
                    why=why,
                )
            )
    if mine:
        session.flush()
        session.expire_all()
    return mine
