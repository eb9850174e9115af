"""Reference data: zones, practices, wards, care homes and staff (and the wards each discharge co-ordinator
covers), shipped in data/."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import TypedDict

from sqlalchemy import inspect
from sqlmodel import Session, col, select

from desk import phones
from desk.discharge_models import WardCover
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


class _StaffNamed(TypedDict):
    """What every staff entry has: name, role (one of desk.vocabulary.ROLES) and zone."""

    name: str
    role: str
    zone: str


class StaffEntry(_StaffNamed, total=False):
    """A member of staff: name, role and zone, and, if they have one, a number.

    A discharge co-ordinator's ``wards`` are the wards they cover, each given by the start of its name
    ("Ward 3" for "Ward 3 (Care of the Elderly), Bay General Hospital"). (The optional keys are a
    ``total=False`` class: under postponed annotations Python 3.11 reads ``NotRequired`` as required.)
    """

    phone: str
    wards: list[str]


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
    """Load the reference data into an empty database; returns False if already there.

    A database loaded before wards were covered gets the ward cover on its next open (:func:`cover_wards`).
    """
    if session.exec(select(Zone)).first() is not None:
        cover_wards(session, data)
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
    cover_wards(session, data)
    return True


def cover_wards(session: Session, data: ReferenceData | None = None) -> int:
    """Record the wards each discharge co-ordinator covers, once: returns how many were recorded.

    Does nothing when any ward cover is on record already (the desk or a manager has set it), so it is
    safe to call on every open. A ward is named by the start of its name; a co-ordinator is matched by
    name and zone.
    """
    if not inspect(session.connection()).has_table("wardcover"):
        return 0  # a schema from before ward discharge (being upgraded step by step): covered once it is there
    if session.exec(select(WardCover)).first() is not None:
        return 0
    data = data or shipped()
    wanted = [s for s in data["staff"] if s.get("wards")]
    if not wanted:
        return 0
    ward_rows = session.exec(select(Organisation.id, Organisation.name).where(Organisation.kind == "ward")).all()
    staff_ids = {
        (name, zone_id): sid
        for sid, name, zone_id in session.exec(select(Staff.id, Staff.name, Staff.zone_id))
        if sid is not None
    }
    made = 0
    for s in wanted:
        sid = staff_ids.get((s["name"], s["zone"]))
        if sid is None:
            continue
        covered = {wid for prefix in s.get("wards", []) for wid, name in ward_rows if name.startswith(prefix)}
        for wid in sorted(w for w in covered if w is not None):
            session.add(WardCover(staff_id=sid, ward_id=wid))
            made += 1
    session.flush()
    return made


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
