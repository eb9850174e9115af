"""Requested and available: the 28-day package and 7-day equipment targets, and the trust's waiting list.

Every package records the day it was requested and the day it became
available (its first service active); every equipment item likewise (the day
it was delivered). The target date is stored with each (requested + 28 days,
or + 7 for equipment; per zone in the configuration), so days left are
computed from stored dates and the waiting list walks one index
(``available_on, target_on``) per table, soonest target first, at trust scale.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from desk import clock
from desk.models import CarePackage, CarePackageItem, Person

TARGET_DAYS: dict[str, int] = {"package": 28, "equipment": 7}
"""Torbay's standards: 95% of packages available within 28 days, 99% of equipment within 7."""


@dataclass(frozen=True)
class Waiting:
    """A package or equipment item not yet available, with the days left to its target."""

    kind: str  # package | equipment (a service added to a package counts as its package)
    package_id: int
    item_id: int | None
    person_id: int
    person: str
    zone_id: str
    what: str
    requested_on: date
    target_on: date
    days_left: int
    at_risk_days: int = 3

    @property
    def flag(self) -> str:
        """``missed`` past its target, ``at risk`` with few days left, else empty."""
        if self.days_left < 0:
            return "missed"
        if self.days_left <= self.at_risk_days:
            return "at risk"
        return ""

    @property
    def words(self) -> str:
        """``Package: 5 days left of 28`` or ``Equipment: 2 days over its 7``."""
        target = TARGET_DAYS["equipment" if self.kind == "equipment" else "package"]
        label = "Equipment" if self.kind == "equipment" else "Package"
        if self.days_left < 0:
            return f"{label}: {-self.days_left} days over its {target}"
        return f"{label}: {self.days_left} day{'s' if self.days_left != 1 else ''} left of {target}"


def _of_person(column: Any) -> Any:
    """A column of the package's person, looked up by primary key for each waiting row.

    Not a join: packages from before targets (most of them, after migration
    0006) have neither an available nor a target date, so PostgreSQL took
    far too many rows to be waiting, hashed every person to join them, and
    the trust's list took 150 ms. Looked up row by row, it walks the
    ``(available_on, target_on)`` index and touches only the people listed.
    """
    return sa_select(col(column)).where(col(Person.id) == col(CarePackage.person_id)).scalar_subquery()


def waiting_list(
    session: Session,
    *,
    zone_id: str | None = None,
    person_id: int | None = None,
    limit: int = 200,
    today: date | None = None,
) -> list[Waiting]:
    """Packages and equipment not yet available across the trust (or a zone, or a person), fewest days left first."""
    today = today or clock.today()
    family, given, zone = (_of_person(c) for c in (Person.family_name, Person.given_name, Person.zone_id))
    who: list[ColumnElement[bool]] = []
    if zone_id is not None:
        who.append(zone == zone_id)
    if person_id is not None:
        who.append(col(CarePackage.person_id) == person_id)
    pkgs = session.execute(
        sa_select(
            col(CarePackage.id),
            col(CarePackage.person_id),
            col(CarePackage.requested_on),
            col(CarePackage.target_on),
            family,
            given,
            zone,
        )
        .where(
            col(CarePackage.available_on).is_(None),
            col(CarePackage.target_on).is_not(None),
            col(CarePackage.status) != "ended",
            *who,
        )
        .order_by(col(CarePackage.target_on), col(CarePackage.id))
        .limit(limit)
    ).all()
    items = session.execute(
        sa_select(
            col(CarePackageItem.id),
            col(CarePackageItem.package_id),
            col(CarePackage.person_id),
            col(CarePackageItem.requested_on),
            col(CarePackageItem.target_on),
            family,
            given,
            zone,
            col(CarePackageItem.service),
        )
        .join(CarePackage, col(CarePackage.id) == CarePackageItem.package_id)
        .where(
            col(CarePackageItem.available_on).is_(None),
            col(CarePackageItem.target_on).is_not(None),
            col(CarePackageItem.state) != "ended",
            *who,
        )
        .order_by(col(CarePackageItem.target_on), col(CarePackageItem.id))
        .limit(limit)
    ).all()
    rows = [
        Waiting(
            "package", pid, None, person, f"{fam.upper()}, {given}", zone, "Care package", req, tgt, (tgt - today).days
        )
        for pid, person, req, tgt, fam, given, zone in pkgs
    ] + [
        Waiting("equipment", pid, iid, person, f"{fam.upper()}, {given}", zone, service, req, tgt, (tgt - today).days)
        for iid, pid, person, req, tgt, fam, given, zone, service in items
    ]
    return heapq.nsmallest(limit, rows, key=lambda w: (w.days_left, w.package_id, w.item_id or 0))


def for_person(session: Session, person_id: int, *, today: date | None = None) -> list[Waiting]:
    """A person's packages and equipment still waiting, for the flags on their record and the caseload."""
    return waiting_list(session, person_id=person_id, limit=1_000, today=today)
