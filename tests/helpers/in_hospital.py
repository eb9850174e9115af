"""Stays in hospital made straight from the models, for the discharge core's tests (no admission service needed)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from desk import db, history
from desk.history import Actor
from desk.models import Admission, Organisation


def ward_id(session: Session, prefix: str = "Ward 3") -> int:
    """The id of the ward whose name starts with ``prefix``."""
    ward = session.exec(
        select(Organisation).where(Organisation.kind == "ward", col(Organisation.name).startswith(prefix))
    ).one()
    assert ward.id is not None
    return ward.id


def in_hospital(
    engine: Engine,
    actor: Actor,
    person_id: int,
    admitted_at: datetime,
    *,
    ready_on: date | None = None,
    ward: str = "Ward 3",
    **plan: object,
) -> int:
    """An open stay on ``ward`` since ``admitted_at``, with the plan given; its id."""
    with db.writing(engine) as session:
        adm = Admission(
            person_id=person_id,
            ward_id=ward_id(session, ward),
            admitted_at=admitted_at,
            reason="Fall at home",
            recorded_at=admitted_at,
            recorded_by_id=actor.staff_id,
            ready_on=ready_on,
            **plan,  # type: ignore[arg-type]
        )
        history.create(session, actor, adm, "Admitted", person_id)
        assert adm.id is not None
        return adm.id
