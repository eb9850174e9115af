"""The package measures run once, small, on SQLite and (with DESK_TEST_DATABASE_URL) PostgreSQL.

The figures mean nothing at this size and are not checked. What is checked:
each measure gives rows with figures, a target and no error; the change
measure saved real versions (a package of several versions was read back);
the waiting list showed waiting rows; and the database is left as seeded
(the packages, versions, assessments, history and caseload rows the measures
wrote or added are gone, or back as they were).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from bench import package_measures
from bench.core import REGISTRY, Context, Measure, Result, run_measure
from desk import db
from desk.models import Assessment, CarePackage, CarePackageItem, CaseloadEntry, History
from desk.package_models import CarePackageLine, CarePackageVersion, CareStep, PackageReview, ProviderNotice

PACKAGE_MEASURES = [m for m in REGISTRY if m.fn.__module__ == package_measures.__name__]


def test_the_package_measures_are_all_here() -> None:
    assert {m.name for m in PACKAGE_MEASURES} == {"package change", "waiting list"}
    assert all(m.group == "service" for m in PACKAGE_MEASURES)


def _as_seeded(ctx: Context) -> tuple[object, ...]:
    counted = (
        CarePackage,
        CarePackageItem,
        CarePackageVersion,
        CarePackageLine,
        CareStep,
        ProviderNotice,
        PackageReview,
        Assessment,
        History,
    )
    with db.reading(ctx.engine) as s:
        counts = tuple(s.execute(select(func.count()).select_from(t)).scalar_one() for t in counted)
        caseload = tuple(
            tuple(row)
            for row in s.execute(
                select(CaseloadEntry.__table__).order_by(col(CaseloadEntry.person_id))  # type: ignore[arg-type]
            ).all()
        )
    return counts, caseload


def _figures(result: Result) -> bool:
    return result.value is not None or len(result.samples_ns) > 0


@pytest.mark.parametrize("m", PACKAGE_MEASURES, ids=lambda m: m.name)
def test_each_package_measure_measures_and_leaves_the_database_as_seeded(m: Measure, small_trust: Context) -> None:
    before = _as_seeded(small_trust)
    results = run_measure(m, small_trust)
    assert results, f"{m.name} gave no rows"
    assert [r.error for r in results if r.error] == []
    assert [r.name for r in results if not _figures(r)] == []
    assert [r.name for r in results if r.target is None and not r.name.startswith("...")] == []
    assert all(r.reference == "primary-key look-up" for r in results)
    assert _as_seeded(small_trust) == before
    names = [r.name for r in results]
    if m.name == "package change":
        assert names[0] == "package change: save a new version"
        assert names[1] == "... the same, this process's CPU"
        assert names[2].startswith("package change: read a package of ")
        assert int(names[2].split(" of ")[1].split(" ")[0]) >= 2  # versions were really saved
    else:
        assert names == ["waiting list: whole trust", "waiting list: one zone"]
        shown = int(results[0].note.split("; ")[2].split(" ")[0])
        assert shown > 0
