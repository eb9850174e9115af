"""Reference data: zones, practices, wards, care homes and staff, shipped in data/."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import NotRequired, TypedDict

from sqlmodel import Session, col, select

from desk import phones
from desk.models import Organisation, Practice, Staff, Zone
from desk.rows import StaffRow
from desk.vocabulary import ROLES


class ZoneEntry(TypedDict):
    """A zone of the reference data: its code, name and the zone line's number."""

    id: str
    name: str
    phone: str


class PracticeEntry(TypedDict):
    """A GP practice: its ODS code, name, zone and number."""

    ods_code: str
    name: str
    zone: str
    phone: str


class OrganisationEntry(TypedDict):
    """A ward, care home or other organisation; ``zone`` is None for one the whole trust shares."""

    kind: str
    name: str
    zone: str | None
    phone: str


class StaffEntry(TypedDict):
    """A member of staff: name, role (one of desk.vocabulary.ROLES), zone and, if they have one, a number."""

    name: str
    role: str
    zone: str
    phone: NotRequired[str]


class ReferenceData(TypedDict):
    """The reference data as data/reference.json holds it."""

    zones: list[ZoneEntry]
    practices: list[PracticeEntry]
    organisations: list[OrganisationEntry]
    staff: list[StaffEntry]


def shipped() -> ReferenceData:
    """The reference data as shipped with the desk."""
    data: ReferenceData = json.loads((files("desk.data") / "reference.json").read_text(encoding="utf-8"))
    return data


def load(session: Session, data: ReferenceData | None = None) -> bool:
    """Load the reference data into an empty database; returns False if already there."""
    if session.exec(select(Zone)).first() is not None:
        return False
    data = data or shipped()
    for z in data["zones"]:
        session.add(Zone(id=z["id"], name=z["name"], phone_e164=phones.parse(z["phone"]).e164))
    session.flush()
    for p in data["practices"]:
        ph = phones.parse(p["phone"])
        session.add(
            Practice(
                ods_code=p["ods_code"],
                name=p["name"],
                zone_id=p["zone"],
                phone_e164=ph.e164,
                phone_raw=ph.raw,
                phone_valid=ph.valid,
            )
        )
    for o in data["organisations"]:
        ph = phones.parse(o["phone"])
        session.add(
            Organisation(
                kind=o["kind"],
                name=o["name"],
                zone_id=o["zone"],
                phone_e164=ph.e164,
                phone_raw=ph.raw,
                phone_valid=ph.valid,
            )
        )
    for s in data["staff"]:
        assert s["role"] in ROLES, s
        session.add(
            Staff(
                name=s["name"],
                role=s["role"],
                zone_id=s["zone"],
                phone_e164=phones.parse(s["phone"]).e164 if s.get("phone") else None,
            )
        )
    session.flush()
    return True


def zones(session: Session) -> list[Zone]:
    """All zones, in code order."""
    return list(session.exec(select(Zone).order_by(Zone.id)))


def zone(session: Session, zone_id: str) -> Zone | None:
    """One zone by its code (case-insensitive)."""
    return session.get(Zone, zone_id.upper())


def staff(session: Session, zone_id: str | None = None) -> list[StaffRow]:
    """Active staff, of one zone or all, by name."""
    q = select(Staff.id, Staff.name, Staff.role, Staff.zone_id).where(col(Staff.active))
    if zone_id:
        q = q.where(Staff.zone_id == zone_id)
    return [StaffRow(*row) for row in session.exec(q.order_by(Staff.name))]


def practices(session: Session, zone_id: str | None = None) -> list[Practice]:
    """GP practices, of one zone or all, by name."""
    q = select(Practice)
    if zone_id:
        q = q.where(Practice.zone_id == zone_id)
    return list(session.exec(q.order_by(Practice.name)))
