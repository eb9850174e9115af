"""The append-only history: every change says who, when, from which desk, and why.

Services call :func:`create`, :func:`change` or :func:`end` inside their write
transaction, so a change and its history entry are committed together or not
at all. :func:`change` is also where a stale save is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import inspect
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
    session.add(entry)
    return entry


def create(session: Session, actor: Actor, obj: SQLModel, why: str, person_id: int | None = None) -> SQLModel:
    """Insert a new record and its history entry (values after, none before)."""
    session.add(obj)
    session.flush()
    if person_id is None and isinstance(obj, Person):
        person_id = obj.id
    _write(session, actor, obj, "create", None, snapshot(obj), why, person_id)
    return obj


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
) -> bool:
    """Apply ``changes`` to ``obj`` if nobody else has saved it since we read it.

    ``expected_version`` is the version the user was looking at when they
    started editing. If another desk has saved since, nothing is written and
    :class:`StaleRecord` says so. Returns False (and writes nothing) when the
    changes leave the record as it was.
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
    try:
        session.flush()
    except StaleDataError:
        raise StaleRecord(
            f"This {label} was changed at another desk a moment ago. "
            "Nothing of yours was saved: reopen it to see their change, then make yours again."
        ) from None
    _write(session, actor, obj, action, before, after, why, person_id)
    return True
