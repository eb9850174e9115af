"""Who changed what, and two desks saving the same record at once.

Every change a service makes leaves exactly one history entry, written in the
same transaction and never altered afterwards. When two desks (two processes,
nothing shared but the database) save the same version of a record, exactly
one save lands; the other is told, and nothing is silently overwritten.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, event, func
from sqlmodel import select

from desk import db
from desk.errors import InvalidForm, StaleRecord
from desk.history import Actor
from desk.models import Call, History, Person
from desk.services import calls, people, rings
from tests.helpers import synthetic, workers
from tests.helpers.dbspec import DbSpec
from tests.helpers.fixtures import FrozenClock, Registrar

SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
POSTGRES_ONLY = pytest.mark.parametrize(
    "backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


@dataclass
class Desk:
    """A zone with Doris on the register and a call open about her."""

    engine: Engine
    actor: Actor
    doris: Person
    call: Call


@pytest.fixture
def desk(engine: Engine, register: Registrar, actor: Actor) -> Desk:
    doris = register(family_name="Pascoe", given_name="Doris", phone=synthetic.landline(1))
    with db.writing(engine) as session:
        call = calls.start(session, actor, "BXM", number=synthetic.landline(1))
    return Desk(engine, actor, doris, call)


def history(engine: Engine) -> list[History]:
    with db.reading(engine) as session:
        return list(session.exec(select(History).order_by(History.id)))


# --- (a) one entry per change, never rewritten -------------------------------------------

Operation = Callable[[Desk], None]


def _register(d: Desk) -> None:
    with db.writing(d.engine) as s:
        people.register(s, d.actor, Registrar(d.engine, d.actor).form(nhs_number=synthetic.nhs_number(5000)))


def _update(d: Desk) -> None:
    with db.writing(d.engine) as s:
        people.update(
            s,
            d.actor,
            d.doris.id,
            people.PersonChanges(address="7 Berry Head Road"),
            expected_version=d.doris.version,  # type: ignore[arg-type]
            why="Moved house",
        )


def _contact(d: Desk) -> None:
    with db.writing(d.engine) as s:
        people.add_contact(s, d.actor, d.doris.id, people.ContactDetails(name="Jean Pascoe", relationship="daughter"))  # type: ignore[arg-type]


def _start_call(d: Desk) -> None:
    with db.writing(d.engine) as s:
        calls.start(s, d.actor, "BXM", number=synthetic.mobile(5))


def _finish_call(d: Desk) -> None:
    with db.writing(d.engine) as s:
        calls.finish(
            s,
            d.actor,
            d.call.id,  # type: ignore[arg-type]
            calls.CallDetails(person_id=d.doris.id, reason="advice", notes="", outcome="Advice given"),
            expected_version=d.call.version,
        )


CHANGES: dict[str, tuple[Operation, str, str]] = {
    "register a person": (_register, "person", "create"),
    "change a person": (_update, "person", "update"),
    "add a contact": (_contact, "contact", "create"),
    "start a call": (_start_call, "call", "create"),
    "finish a call": (_finish_call, "call", "update"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_change_leaves_exactly_one_history_entry(desk: Desk, clock: FrozenClock, change: str) -> None:
    operation, entity, action = CHANGES[change]
    before = history(desk.engine)
    operation(desk)
    after = history(desk.engine)
    assert after[: len(before)] == before
    [entry] = after[len(before) :]
    assert (entry.entity, entry.action, entry.staff_id, entry.desk, entry.at) == (
        entity,
        action,
        desk.actor.staff_id,
        "desk-1",
        clock.now,
    )
    assert entry.why.strip() and entry.entity_id
    assert entry.after  # what it became
    if action == "create":
        assert entry.before is None
    else:
        assert entry.before and set(entry.before) == set(entry.after)


def _draft(d: Desk) -> None:
    with db.writing(d.engine) as s:
        calls.save_draft(s, d.call.id, calls.CallDetails(d.doris.id, "advice", "typing..."))  # type: ignore[arg-type]


def _ring_and_claim(d: Desk) -> None:
    with db.writing(d.engine) as s:
        r = rings.ring(s, "BXM", synthetic.mobile(7))
        rings.claim(s, r.id, "desk-1")  # type: ignore[arg-type]


@pytest.mark.parametrize("operation", [_draft, _ring_and_claim], ids=["call draft", "ring and answer"])
def test_scratch_data_is_not_history(desk: Desk, clock: FrozenClock, operation: Operation) -> None:
    """Drafts and rings are working data, not the record: no history entry for them."""
    before = history(desk.engine)
    operation(desk)
    assert history(desk.engine) == before


@pytest.fixture
def history_writes(desk: Desk) -> Iterator[list[str]]:
    """Every UPDATE or DELETE statement aimed at the history table."""
    seen: list[str] = []
    touches_history = re.compile(r"^\s*(UPDATE|DELETE\s+FROM)\s+\"?history\b", re.IGNORECASE)

    def watch(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if touches_history.search(statement):
            seen.append(statement)

    event.listen(desk.engine, "before_cursor_execute", watch)
    yield seen
    event.remove(desk.engine, "before_cursor_execute", watch)


def test_history_is_never_rewritten(desk: Desk, clock: FrozenClock, history_writes: list[str]) -> None:
    """A day's worth of changes: every earlier entry stays exactly as written."""
    earlier = history(desk.engine)
    _draft(desk)
    _ring_and_claim(desk)
    for operation, _, _ in CHANGES.values():
        operation(desk)
    assert history_writes == []
    assert history(desk.engine)[: len(earlier)] == earlier


@pytest.mark.parametrize(
    ("form", "version_offset", "refusal"),
    [
        (people.PersonChanges(date_of_birth="01/01/2100"), 0, InvalidForm),
        (people.PersonChanges(address="7 Berry Head Road"), -1, StaleRecord),
    ],
    ids=["invalid", "stale"],
)
def test_a_refused_change_leaves_no_entry(
    desk: Desk, clock: FrozenClock, form: people.PersonChanges, version_offset: int, refusal: type[Exception]
) -> None:
    before = history(desk.engine)
    with pytest.raises(refusal), db.writing(desk.engine) as s:
        people.update(
            s,
            desk.actor,
            desk.doris.id,
            form,
            expected_version=desk.doris.version + version_offset,  # type: ignore[arg-type]
            why="typo",
        )
    assert history(desk.engine) == before


# --- (b) two desks, one version -----------------------------------------------------------


@dataclass
class Clash:
    """What the database holds after two desks saved the same person."""

    family_name: str
    version: int
    updates: int


def after_clash(engine: Engine, person_id: int) -> Clash:
    with db.reading(engine) as session:
        person = session.get(Person, person_id)
        assert person is not None
        updates = session.exec(
            select(func.count())
            .select_from(History)
            .where(History.entity == "person", History.entity_id == str(person_id), History.action == "update")
        ).one()
        return Clash(person.family_name, person.version, updates)


def two_actors(actor: Actor) -> tuple[Actor, Actor]:
    return Actor(actor.staff_id, "desk-1"), Actor(actor.staff_id, "desk-2")


def test_two_desks_save_the_same_version(
    engine: Engine, engine_spec: DbSpec, register: Registrar, actor: Actor
) -> None:
    """Both read version v, then both save with v: one lands, the other is refused."""
    person = register(family_name="Pascoe")
    one, two = two_actors(actor)
    [both_read] = workers.barriers(1)
    results = workers.run_together(
        (workers.update_after_both_read, (engine_spec, one, person.id, "Pascoe-One", both_read)),
        (workers.update_after_both_read, (engine_spec, two, person.id, "Pascoe-Two", both_read)),
    )
    assert all(r["read_version"] == person.version for r in results)
    assert sorted(r["outcome"] for r in results) == ["saved", "stale"]
    winner = next(r["desk"] for r in results if r["outcome"] == "saved")
    loser = next(r for r in results if r["outcome"] == "stale")
    assert "changed at another desk" in loser["message"] and "Nothing of yours was saved" in loser["message"]
    assert after_clash(engine, person.id) == Clash(
        f"Pascoe-{'One' if winner == 'desk-1' else 'Two'}",  # type: ignore[arg-type]
        person.version + 1,
        1,
    )


def test_the_database_refuses_a_save_from_a_stale_copy(
    engine: Engine, engine_spec: DbSpec, register: Registrar, actor: Actor
) -> None:
    """Desk 1 loaded the row; desk 2 saved; desk 1 saves its copy. The Python check passes
    (the copy says v), so only the UPDATE's version condition stands between desk 1 and
    a silent overwrite: it must become StaleRecord."""
    person = register(family_name="Pascoe")
    one, two = two_actors(actor)
    loaded, other_saved = workers.barriers(2)
    stale_copy, normal = workers.run_together(
        (workers.save_loaded_copy, (engine_spec, one, person.id, "Pascoe-One", loaded, other_saved)),
        (workers.save_between, (engine_spec, two, person.id, "Pascoe-Two", loaded, other_saved)),
    )
    assert normal["outcome"] == "saved"
    assert stale_copy["outcome"] == "stale"
    assert "changed at another desk a moment ago" in stale_copy["message"]  # refused at flush, by the database
    assert after_clash(engine, person.id) == Clash("Pascoe-Two", person.version + 1, 1)  # type: ignore[arg-type]


@POSTGRES_ONLY
def test_two_saves_in_flight_at_once(engine: Engine, engine_spec: DbSpec, register: Registrar, actor: Actor) -> None:
    """PostgreSQL lets both transactions read and pass the version check before either writes;
    the second UPDATE waits on the first's row lock, then finds the version gone.

    (On SQLite the second desk cannot even read until the first commits: BEGIN IMMEDIATE.)
    """
    person = register(family_name="Pascoe")
    one, two = two_actors(actor)
    [both_checked] = workers.barriers(1)
    results = workers.run_together(
        (workers.update_both_in_flight, (engine_spec, one, person.id, "Pascoe-One", both_checked)),
        (workers.update_both_in_flight, (engine_spec, two, person.id, "Pascoe-Two", both_checked)),
    )
    assert sorted(r["outcome"] for r in results) == ["saved", "stale"]
    winner = next(r["desk"] for r in results if r["outcome"] == "saved")
    loser = next(r for r in results if r["outcome"] == "stale")
    assert "changed at another desk a moment ago" in loser["message"]
    assert after_clash(engine, person.id) == Clash(
        f"Pascoe-{'One' if winner == 'desk-1' else 'Two'}",  # type: ignore[arg-type]
        person.version + 1,
        1,
    )


# --- (c) SQLite: a second writer waits its turn -----------------------------------------------


@SQLITE_ONLY
def test_a_second_sqlite_writer_waits_rather_than_failing(
    engine: Engine, engine_spec: DbSpec, register: Registrar, actor: Actor
) -> None:
    """Desk 1 holds a write transaction for a second; desk 2 writes meanwhile. Desk 2 waits,
    then reads desk 1's committed change and saves on top of it: no SQLITE_BUSY, no lost write."""
    person = register(family_name="Pascoe", given_name="Doris")
    one, two = two_actors(actor)
    holding = workers.spawn_event()
    first, second = workers.run_together(
        (workers.hold_write_lock, (engine_spec, one, person.id, "Pascoe-One", holding)),
        (workers.write_while_locked, (engine_spec, two, person.id, "Dorothy", holding)),
    )
    assert (first["outcome"], second["outcome"]) == ("saved", "saved")
    assert first["version_read"] == person.version
    assert second["version_read"] == person.version + 1  # it read only after desk 1 committed
    with db.reading(engine) as session:
        saved = session.get(Person, person.id)
        assert saved is not None and (saved.family_name, saved.given_name, saved.version) == (
            "Pascoe-One",
            "Dorothy",
            person.version + 2,
        )
