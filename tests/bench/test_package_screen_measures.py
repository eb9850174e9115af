"""The package and waiting list screens' measures run once, small, on SQLite and (DESK_TEST_DATABASE_URL) PostgreSQL.

The figures mean nothing at this size and are not checked. What is checked:
the measure gives rows with figures, its target and no error; the screen it
timed showed the package with the versions made for it (the row names them);
and the database is left as seeded (the package, its versions, assessment
and history are gone and the caseload rows back as they were; the desk
under test raising the seed's due reminders and reviews, as every desk does,
is left out).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import col

from bench import package_screens
from bench.core import REGISTRY, Context, Result, run_measure
from desk import db
from desk.models import Assessment, CarePackage, CarePackageItem, CaseloadEntry, History
from desk.package_models import CarePackageLine, CarePackageVersion, CareStep, PackageReview, ProviderNotice

PACKAGE_SCREEN_MEASURES = [m for m in REGISTRY if m.fn.__module__ == package_screens.__name__]
DESK_RAISES = ("Reminder raised", "Review fell due")
"""What the desk under test writes of itself on start-up and as it polls, whatever it is shown."""


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
    )
    with db.reading(ctx.engine) as s:
        counts = tuple(s.execute(select(func.count()).select_from(t)).scalar_one() for t in counted)
        # the desk under test raises the seed's reminders and reviews now due, as any desk does: not the measure's
        written = s.execute(select(func.count()).where(col(History.why).not_in(DESK_RAISES))).scalar_one()
        caseload = tuple(
            tuple(row)
            for row in s.execute(
                select(CaseloadEntry.__table__).order_by(col(CaseloadEntry.person_id))  # type: ignore[arg-type]
            ).all()
        )
    return counts, written, caseload


def _figures(result: Result) -> bool:
    return result.value is not None or len(result.samples_ns) > 0


def test_the_package_screen_measures_are_here() -> None:
    assert [(m.name, m.group) for m in PACKAGE_SCREEN_MEASURES] == [
        ("screen: package of 30 versions", "screen"),
        ("screen: waiting list", "screen"),
    ]


def test_the_package_screen_measure_measures_and_leaves_the_database_as_seeded(small_trust: Context) -> None:
    m = PACKAGE_SCREEN_MEASURES[0]
    before = _as_seeded(small_trust)
    results = run_measure(m, small_trust)
    assert [r.error for r in results if r.error] == []
    assert [r.name for r in results if not _figures(r)] == []
    names = [r.name for r in results]
    assert names == [
        "package screen: K to first frame with 3 versions",
        "package screen: K to first frame of the screen",
        "package screen: Esc back to the record",
    ]
    assert results[0].target == package_screens.FIRST_FRAME
    assert results[0].reference == "bare Textual app: key to frame"
    assert _as_seeded(small_trust) == before


def test_the_waiting_list_screen_measure_measures_and_leaves_the_database_as_seeded(small_trust: Context) -> None:
    m = PACKAGE_SCREEN_MEASURES[1]
    before = _as_seeded(small_trust)
    results = run_measure(m, small_trust)
    assert [r.error for r in results if r.error] == []
    assert [r.name for r in results if not _figures(r)] == []
    assert [r.name for r in results] == [
        "waiting list screen: Ctrl+L to first frame with its rows",
        "waiting list screen: Ctrl+L to first frame of the screen",
        "waiting list screen: Esc back to the caseload",
    ]
    assert results[0].target == package_screens.FIRST_FRAME
    assert results[0].reference == "bare Textual app: key to frame"
    assert _as_seeded(small_trust) == before
