"""``desk seed``: a synthetic trust at scale, here at a small size.

The same seed gives the same people on either backend; the counts are as
asked; every NHS number is a valid 999 test number and every phone number is
in an Ofcom drama range; the columns are what registering the person at the
desk would have written; and the caseload built in bulk is the one
``caseload.refresh`` builds person by person.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
from sqlalchemy import Engine, delete, func
from sqlmodel import Session, SQLModel, col, select

from desk import db, nhs, phones
from desk.errors import DeskError
from desk.models import (
    Admission,
    Call,
    CarePackage,
    CaseloadEntry,
    Contact,
    History,
    Involvement,
    Organisation,
    Person,
    Practice,
    Referral,
    Staff,
    Zone,
)
from desk.scale import drama_blocks, drama_numbers, is_drama, seed_scale
from desk.services import caseload, people, timeline
from tests.helpers.dbspec import DbSpec
from tests.helpers.fixtures import frozen

SIZES = dict(people=3000, caseload=400, calls=2500)
SEED = 7
SEED_AT = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def seeded(shared_engine: Engine) -> tuple[Engine, dict[str, int]]:
    """One small trust per backend; the tests only read it (or roll back)."""
    counts = seed_scale(shared_engine, **SIZES, seed=SEED, now=SEED_AT)
    return shared_engine, counts


def _fresh_sqlite(folder: Path, **kwargs: Any) -> tuple[Engine, dict[str, int]]:
    eng = DbSpec(f"sqlite:///{folder}/scale.db").engine()
    db.migrate(eng)
    return eng, seed_scale(eng, now=SEED_AT, **kwargs)


def _register(engine: Engine) -> list[tuple[Any, ...]]:
    with db.reading(engine) as s:
        return [
            tuple(r)
            for r in s.exec(
                select(
                    Person.id,
                    Person.nhs_number,
                    Person.family_name,
                    Person.given_name,
                    Person.date_of_birth,
                    Person.sex,
                    Person.postcode,
                    Person.phone_e164,
                    Person.practice_id,
                    Person.key_worker_id,
                    Person.lives_alone,
                    Person.conditions,
                ).order_by(Person.id)
            ).all()
        ]


def _calls(engine: Engine) -> list[tuple[Any, ...]]:
    with db.reading(engine) as s:
        return [
            tuple(r)
            for r in s.exec(
                select(
                    Call.id, Call.started_at, Call.person_id, Call.caller_e164, Call.caller_kind, Call.reason
                ).order_by(Call.id)
            ).all()
        ]


# --- counts ---------------------------------------------------------------------------


def test_counts_are_as_asked(seeded: tuple[Engine, dict[str, int]]) -> None:
    engine, counts = seeded
    assert (counts["people"], counts["caseload"], counts["calls"]) == (3000, 400, 2500)
    with db.reading(engine) as s:
        assert s.exec(select(func.count()).select_from(Person)).one() == 3000
        assert s.exec(select(func.count()).select_from(CaseloadEntry)).one() == 400
        assert s.exec(select(func.count()).select_from(History)).one() == 3000  # each registration, as the demo
        assert s.exec(select(func.count()).select_from(Call)).one() == 2500
        # a year of the rest, all of it about somebody on the register
        for model in (Contact, Involvement, CarePackage, Referral, Admission):
            assert s.exec(select(func.count()).select_from(model)).one() > 0, model.__name__
        first, last = s.exec(select(func.min(Call.started_at), func.max(Call.started_at))).one()
        assert (SEED_AT - first).days <= 366 and last < SEED_AT
        assert s.exec(select(func.count()).select_from(Call).where(Call.status != "finished")).one() == 0


def test_every_zone_has_people_and_a_caseload(seeded: tuple[Engine, dict[str, int]]) -> None:
    engine, _ = seeded
    with db.reading(engine) as s:
        zones = s.exec(select(Zone.id)).all()
        assert len(zones) == 5
        for zone in zones:
            assert (
                s.exec(select(func.count()).select_from(CaseloadEntry).where(CaseloadEntry.zone_id == zone)).one() > 0
            )
        # the zone is the practice's, never the address's
        mismatched = s.exec(
            select(func.count())
            .select_from(Person)
            .join(Practice, Practice.ods_code == Person.practice_id)
            .where(Practice.zone_id != Person.zone_id)
        ).one()
        assert mismatched == 0


# --- synthetic only -------------------------------------------------------------------


def test_nhs_numbers_are_valid_distinct_test_numbers(seeded: tuple[Engine, dict[str, int]]) -> None:
    engine, _ = seeded
    with db.reading(engine) as s:
        numbers = s.exec(select(Person.nhs_number)).all()
    assert len(numbers) == len(set(numbers)) == 3000
    assert all(nhs.is_test_range(n) and nhs.is_valid(n) for n in numbers)


def test_the_drama_blocks_are_possible_numbers_and_avoid_the_reference_data() -> None:
    numbers = drama_numbers()
    assert len(numbers) == sum(b.last - b.first + 1 for b in drama_blocks()) == 14_500
    assert len({n.e164 for n in numbers}) == len(numbers)
    for n in numbers[::7]:
        parsed = phones.parse(n.raw)
        assert parsed.e164 == n.e164 and parsed.valid == n.valid
        assert phonenumbers.is_possible_number(phonenumbers.parse(n.e164))
        assert people.phone_rev(n.e164) == n.rev
    from desk.services import reference

    data = reference.shipped()
    used = {
        phones.parse(x["phone"]).e164
        for k in ("zones", "practices", "organisations", "staff")
        for x in data[k]
        if x.get("phone")
    }
    assert not used & {n.e164 for n in numbers}


def test_every_phone_number_is_a_drama_number(seeded: tuple[Engine, dict[str, int]]) -> None:
    engine, counts = seeded
    with db.reading(engine) as s:
        person_numbers = s.exec(select(Person.phone_e164).where(col(Person.phone_e164).is_not(None))).all()
        contact_numbers = s.exec(select(Contact.phone_e164).where(col(Contact.phone_e164).is_not(None))).all()
        reference_numbers = set(s.exec(select(Practice.phone_e164)).all()) | set(
            s.exec(select(Organisation.phone_e164)).all()
        )
        caller_numbers = set(s.exec(select(Call.caller_e164).where(col(Call.caller_e164).is_not(None))).all())
    assert person_numbers and contact_numbers
    assert all(is_drama(n) for n in [*person_numbers, *contact_numbers])
    assert all(is_drama(n) or n in reference_numbers for n in caller_numbers)
    # one household or one contact per number: a couple's shared line at most, never a crowd
    shared = {}
    for n in person_numbers:
        shared[n] = shared.get(n, 0) + 1
    assert max(shared.values()) <= 2
    # a small register: every adult household has a number, so nobody's is missing for want of numbers
    assert counts["phones_assigned"] < 14_500


def test_columns_are_what_registering_at_the_desk_writes(seeded: tuple[Engine, dict[str, int]]) -> None:
    """validate_person, given what is on record, derives exactly the stored columns."""
    engine, _ = seeded
    rng = random.Random(1)
    with db.reading(engine) as s:
        ids = rng.sample(range(1, 3001), 250)
        with frozen(SEED_AT):
            sampled = s.exec(select(Person).where(col(Person.id).in_(ids))).all()
            assert len(sampled) == 250
            for p in sampled:
                form = replace(people.PersonDetails.of(p), phone=p.phone_raw)
                clean = people.validate_person(s, form, person_id=p.id)
                for key, value in clean.columns().items():
                    assert getattr(p, key) == value, (p.id, key, getattr(p, key), value)


# --- reproducible -----------------------------------------------------------------------


def test_the_same_seed_gives_the_same_trust(seeded: tuple[Engine, dict[str, int]], tmp_path: Path) -> None:
    """Seeded again (on SQLite, whichever backend the module runs on): the same people and calls."""
    engine, counts = seeded
    other, other_counts = _fresh_sqlite(tmp_path, **SIZES, seed=SEED)
    try:
        assert other_counts == counts
        assert _register(other) == _register(engine)
        assert _calls(other) == _calls(engine)
    finally:
        other.dispose()


def test_another_seed_gives_other_people(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, _ = _fresh_sqlite(tmp_path / "a", people=300, caseload=40, calls=100, seed=1)
    b, _ = _fresh_sqlite(tmp_path / "b", people=300, caseload=40, calls=100, seed=2)
    try:
        nhs_a = {r[1] for r in _register(a)}
        nhs_b = {r[1] for r in _register(b)}
        assert len(nhs_a) == len(nhs_b) == 300 and len(nhs_a & nhs_b) < 10
    finally:
        a.dispose()
        b.dispose()


# --- the caseload, in bulk and person by person ----------------------------------------------


def _entries(session: Session, zone_id: str | None = None) -> dict[int, dict[str, Any]]:
    q = select(CaseloadEntry)
    if zone_id:
        q = q.where(CaseloadEntry.zone_id == zone_id)
    return {e.person_id: e.model_dump() for e in session.exec(q).all()}


def test_bulk_rebuild_equals_refresh_person_by_person(seeded: tuple[Engine, dict[str, int]]) -> None:
    engine, _ = seeded
    with Session(engine) as s:
        bulk = _entries(s)
        assert {r.person_id: r._asdict() for r in caseload.compute_rows(s)} == bulk
        # everyone with any care record (open or ended), the key-worked, and a sample of the rest
        touched: set[int] = set()
        for table in ("involvement", "carepackage", "referral", "admission"):
            touched |= set(s.exec(select(SQLModel.metadata.tables[table].c.person_id)).all())
        touched |= set(s.exec(select(Person.id).where(col(Person.key_worker_id).is_not(None))).all())
        touched |= set(random.Random(2).sample(range(1, 3001), 300))
        s.exec(delete(CaseloadEntry))
        s.expunge_all()
        for pid in sorted(touched):
            caseload.refresh(s, pid)
        s.flush()
        s.expunge_all()
        one_by_one = _entries(s)
        s.rollback()
    assert one_by_one == bulk


def test_rebuilding_one_zone_changes_nothing_else(seeded: tuple[Engine, dict[str, int]]) -> None:
    engine, _ = seeded
    with Session(engine) as s:
        before = _entries(s)
        n = caseload.rebuild(s, "BXM")
        s.flush()
        s.expunge_all()
        after = _entries(s)
        s.rollback()
    assert n == len(before) and after == before


# --- the rest -------------------------------------------------------------------------


def test_the_busiest_person_has_a_full_timeline(seeded: tuple[Engine, dict[str, int]]) -> None:
    engine, counts = seeded
    person_id = counts["busiest_person_id"]
    with db.reading(engine) as s:
        entries = timeline.timeline(s, person_id)
        assert s.get(CaseloadEntry, person_id) is not None
    assert len(entries) == timeline.DEFAULT_LIMIT == 300
    assert {e.side for e in entries} >= {"call", "health"}


def test_seeding_refuses_a_database_that_has_people(seeded: tuple[Engine, dict[str, int]]) -> None:
    engine, _ = seeded
    with pytest.raises(DeskError, match="already has people"):
        seed_scale(engine, people=10, caseload=1, calls=1, now=SEED_AT)
    with db.reading(engine) as s:
        assert s.exec(select(func.count()).select_from(Person)).one() == 3000


def test_tiny_and_impossible_sizes(tmp_path: Path) -> None:
    eng, counts = _fresh_sqlite(tmp_path, people=60, caseload=0, calls=5, seed=3)
    try:
        assert (counts["people"], counts["caseload"], counts["calls"]) == (60, 0, 5)
        with db.reading(eng) as s:
            assert s.exec(select(func.count()).select_from(Staff)).one() > 0  # reference data loaded first
    finally:
        eng.dispose()
    with pytest.raises(DeskError, match="bigger than the register"):
        seed_scale(DbSpec(f"sqlite:///{tmp_path}/x.db").engine(), people=5, caseload=6, calls=0, now=SEED_AT)


def test_progress_is_reported_stage_by_stage(tmp_path: Path) -> None:
    log: list[tuple[str, int, int]] = []
    eng = DbSpec(f"sqlite:///{tmp_path}/p.db").engine()
    db.migrate(eng)
    try:
        seed_scale(
            eng,
            people=200,
            caseload=20,
            calls=50,
            now=SEED_AT,
            progress=lambda stage, done, total: log.append((stage, done, total)),
        )
    finally:
        eng.dispose()
    assert {"people", "care", "calls", "indexes", "caseload"} <= {stage for stage, _, _ in log}
    assert all(0 <= done <= total for _, done, total in log)
    last = {stage: (done, total) for stage, done, total in log}
    assert all(done == total for done, total in last.values())
