"""The ward discharge measures run once, small, on SQLite and (with DESK_TEST_DATABASE_URL) PostgreSQL.

The figures mean nothing at this size and are not checked. What is checked:
each measure gives rows with figures, a target and no error; the delays view
counted a year of delayed days; the discharge recorded in this process was
held by the zone desk in the other; and the database is left as seeded (the
stays, their tasks and delayed days, the packages and the caseload are as
they were, and the pick-ups, reviews and history the discharges made are gone).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from bench import discharge_measures
from bench.core import REGISTRY, Context, Measure, Result, run_measure
from desk import db
from desk.discharge_models import DelayDay, DischargeTask, ZonePickup
from desk.models import Admission, CarePackage, CaseloadEntry, History
from desk.package_models import CareStep, PackageReview, ProviderNotice

DISCHARGE_MEASURES = [m for m in REGISTRY if m.fn.__module__ == discharge_measures.__name__]


def test_the_discharge_measures_are_all_here() -> None:
    assert {m.name for m in DISCHARGE_MEASURES} >= {"discharge delays view", "discharge seen on a zone desk"}
    assert all(m.name.startswith("discharge") for m in DISCHARGE_MEASURES)


def _as_seeded(ctx: Context) -> tuple[object, ...]:
    with db.reading(ctx.engine) as s:
        counts = tuple(
            s.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (ZonePickup, PackageReview, CareStep, ProviderNotice, History, DelayDay, DischargeTask)
        )
        stays = tuple(tuple(r) for r in s.execute(select(Admission.__table__).order_by(col(Admission.id))).all())  # type: ignore[arg-type]
        packages = tuple(
            tuple(r)
            for r in s.execute(select(CarePackage.__table__).order_by(col(CarePackage.id))).all()  # type: ignore[arg-type]
        )
        caseload = tuple(
            tuple(r)
            for r in s.execute(select(CaseloadEntry.__table__).order_by(col(CaseloadEntry.person_id))).all()  # type: ignore[arg-type]
        )
    return counts, stays, packages, caseload


def _figures(result: Result) -> bool:
    return result.value is not None or len(result.samples_ns) > 0


@pytest.mark.parametrize("m", DISCHARGE_MEASURES, ids=lambda m: m.name)
def test_each_discharge_measure_measures_and_leaves_the_database_as_seeded(m: Measure, small_trust: Context) -> None:
    before = _as_seeded(small_trust)
    results = run_measure(m, small_trust)
    assert results, f"{m.name} gave no rows"
    assert [r.error for r in results if r.error] == []
    assert [r.name for r in results if not _figures(r)] == []
    assert [r.name for r in results if r.target is None and not r.name.startswith("...")] == []
    assert _as_seeded(small_trust) == before
    names = [r.name for r in results]
    if m.name == "discharge delays view":
        assert names == ["discharge delays view: whole trust", "discharge delays view: one zone"]
        assert "delayed days in a year" in results[0].note
    elif m.name == "discharge seen on a zone desk":
        assert names == ["discharge seen on a zone desk: commit to pick-up held"]
        assert len(results[0].samples_ns) == 1 and results[0].samples_ns[0] > 0
