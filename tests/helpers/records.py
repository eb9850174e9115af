"""Care records the desk reads but (so far) other screens write: put them straight in.

Each helper writes in its own transaction and refreshes the person's caseload
row, as a service that changed those records would.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlmodel import SQLModel, select

from desk import db
from desk.models import CarePackage, CarePackageItem, Organisation, Person
from desk.services import caseload


def put(engine: Engine, person_id: int, *records: SQLModel) -> list[SQLModel]:
    """Add records about one person and refresh their caseload row."""
    with db.writing(engine) as session:
        for record in records:
            session.add(record)
        session.flush()
        caseload.refresh(session, person_id)
    return list(records)


def change(engine: Engine, record: SQLModel, person_id: int, **values: Any) -> None:
    """Change a record put earlier (end it, discharge it...) and refresh the caseload row."""
    with db.writing(engine) as session:
        current = session.get(type(record), record.id)  # type: ignore[attr-defined]
        assert current is not None
        for key, value in values.items():
            setattr(current, key, value)
        session.flush()
        caseload.refresh(session, person_id)


def set_key_worker(engine: Engine, person_id: int, staff_id: int | None) -> None:
    with db.writing(engine) as session:
        person = session.get(Person, person_id)
        assert person is not None
        person.key_worker_id = staff_id
        session.flush()
        caseload.refresh(session, person_id)


def package(
    engine: Engine,
    person_id: int,
    *services: str,
    started_on: date,
    review_due: date | None = None,
    weekly_cost_pence: int = 0,
) -> CarePackage:
    """An active package with one item per service."""
    with db.writing(engine) as session:
        pkg = CarePackage(person_id=person_id, started_on=started_on, review_due=review_due)
        session.add(pkg)
        session.flush()
        for service in services:
            session.add(
                CarePackageItem(
                    package_id=pkg.id,
                    service=service,
                    provider="Bay Care",  # type: ignore[arg-type]
                    start_date=started_on,
                    weekly_cost_pence=weekly_cost_pence,
                )
            )
        session.flush()
        caseload.refresh(session, person_id)
        return pkg


def ward_id(engine: Engine, name_starts: str = "Brixham Community Hospital") -> int:
    with db.reading(engine) as session:
        wards = session.exec(select(Organisation).where(Organisation.kind == "ward")).all()
    return next(w.id for w in wards if w.name.startswith(name_starts))  # type: ignore[misc]
