"""The caseload's WAIT flag: a package that will miss 28 days or equipment that will miss 7, kept with the row."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from desk import db
from desk.history import Actor
from desk.models import CarePackage, CaseloadEntry
from desk.packages import arrange
from desk.packages.arrange import ServiceLine
from desk.services import caseload
from tests.helpers.fixtures import FrozenClock, Registrar
from tests.helpers.packages import arrange_package, had_support_before, home_care


def row_of(engine: Engine, person_id: int) -> caseload.CaseloadRow:
    with db.reading(engine) as session:
        return next(r for r in caseload.page(session, "BXM").rows if r.person_id == person_id)


def test_equipment_that_will_miss_7_days_flags_wait_and_goes_when_it_arrives(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    person = register(family_name="Pascoe", given_name="Doris", lives_alone=True)
    assert person.id is not None
    had_support_before(engine, person.id)
    made = arrange_package(
        engine, actor, person.id, home_care(clock.today), ServiceLine("key_safe", "community_equipment", clock.today)
    )
    with db.reading(engine) as session:
        entry = session.get(CaseloadEntry, person.id)
        assert entry is not None and entry.wait_flag_from == clock.today + timedelta(days=7 - 3)  # refreshed with it
    assert row_of(engine, person.id).flags == "ALONE"  # seven days to go: not yet at risk

    clock.advance(timedelta(days=4))  # three days left of seven: at risk, flagged on the stored row as it stands
    assert row_of(engine, person.id).flags == "ALONE WAIT"
    with db.writing(engine) as session:  # a rebuild says the same as the refresh did
        caseload.rebuild(session, "BXM")
    assert row_of(engine, person.id).flags == "ALONE WAIT"

    with db.writing(engine) as session:  # the provider confirms, then the package and its key safe are in place
        for state in ("arranged", "active"):
            pkg = session.get(CarePackage, made.package_id)
            assert pkg is not None
            arrange.move(session, actor, arrange.StepInput(made.package_id, pkg.version, state, confirmed_by="Sue"))
    assert row_of(engine, person.id).flags == "ALONE"
    with db.reading(engine) as session:
        entry = session.get(CaseloadEntry, person.id)
        assert entry is not None and entry.wait_flag_from is None


def test_a_package_waiting_flags_wait_three_days_before_its_28_and_after(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    person = register(family_name="Reg", given_name="Tom")
    assert person.id is not None
    had_support_before(engine, person.id)
    arrange_package(engine, actor, person.id)
    clock.advance(timedelta(days=24))
    assert "WAIT" not in row_of(engine, person.id).flags
    clock.advance(timedelta(days=1))  # 3 days left of 28
    assert row_of(engine, person.id).flags == "WAIT"
    clock.advance(timedelta(days=10))  # missed: still flagged
    assert row_of(engine, person.id).flags == "WAIT"
