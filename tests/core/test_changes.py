"""The change marks open screens poll: they move when something is saved, at this desk or another, and only then.

"Another desk" is a second engine on the same database: its own connections,
nothing shared with the first but the data.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine

from desk import db
from desk.history import Actor
from desk.services import calls, caseload, changes, people, timeline
from tests.helpers.fixtures import FrozenClock, Registrar


def _mark(engine: Engine, person_id: int | None = None) -> int:
    with db.reading(engine) as session:
        return changes.mark(session, person_id=person_id)


def _drafts(engine: Engine) -> tuple[int, object]:
    with db.reading(engine) as session:
        return changes.drafts_mark(session)


def test_the_mark_moves_when_another_desk_saves_and_stands_still_when_it_only_reads(
    engine: Engine, reopen: Callable[[], Engine], register: Registrar, actor: Actor
) -> None:
    doris = register(family_name="Pascoe", given_name="Doris")
    other_desk = reopen()
    before = _mark(engine)
    assert before > 0  # Doris's registration is on record

    with db.reading(other_desk) as session:  # reading everything a screen shows saves nothing
        calls.log_for_day(session, "BXM")
        calls.unfinished(session, "BXM")
        people.record(session, doris.id)  # type: ignore[arg-type]
        timeline.timeline(session, doris.id)  # type: ignore[arg-type]
        caseload.page(session, "BXM")
    assert _mark(engine) == before

    with db.writing(other_desk) as session:
        calls.start(session, Actor(actor.staff_id, "desk-2"), "BXM", number="0117 496 0123")
    assert _mark(engine) > before


def test_a_person_mark_moves_only_for_that_person(
    engine: Engine, reopen: Callable[[], Engine], register: Registrar, actor: Actor
) -> None:
    doris = register(family_name="Pascoe", given_name="Doris")
    fred = register(family_name="Tozer", given_name="Fred")
    other_desk = reopen()
    doris_before, fred_before = _mark(engine, doris.id), _mark(engine, fred.id)
    assert doris_before and fred_before and doris_before != fred_before

    with db.writing(other_desk) as session:
        call = calls.start(session, actor, "BXM")  # nobody chosen yet: nobody's mark moves
    assert (_mark(engine, doris.id), _mark(engine, fred.id)) == (doris_before, fred_before)

    with db.writing(other_desk) as session:
        calls.finish(
            session,
            actor,
            call.id,
            calls.CallDetails(
                person_id=doris.id,
                reason="advice",
                notes="Daughter says she is more breathless.",
                outcome="Nurse visit booked",
            ),
            expected_version=call.version,
        )
    assert _mark(engine, doris.id) > doris_before
    assert _mark(engine, fred.id) == fred_before
    assert _mark(engine, 999_999) == 0  # nobody: nothing ever saved


def test_the_drafts_mark_moves_as_notes_are_typed_and_settles_when_the_call_ends(
    engine: Engine, reopen: Callable[[], Engine], actor: Actor, clock: FrozenClock
) -> None:
    other_desk = reopen()
    assert _drafts(engine) == (0, None)
    with db.writing(other_desk) as session:
        call = calls.start(session, actor, "BXM")
    started = _drafts(engine)
    assert started[0] == 1

    clock.advance(timedelta(seconds=3))
    with db.writing(other_desk) as session:
        calls.save_draft(session, call.id, calls.CallDetails(person_id=None, reason="", notes="Rang about", outcome=""))  # type: ignore[arg-type]
    typed = _drafts(engine)
    assert typed[0] == 1 and typed != started  # the same count, a newer save

    history_before = _mark(engine)
    with db.writing(other_desk) as session:
        calls.finish(
            session,
            actor,
            call.id,
            calls.CallDetails(person_id=None, reason="advice", notes="Rang about opening hours", outcome="Told them"),
            expected_version=call.version,
        )
    assert _drafts(engine) == (0, None)
    assert _mark(engine) > history_before
