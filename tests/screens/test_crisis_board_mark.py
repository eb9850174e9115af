"""The crisis board's change mark: it moves for every change, even one committed out of id order.

The board re-reads only when the mark moves, so a change the mark missed
would never show. On PostgreSQL a transaction can take a history id and
commit after another took a higher one and committed; SQLite writes one
transaction at a time, so there the order is always the id order.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from desk import clock, db
from desk.crisis import board
from desk.history import Actor
from desk.models import History
from tests.helpers.fixtures import FrozenClock


def change(actor: Actor, why: str) -> History:
    return History(
        at=clock.now(),
        staff_id=actor.staff_id,
        desk=actor.desk,
        entity="crisis",
        entity_id="1",
        action="update",
        why=why,
    )


def mark(engine: Engine) -> tuple[int, int]:
    with db.reading(engine) as session:
        return board.changed_mark(session)


def test_the_mark_moves_for_each_change_and_stays_put_without_one(
    engine: Engine, actor: Actor, clock: FrozenClock
) -> None:
    before = mark(engine)
    assert mark(engine) == before
    with db.writing(engine) as session:
        session.add(change(actor, "Crisis escalated"))
    after = mark(engine)
    assert after != before and after[0] > before[0]


def test_a_change_committed_after_a_later_one_still_moves_the_mark(
    engine: Engine, reopen: Callable[[], Engine], actor: Actor, clock: FrozenClock
) -> None:
    if not db.is_postgres(engine):  # one writer at a time: commits come in id order
        with db.writing(engine) as session:
            session.add(change(actor, "first"))
        seen = mark(engine)
        with db.writing(engine) as session:
            session.add(change(actor, "second"))
        assert mark(engine) != seen
        return
    slow_desk, quick_desk = reopen(), reopen()
    with db.writing(slow_desk) as slow:
        slow.add(change(actor, "Liaison: Ambulance service"))
        slow.flush()  # has its id, not yet committed
        with db.writing(quick_desk) as quick:
            quick.add(change(actor, "Visit arrived"))
        seen = mark(engine)  # the board sees the quicker one
    assert mark(engine) != seen  # and the slower one, committed with the lower id, moves the mark again
