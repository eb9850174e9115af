"""The caseload's PICKUP flag: a person home from hospital whom the zone has not yet picked up.

The flag is read with the page (only the window's rows ask), so it goes the
moment someone acknowledges the pick-up; the desk's opening runs the very
same query through the bare driver. A person on the caseload only because of
the pick-up stays on it until then (and leaves at the next refresh of their row).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from desk import clock, db, history
from desk.discharge import pickups
from desk.discharge.pickups import PickupAck
from desk.discharge_models import ZonePickup
from desk.history import Actor
from desk.models import Admission
from desk.rows import CaseloadRow
from desk.services import caseload
from tests.helpers.fixtures import FrozenClock, Registrar
from tests.helpers.in_hospital import in_hospital


def _rows(engine: Engine) -> dict[str, CaseloadRow]:
    with db.reading(engine) as session:
        return {r.name: r for r in caseload.page(session, "BXM").rows}


def _home_to_pick_up(engine: Engine, actor: Actor, person_id: int) -> int:
    """Discharged an hour ago with nothing else that keeps them on the caseload; the pick-up's id."""
    now = clock.now()
    adm = in_hospital(engine, actor, person_id, now - timedelta(days=3), ready_on=clock.today())
    with db.writing(engine) as session:
        caseload.refresh(session, person_id)
    assert "HOSP" in _rows(engine)["HEXT, Reg"].flags
    with db.writing(engine) as session:
        stay = session.get(Admission, adm)
        assert stay is not None
        stay.discharged_at = now - timedelta(hours=1)
        p = ZonePickup(
            admission_id=adm,
            person_id=person_id,
            zone_id="BXM",
            discharged_at=now - timedelta(hours=1),
            put_in_place="No new support (pathway 0)",
            made_at=now,
            made_by_id=actor.staff_id,
            next_raise_at=now,
        )
        history.create(session, actor, p, "Zone told of the discharge", person_id)
        caseload.refresh(session, person_id)
        assert p.id is not None
        return p.id


def _reg(engine: Engine) -> int:
    """Reg, on the register from a bulk load (no member of staff): nothing yet puts him on the caseload."""
    reg = Registrar(engine, Actor(None, "load"))(family_name="Hext", given_name="Reg")
    assert reg.id is not None
    return reg.id


def test_pickup_flags_the_row_until_acknowledged(engine: Engine, actor: Actor, clock: FrozenClock) -> None:
    reg_id = _reg(engine)
    pickup_id = _home_to_pick_up(engine, actor, reg_id)
    row = _rows(engine)["HEXT, Reg"]  # nothing else keeps him on the caseload: the pick-up does
    assert row.pickup and not row.in_hospital
    assert row.flags == "PICKUP"

    with db.writing(engine) as session:
        version = session.get(ZonePickup, pickup_id).version  # type: ignore[union-attr]
        pickups.acknowledge(session, actor, PickupAck(pickup_id, version))
    assert not _rows(engine)["HEXT, Reg"].pickup  # gone at once, before any refresh
    with db.writing(engine) as session:  # his next refresh lets him go: nothing keeps him on it now
        caseload.refresh(session, reg_id)
    assert "HEXT, Reg" not in _rows(engine)


def test_the_rebuild_keeps_a_person_to_pick_up(engine: Engine, actor: Actor, clock: FrozenClock) -> None:
    _home_to_pick_up(engine, actor, _reg(engine))
    with db.writing(engine) as session:
        caseload.rebuild(session, "BXM")
    assert _rows(engine)["HEXT, Reg"].flags == "PICKUP"
