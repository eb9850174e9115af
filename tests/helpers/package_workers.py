"""Two desks on one package, each in its own process: the workers (run with ``workers.run_together``).

Each worker opens its own engine from a :class:`DbSpec`, freezes its own
clock at the moment the test gives it (a spawned process does not share the
test's frozen clock), does what a desk does, and reports a plain dict.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlmodel import Session

from desk import db
from desk.crisis import reminders
from desk.history import Actor
from desk.models import CarePackage
from desk.package_models import CarePackageVersion
from desk.packages import arrange
from desk.packages.arrange import Arranged, PackageChange, ServiceLine
from tests.helpers.dbspec import DbSpec
from tests.helpers.fixtures import frozen

HOLD_S = 1.0
"""How long a desk about to write its version waits for the other to get as far (if it can)."""

Result = dict[str, Any]


def _hold_before_the_version(in_flight: Any) -> Any:
    """A before_flush hook: at the flush that writes the new version, wait for the other desk to get there too.

    Where the database lets both desks read the package in their write
    transactions, both are then in flight at once. Where it makes the second
    wait (SQLite's write lock, a row lock), the barrier breaks after
    :data:`HOLD_S` and this desk goes on alone.
    """
    held = {"done": False}

    def hold(session: Session, _ctx: Any, _instances: Any) -> None:
        if held["done"] or not any(isinstance(o, CarePackageVersion) for o in session.new):
            return
        held["done"] = True
        try:
            in_flight.wait(HOLD_S)
        except threading.BrokenBarrierError:
            pass  # the other desk is waiting behind this one

    return hold


def change_package(
    spec: DbSpec,
    actor: Actor,
    at: datetime,
    person_id: int,
    package_id: int,
    assessment_id: int,
    services: tuple[ServiceLine, ...],
    why: str,
    both_read: Any,
    in_flight: Any,
) -> Result:
    """Read the package, wait until the other desk has read it too, save a change; if told, apply it on top."""
    hold = _hold_before_the_version(in_flight)
    with frozen(at):
        engine = spec.engine()
        event.listen(Session, "before_flush", hold)
        try:
            with db.reading(engine) as session:
                pkg = session.get(CarePackage, package_id)
                assert pkg is not None
                read = pkg.current_version
            mine = PackageChange(person_id, assessment_id, services, why, package_id=package_id, based_on=read)
            both_read.wait()
            try:
                with db.writing(engine) as session:
                    out = arrange.change(session, actor, mine)
                assert isinstance(out, Arranged)
                return {"desk": actor.desk, "outcome": "saved", "read": read, "version": out.version.number}
            except arrange.PackageChanged as exc:
                told: Result = {
                    "desk": actor.desk,
                    "outcome": "told",
                    "read": read,
                    "message": exc.message,
                    "theirs": [v.number for v in exc.theirs],
                    "their_desks": [v.desk for v in exc.theirs],
                    "differences": list(exc.differences),
                }
            except Exception as exc:  # anything else is the finding: say what it was
                return {"desk": actor.desk, "outcome": f"{type(exc).__name__}: {exc}", "read": read}
            with db.reading(engine) as session:  # the one key: apply mine on top of theirs
                rebased = arrange.on_top(session, mine)
            with db.writing(engine) as session:
                out = arrange.change(session, actor, rebased)
            assert isinstance(out, Arranged)
            return {**told, "on_top": out.version.number, "on_top_differences": list(out.differences)}
        finally:
            event.remove(Session, "before_flush", hold)
            engine.dispose()


def poll_reviews(spec: DbSpec, actor: Actor, at: datetime, ready: Any | None) -> Result:
    """A desk's reminder poll for package reviews, at ``at``; with ``ready``, at the same moment as the other desk."""
    with frozen(at):
        engine = spec.engine()
        try:
            if ready is not None:
                ready.wait()
            with db.writing(engine) as session:
                raised = reminders.poll_reviews(session, actor, zone_id="BXM")
            with db.reading(engine) as session:
                shown = reminders.outstanding_reviews(session, zone_id="BXM")
            return {
                "desk": actor.desk,
                "raised": [(r.id, r.package_id, r.kind, r.raised_by_desk) for r in raised],
                "shown": [r.id for r in shown],
            }
        finally:
            engine.dispose()
