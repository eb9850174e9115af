"""The waiting list by zone and by person: the person's columns are looked up per row, the filters still hold."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from desk import db
from desk.history import Actor
from desk.packages import targets
from desk.services.reference import StaffRow
from tests.core.test_packages_arrange import assess, doris, first_package  # noqa: F401
from tests.helpers.fixtures import FrozenClock, Registrar


def test_the_waiting_list_of_a_zone_and_of_a_person(
    engine: Engine,
    actor: Actor,
    clock: FrozenClock,
    register: Registrar,
    bxm_staff: dict[str, StaffRow],
    doris: int,  # noqa: F811
) -> None:
    rec = assess(engine, actor, doris, bxm_staff["nurse"], clock=clock)
    made = first_package(engine, actor, doris, rec.id, clock.today)
    other = register(family_name="Yeo", given_name="Jim")
    assert other.id is not None
    clock.advance(timedelta(days=30))
    with db.reading(engine) as session:
        trust = targets.waiting_list(session)
        assert [(w.package_id, w.person, w.zone_id, w.flag) for w in trust] == [
            (made.package_id, "PASCOE, Doris", "BXM", "missed")
        ]
        assert trust[0].words == "Package: 2 days over its 28"
        assert targets.waiting_list(session, zone_id="BXM") == trust
        assert targets.waiting_list(session, zone_id="TQN") == []
        assert targets.for_person(session, doris) == trust
        assert targets.for_person(session, other.id) == []
