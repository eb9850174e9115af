"""Someone a co-ordinator registers at the desk is on their zone's caseload at once, marked as new.

They stay there for 28 days with nothing else to keep them; a bulk load's
registrations (no member of staff behind them) never count.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, func
from sqlmodel import col, select

from desk import db
from desk.history import Actor
from desk.models import CaseloadEntry, History, Referral, saved_id
from desk.scale import seed_scale
from desk.services import caseload
from tests.helpers import records
from tests.helpers.fixtures import FrozenClock, Registrar


def _rows(engine: Engine, zone: str = "BXM") -> list[tuple[str, str, str, str]]:
    """The zone's caseload as the screen reads it: name, flags, health and social care."""
    with db.reading(engine) as session:
        return [(r.name, r.flags, r.health, r.social) for r in caseload.page(session, zone).rows]


def test_registered_at_the_desk_is_on_the_zone_caseload_at_once_marked_new(
    engine: Engine, register: Registrar, clock: FrozenClock
) -> None:
    assert register.actor.staff_id is not None  # a co-ordinator at the desk
    register(family_name="Pascoe", given_name="Doris", lives_alone=True)
    assert _rows(engine) == [("PASCOE, Doris", "ALONE", "Registered 23-Nov", "")]
    assert _rows(engine, "TQN") == []  # their own zone's caseload, no other


def test_registered_with_a_referral_shows_the_referral_not_the_mark(
    engine: Engine, register: Registrar, clock: FrozenClock
) -> None:
    """Another reason to be on the caseload gives the row it always gave."""
    person_id = saved_id(register(family_name="Abbott", given_name="Ada").id)
    records.put(
        engine,
        person_id,
        Referral(
            person_id=person_id,
            received_at=clock.now,
            discipline="physiotherapy",
            urgency="fast",
            due_at=clock.now + timedelta(days=1),
            reason="Falls",
        ),
    )
    assert _rows(engine) == [("ABBOTT, Ada", "", "ref Physio", "")]


def test_registered_by_a_bulk_load_is_not_on_the_caseload(engine: Engine, clock: FrozenClock, actor: Actor) -> None:
    counts = seed_scale(engine, people=300, caseload=40, calls=50, seed=3, now=clock.now)
    with db.reading(engine) as session:
        last = session.exec(select(func.max(History.at)).where(History.action == "create")).one()
        assert last is not None
        clock.now = last.replace(tzinfo=clock.now.tzinfo) + timedelta(days=1)  # the day after the last was loaded
        recent = session.exec(
            select(func.count())
            .select_from(History)
            .where(History.action == "create", History.at >= clock.now - timedelta(days=28))
        ).one()
        assert recent > 0  # registrations inside the 28 days, but by no one
        assert session.exec(select(func.count()).select_from(CaseloadEntry)).one() == counts["caseload"] == 40
    with db.writing(engine) as session:
        assert caseload.rebuild(session) == 40
    # and one the desk registers after the load joins them
    Registrar(engine, actor)(family_name="Zeal", given_name="Nora")
    with db.writing(engine) as session:
        assert caseload.rebuild(session) == 41


def test_after_28_days_with_nothing_else_they_drop_off_when_next_computed(
    engine: Engine, register: Registrar, clock: FrozenClock
) -> None:
    old_clock = clock.now
    clock.advance(timedelta(days=-29))
    register(family_name="Olde", given_name="Rose")
    clock.advance(timedelta(days=2))
    register(family_name="Newer", given_name="Sam")  # 27 days ago: still new
    clock.now = old_clock
    # the stored rows are as they were written; nothing re-evaluates them on a timer
    assert [name for name, *_ in _rows(engine)] == ["NEWER, Sam", "OLDE, Rose"]
    with db.reading(engine) as session:
        assert [r.display_name for r in caseload.compute_rows(session, "BXM")] == ["NEWER, Sam"]
    with db.writing(engine) as session:
        assert caseload.rebuild(session, "BXM") == 1
    assert _rows(engine) == [("NEWER, Sam", "", "Registered 27-Oct", "")]


def test_refresh_drops_someone_registered_29_days_ago(engine: Engine, register: Registrar, clock: FrozenClock) -> None:
    clock.advance(timedelta(days=-29))
    person_id = saved_id(register(family_name="Olde", given_name="Rose").id)
    clock.advance(timedelta(days=29))
    assert len(_rows(engine)) == 1
    with db.writing(engine) as session:
        caseload.refresh(session, person_id)
    assert _rows(engine) == []


def test_bulk_rebuild_equals_refresh_for_people_registered_at_the_desk(
    engine: Engine, register: Registrar, clock: FrozenClock
) -> None:
    ids = [saved_id(register(family_name=name).id) for name in ("Ash", "Birch", "Cedar")]
    clock.advance(timedelta(days=-40))
    ids.append(saved_id(register(family_name="Damson").id))
    clock.advance(timedelta(days=40))
    with db.writing(engine) as session:
        for pid in ids:
            caseload.refresh(session, pid)
    with db.reading(engine) as session:
        refreshed = [e.model_dump() for e in session.exec(select(CaseloadEntry).order_by(col(CaseloadEntry.person_id)))]
    assert [e["display_name"] for e in refreshed] == ["ASH, Alex", "BIRCH, Alex", "CEDAR, Alex"]
    with db.writing(engine) as session:
        assert caseload.rebuild(session) == 3
    with db.reading(engine) as session:
        rebuilt = [e.model_dump() for e in session.exec(select(CaseloadEntry).order_by(col(CaseloadEntry.person_id)))]
    assert rebuilt == refreshed
