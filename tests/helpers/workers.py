"""Two desks in two processes: the workers and the harness that runs them side by side.

Each worker opens its own engine from a :class:`DbSpec` (nothing is shared but
the database), does one thing a desk does, and reports what happened as a
plain dict. Barriers and events order the steps; the only sleep is the one
that holds SQLite's write lock long enough for the other desk to queue behind it.
"""

from __future__ import annotations

import multiprocessing as mp
import queue as queue_mod
import time
import traceback
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlmodel import Session

from desk import db, history
from desk.errors import StaleRecord
from desk.history import Actor
from desk.models import Person
from desk.services import people, rings
from tests.helpers.dbspec import DbSpec

STEP_TIMEOUT_S = 30
SQLITE_HOLD_S = 1.0

Result = dict[str, Any]


def run_together(*jobs: tuple[Callable[..., Result], tuple[Any, ...]], timeout: float = 90) -> list[Result]:
    """Run each ``(worker, args)`` in its own spawned process; return their results in job order.

    Every worker receives ``(report, *args)`` where ``report(dict)`` sends its result back.
    """
    ctx = mp.get_context("spawn")
    results: Any = ctx.Queue()
    procs = [ctx.Process(target=_run, args=(i, fn, results, args), daemon=True) for i, (fn, args) in enumerate(jobs)]
    for p in procs:
        p.start()
    got: dict[int, Result] = {}
    deadline = time.monotonic() + timeout
    try:
        while len(got) < len(procs):
            try:
                index, outcome = results.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue_mod.Empty:
                raise AssertionError(f"workers did not report within {timeout}s; got {got}") from None
            got[index] = outcome
    finally:
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
                p.join()
    for index, outcome in sorted(got.items()):
        assert "crash" not in outcome, f"worker {index} crashed:\n{outcome['crash']}"
    return [got[i] for i in range(len(procs))]


def barriers(n: int = 2, parties: int = 2) -> list[Any]:
    """Barriers usable by spawned workers."""
    ctx = mp.get_context("spawn")
    return [ctx.Barrier(parties, timeout=STEP_TIMEOUT_S) for _ in range(n)]


def spawn_event() -> Any:
    return mp.get_context("spawn").Event()


def _run(index: int, fn: Callable[..., Result], results: Any, args: tuple[Any, ...]) -> None:
    try:
        outcome = fn(*args)
    except BaseException:  # report everything: the parent asserts on it
        outcome = {"crash": traceback.format_exc()}
    results.put((index, outcome))


# --- the workers ----------------------------------------------------------------------


def update_after_both_read(spec: DbSpec, actor: Actor, person_id: int, family_name: str, both_read: Any) -> Result:
    """Read the person (version v), wait until the other desk has read too, then save with v."""
    engine = spec.engine()
    try:
        with db.reading(engine) as session:
            version = session.get(Person, person_id).version  # type: ignore[union-attr]
        both_read.wait()
        try:
            with db.writing(engine) as session:
                people.update(
                    session,
                    actor,
                    person_id,
                    people.PersonChanges(family_name=family_name),
                    expected_version=version,
                    why=f"{actor.desk} corrects the name",
                )
            return {"desk": actor.desk, "outcome": "saved", "read_version": version}
        except StaleRecord as exc:
            return {"desk": actor.desk, "outcome": "stale", "message": exc.message, "read_version": version}
    finally:
        engine.dispose()


def update_both_in_flight(spec: DbSpec, actor: Actor, person_id: int, family_name: str, both_checked: Any) -> Result:
    """``people.update`` with both desks held just before their first flush.

    By then each has loaded the row and passed the version check in Python, so
    only the database's ``version_id_col`` condition can refuse the second.
    """
    engine = spec.engine()
    held = {"done": False}

    def hold(session: Session, _ctx: Any, _instances: Any) -> None:
        if not held["done"] and any(isinstance(o, Person) for o in session.dirty):
            held["done"] = True
            both_checked.wait()

    event.listen(Session, "before_flush", hold)
    try:
        with db.reading(engine) as session:
            version = session.get(Person, person_id).version  # type: ignore[union-attr]
        try:
            with db.writing(engine) as session:
                people.update(
                    session,
                    actor,
                    person_id,
                    people.PersonChanges(family_name=family_name),
                    expected_version=version,
                    why=f"{actor.desk} corrects the name",
                )
            return {"desk": actor.desk, "outcome": "saved"}
        except StaleRecord as exc:
            return {"desk": actor.desk, "outcome": "stale", "message": exc.message}
    finally:
        event.remove(Session, "before_flush", hold)
        engine.dispose()


def save_loaded_copy(
    spec: DbSpec, actor: Actor, person_id: int, family_name: str, loaded: Any, other_saved: Any
) -> Result:
    """Load the person, let the other desk commit, then save the copy loaded earlier.

    The Python version check passes (the copy still says v); the UPDATE's
    ``WHERE version = v`` matches nothing, which must become StaleRecord.
    """
    engine = spec.engine()
    try:
        with db.reading(engine) as session:
            person = session.get(Person, person_id)
            assert person is not None
        loaded.wait()
        other_saved.wait()
        try:
            with db.writing(engine) as session:
                session.add(person)
                history.change(
                    session,
                    actor,
                    person,
                    {"family_name": family_name},
                    expected_version=person.version,
                    why=f"{actor.desk} corrects the name",
                    person_id=person_id,
                    label="person's record",
                )
            return {"desk": actor.desk, "outcome": "saved"}
        except StaleRecord as exc:
            return {"desk": actor.desk, "outcome": "stale", "message": exc.message}
    finally:
        engine.dispose()


def save_between(spec: DbSpec, actor: Actor, person_id: int, family_name: str, loaded: Any, other_saved: Any) -> Result:
    """The other desk: wait until the first has loaded, save normally, then let it go on."""
    engine = spec.engine()
    try:
        loaded.wait()
        with db.writing(engine) as session:
            version = session.get(Person, person_id).version  # type: ignore[union-attr]
            people.update(
                session,
                actor,
                person_id,
                people.PersonChanges(family_name=family_name),
                expected_version=version,
                why=f"{actor.desk} corrects the name",
            )
        other_saved.wait()
        return {"desk": actor.desk, "outcome": "saved"}
    finally:
        engine.dispose()


def hold_write_lock(spec: DbSpec, actor: Actor, person_id: int, family_name: str, holding: Any) -> Result:
    """Change the person and keep the transaction (and SQLite's write lock) open for a second."""
    engine = spec.engine()
    try:
        with db.writing(engine) as session:
            version = session.get(Person, person_id).version  # type: ignore[union-attr]
            people.update(
                session,
                actor,
                person_id,
                people.PersonChanges(family_name=family_name),
                expected_version=version,
                why=f"{actor.desk} corrects the name",
            )
            holding.set()
            time.sleep(SQLITE_HOLD_S)  # the other desk is now queued behind our lock
        return {"desk": actor.desk, "outcome": "saved", "version_read": version}
    finally:
        engine.dispose()


def write_while_locked(spec: DbSpec, actor: Actor, person_id: int, given_name: str, holding: Any) -> Result:
    """Once the other desk holds the lock, read and save: this must wait, then succeed."""
    engine = spec.engine()
    try:
        assert holding.wait(STEP_TIMEOUT_S), "the other desk never took the lock"
        with db.writing(engine) as session:
            version = session.get(Person, person_id).version  # type: ignore[union-attr]
            people.update(
                session,
                actor,
                person_id,
                people.PersonChanges(given_name=given_name),
                expected_version=version,
                why=f"{actor.desk} corrects the name",
            )
        return {"desk": actor.desk, "outcome": "saved", "version_read": version}
    finally:
        engine.dispose()


def claim_ring(spec: DbSpec, ring_id: int, desk: str, ready: Any) -> Result:
    """Press 'answer' on a ring at the same moment as the other desk."""
    engine = spec.engine()
    try:
        ready.wait()
        with db.writing(engine) as session:
            won = rings.claim(session, ring_id, desk)
        return {"desk": desk, "won": won}
    finally:
        engine.dispose()
