"""The objects behind the shared fixtures, importable so tests can name their types."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

import desk.clock
from desk import db
from desk.history import Actor
from desk.models import Person
from desk.services import people, reference
from tests.helpers import synthetic

PRACTICE = "L99013"  # Quayside Medical Practice, Brixham
FROZEN_AT = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)  # a Monday, GMT


class FrozenClock:
    """The desk's wall clock, stopped; tests move it explicitly. Monotonic time is untouched."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, when: datetime) -> datetime:
        """Jump to an aware moment (any time zone; stored as UTC)."""
        assert when.tzinfo is not None, "give the clock an aware datetime"
        self.now = when.astimezone(UTC)
        return self.now

    def advance(self, delta: timedelta) -> datetime:
        self.now = self.now + delta
        return self.now

    @property
    def today(self) -> date:
        """Today on the office wall (Europe/London)."""
        return self.now.astimezone(desk.clock.LONDON).date()


class Registrar:
    """Registers people with valid synthetic details; override only what a test is about."""

    def __init__(self, engine: Engine, actor: Actor) -> None:
        self.engine = engine
        self.actor = actor
        self._serial = itertools.count(1)

    def form(self, **overrides: Any) -> people.PersonDetails:
        """A complete, valid registration form."""
        n = next(self._serial)
        form: dict[str, Any] = dict(
            nhs_number=synthetic.nhs_number(n * 7),
            family_name=f"Sample{n}",
            given_name="Alex",
            date_of_birth="23/11/1944",
            sex="Female",
            address=f"{n} Fore Street, Brixham",
            postcode="TQ5 9AB",
            phone=synthetic.landline(n),
            practice_id=PRACTICE,
            lives_alone=False,
        )
        form.update(overrides)
        return people.PersonDetails(**form)

    def __call__(self, session: Session | None = None, **overrides: Any) -> Person:
        """Register one person (in ``session`` if given, else in a transaction of its own)."""
        if session is not None:
            return people.register(session, self.actor, self.form(**overrides))
        with db.writing(self.engine) as own:
            return people.register(own, self.actor, self.form(**overrides))


@contextmanager
def frozen(at: datetime) -> Iterator[FrozenClock]:
    """Freeze the desk's clock for a block (module-scoped set-up, where the fixture cannot reach)."""
    clock = FrozenClock(at)
    desk.clock.set_clock(clock)
    try:
        yield clock
    finally:
        desk.clock.set_clock(None)


def coordinator(engine: Engine, zone_id: str = "BXM", desk_name: str = "desk-1") -> Actor:
    """The zone's first co-ordinator (by name), at a desk."""
    with db.reading(engine) as session:
        staff = next(s for s in reference.staff(session, zone_id) if s.role == "coordinator")
    return Actor(staff.id, desk_name)
