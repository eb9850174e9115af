"""The caseload row is refreshed in the transaction that changes a person: all of it lands, or none of it.

Another desk (a second engine) reads the caseload the moment the change is
committed; a change that fails half-way leaves neither the record nor its row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from desk import clock, db, history
from desk.history import Actor
from desk.models import Referral
from desk.services import caseload
from tests.helpers.fixtures import FrozenClock, Registrar


def _refer(session: Session, actor: Actor, person_id: int) -> None:
    """A referral given as a service gives it: with its history entry and the person's row refreshed."""
    history.create(
        session,
        actor,
        Referral(
            person_id=person_id,
            received_at=clock.now(),
            discipline="physiotherapy",
            urgency="fast",
            reason="Falls at home",
            source="Daughter",
            due_at=clock.now() + timedelta(days=1),
        ),
        "Referred by the zone line",
        person_id=person_id,
    )
    caseload.refresh(session, person_id)


def _on_caseload(engine: Engine) -> list[tuple[str, str]]:
    with db.reading(engine) as session:
        return [(r.name, r.health) for r in caseload.page(session, "BXM").rows]


def test_registered_and_referred_in_one_transaction_is_on_the_caseload_for_every_desk_at_once(
    engine: Engine, reopen: Callable[[], Engine], register: Registrar, actor: Actor, clock: FrozenClock
) -> None:
    other_desk = reopen()
    with db.writing(engine) as session:
        ada = register(session, family_name="Abbott", given_name="Ada")
        assert _on_caseload(other_desk) == []  # not committed: nobody else sees her yet
        _refer(session, actor, ada.id)  # type: ignore[arg-type]
    assert _on_caseload(other_desk) == [("ABBOTT, Ada", "ref Physio")]


def test_a_referral_that_fails_half_way_leaves_no_row_behind(
    engine: Engine, register: Registrar, actor: Actor, clock: FrozenClock
) -> None:
    ada = register(family_name="Abbott", given_name="Ada")
    with pytest.raises(RuntimeError), db.writing(engine) as session:
        _refer(session, actor, ada.id)  # type: ignore[arg-type]
        raise RuntimeError("the desk lost its connection before the commit")
    assert _on_caseload(engine) == [("ABBOTT, Ada", "Registered 23-Nov")]  # newly registered, and no referral
