"""The liaison log on a crisis, and the crisis plan on the person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from desk import db
from desk.crisis import liaison, plans
from desk.crisis.liaison import LiaisonInput
from desk.crisis.plans import CrisisPlanInput
from desk.crisis_models import LiaisonEntry
from desk.errors import InvalidForm, StaleRecord
from desk.history import Actor
from desk.models import History
from tests.helpers.crisis import day_team, raise_crisis
from tests.helpers.fixtures import FrozenClock, Registrar


def test_every_party_contacted_is_logged_newest_first(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    doris = register(family_name="Pascoe")
    day_team(engine, actor, clock.today)
    crisis = raise_crisis(engine, actor, doris.id)  # type: ignore[arg-type]
    clock.advance(timedelta(minutes=5))
    with db.writing(engine) as session:
        liaison.add_entry(
            session, actor, LiaisonInput(crisis.crisis_id, "ambulance", "Crew stood down; we attend", "Control room")
        )
    clock.advance(timedelta(minutes=5))
    with db.writing(engine) as session:
        gp = liaison.add_entry(session, actor, LiaisonInput(crisis.crisis_id, "gp", "GP to review medicines today"))
    assert (gp.party_label, gp.at, gp.by_id) == ("GP", clock.now, actor.staff_id) and gp.by_name
    with db.reading(engine) as session:
        log = liaison.entries(session, crisis.crisis_id)
        board = liaison.newest(session, [crisis.crisis_id])
        whys = [h.why for h in session.exec(select(History).where(History.entity == "liaisonentry"))]
    assert [(e.party, e.agreed) for e in log] == [
        ("gp", "GP to review medicines today"),
        ("ambulance", "Crew stood down; we attend"),
    ]
    assert board[crisis.crisis_id].party == "gp"
    assert whys == ["Liaison: Ambulance service", "Liaison: GP"]


def test_a_liaison_entry_with_no_party_is_refused(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    doris = register(family_name="Pascoe")
    day_team(engine, actor, clock.today)
    crisis = raise_crisis(engine, actor, doris.id)  # type: ignore[arg-type]
    with pytest.raises(InvalidForm) as refused, db.writing(engine) as session:
        liaison.add_entry(session, actor, LiaisonInput(crisis.crisis_id, "", " ", at=clock.now + timedelta(hours=1)))
    problems = refused.value.problems
    assert problems["party"].startswith("Choose the party: ambulance, GP")
    assert set(problems) == {"party", "agreed", "at"}
    with db.reading(engine) as session:
        assert session.exec(select(LiaisonEntry)).all() == []


def test_the_crisis_plan_is_written_changed_with_history_and_stale_saves_refused(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    doris = register(family_name="Pascoe")
    pid = doris.id
    assert pid is not None
    with db.reading(engine) as session:
        empty = plans.plan_for(session, pid)
    assert empty.is_empty and empty.version == 0
    first = CrisisPlanInput(pid, "Jean (daughter) 07700 900123", "Sitting up slowly", "To stay at home", 0, "Agreed")
    with pytest.raises(InvalidForm) as no_why, db.writing(engine) as session:
        plans.save_plan(session, actor, CrisisPlanInput(pid, "", "", "", 0, ""))
    assert set(no_why.value.problems) == {"who_to_ring", "why"}
    with db.writing(engine) as session:
        saved = plans.save_plan(session, actor, first)
    assert (saved.version, saved.what_they_want, saved.updated_at) == (1, "To stay at home", clock.now)
    with pytest.raises(StaleRecord), db.writing(engine) as session:
        plans.save_plan(session, actor, first)  # another desk also started from "no plan"
    clock.advance(timedelta(days=1))
    change = CrisisPlanInput(pid, "Jean", "Sitting up slowly; the rescue pack", "To stay at home", 1, "New meds")
    with db.writing(engine) as session:
        changed = plans.save_plan(session, actor, change)
    assert changed.version == 2 and changed.updated_at == clock.now
    with pytest.raises(StaleRecord), db.writing(engine) as session:
        plans.save_plan(session, actor, change)
    with db.reading(engine) as session:
        trail = [
            (h.action, h.why, (h.before or {}).get("who_to_ring"))
            for h in session.exec(select(History).where(History.entity == "crisisplan").order_by(History.id))
        ]
    assert trail == [("create", "Agreed", None), ("update", "New meds", "Jean (daughter) 07700 900123")]
