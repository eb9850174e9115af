"""Care packages on an assessment: saving a change, reading a package's versions, the trust's waiting list.

The scale seed has packages from before versions (no versions, no targets),
so each measure makes the population it needs and removes it afterwards:
the database is left as seeded.

* **Saving a change** is a real ``arrange.change`` through ``db.writing``
  (committed), on a few seeded people who have had long-term care (so no
  social worker's rule applies), each with an assessment and a package made
  for the measure. Every change is different from the version before (the
  visit's minutes move on), so every save writes a version, its lines, the
  providers to tell, the review and the history, and refreshes the caseload
  row. Afterwards the packages, their assessments and their history (found
  by the bench's desk name) are deleted and the caseload rows recomputed.
* **A package's versions**: the same packages, read back as the package
  screen would (every version with its lines, and the difference between
  the last two) once they hold 30 versions.
* **The waiting list** over the whole trust: 15,000 packages of seeded
  people added in bulk (most active, some waiting against their 28-day
  target, some equipment waiting against its 7 days), read as the waiting
  list screen reads them, then deleted by their id range.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, text
from sqlalchemy import select as sa_select
from sqlmodel import col

from bench.core import Context, Result, Target, measure, timed
from bench.service_measures import PK
from desk import clock, db
from desk.history import Actor
from desk.models import Assessment, CarePackage, CarePackageItem, CaseloadEntry, History, Person
from desk.package_models import (
    AssessmentFinding,
    CarePackageLine,
    CarePackageVersion,
    CareStep,
    PackageReview,
    ProviderNotice,
)
from desk.packages import arrange, assessments, targets
from desk.packages.arrange import Arranged, PackageChange, ServiceLine
from desk.packages.assessments import AssessmentInput, FindingInput
from desk.services import caseload, reference

BENCH_DESK = "bench-packages"
"""The desk the measured changes are saved from: their history rows are found (and deleted) by it."""
CHANGE_TARGET = Target("p95", 20.0)
VERSIONS = 30
"""How many versions the package screen's largest package holds."""
READ_TARGET = Target("p95", 25.0)
"""A quarter of the 100 ms a screen's first frame may take, as for the caseload page: the rest is drawing."""
WAITING_ROWS = 15_000
WAITING_PACKAGES = 900
"""Of the packages added, how many are still waiting for their services to start."""
WAITING_EQUIPMENT = 400
"""Equipment items still waiting for delivery, in packages that are otherwise active."""
ID_GAP = 10_000_000
"""Added rows take ids this far above the highest, clear of the sequence the desk itself draws from."""


# --- saving a change ------------------------------------------------------------------------------


@dataclass
class _Package:
    person_id: int
    zone_id: str
    assessment_id: int
    package_id: int
    number: int
    provider: str


def _people_with_care_before(ctx: Context, n: int) -> list[tuple[int, str]]:
    """Seeded people on a caseload who have had long-term care, so no social worker's rule applies.

    A package item of a long-term service (not equipment), or one from before
    the catalogue (no service id): what ``arrange`` counts as support arranged before.
    """
    from desk.packages import catalogue

    long_term = [s.id for s in catalogue.load().services.values() if s.term == "long" and not s.equipment]
    with db.reading(ctx.engine) as s:
        rows = s.execute(
            sa_select(col(Person.id), col(Person.zone_id))
            .join(CarePackage, col(CarePackage.person_id) == col(Person.id))
            .join(CarePackageItem, col(CarePackageItem.package_id) == col(CarePackage.id))
            .join(CaseloadEntry, col(CaseloadEntry.person_id) == col(Person.id))
            .where(col(CarePackageItem.service_id).in_(["", *long_term]))
            .group_by(col(Person.id), col(Person.zone_id))
            .order_by(col(Person.id))
            .limit(200)
        ).all()
    if len(rows) < n:
        raise RuntimeError(f"only {len(rows)} seeded people with care before: seed with desk seed")
    picked = ctx.rng("package-people").sample(list(rows), n)
    return [(int(pid), zone) for pid, zone in picked]


def _visit(minutes: int, start: date, provider: str, line: int | None) -> ServiceLine:
    return ServiceLine(
        "home_care", provider, start, times=("08:00", "12:30", "17:00"), minutes=minutes, carers=1, line=line
    )


def _minutes(n: int) -> int:
    """The visit's length in change ``n``: never the same as in change ``n - 1``."""
    return 15 + 5 * (n % 10)


def _make_packages(ctx: Context, people: list[tuple[int, str]]) -> list[_Package]:
    out: list[_Package] = []
    today = clock.today()
    from desk.packages import catalogue

    for pid, zone in people:
        with db.reading(ctx.engine) as s:
            team = reference.staff(s, zone)
        nurse = next(t for t in team if t.role == "nurse")
        coordinator = next(t for t in team if t.role == "coordinator")
        actor = Actor(coordinator.id, BENCH_DESK)
        provider = catalogue.load().providers_of("home_care", zone)[0].id
        with db.writing(ctx.engine) as s:
            rec = assessments.record(
                s,
                actor,
                AssessmentInput(
                    person_id=pid,
                    assessor_id=nurse.id,
                    assessor_role="district_nurse",
                    at=clock.now(),
                    place="home",
                    findings=(FindingInput("personal_care", "high"), FindingInput("medicines", "moderate")),
                    recommendations="Three calls a day",
                ),
            )
            made = arrange.change(
                s,
                actor,
                PackageChange(pid, rec.id, (_visit(_minutes(0), today, provider, None),), "Bench: help at home"),
            )
        if not isinstance(made, Arranged):
            raise RuntimeError(f"person {pid}: the package was routed to a social worker, not arranged")
        out.append(_Package(pid, zone, rec.id, made.package_id, made.version.number, provider))
    return out


def _remove_packages(ctx: Context, made: list[_Package], history_from: int) -> None:
    """Delete what the measure saved: packages, their versions, steps, notices, reviews, assessments, history."""
    if not made:
        return
    pkgs = [p.package_id for p in made]
    recs = [p.assessment_id for p in made]
    with db.writing(ctx.engine) as s:
        versions = sa_select(col(CarePackageVersion.id)).where(col(CarePackageVersion.package_id).in_(pkgs))
        s.execute(delete(ProviderNotice).where(col(ProviderNotice.package_id).in_(pkgs)))
        s.execute(delete(CarePackageLine).where(col(CarePackageLine.version_id).in_(versions)))
        s.execute(delete(CarePackageVersion).where(col(CarePackageVersion.package_id).in_(pkgs)))
        s.execute(delete(PackageReview).where(col(PackageReview.package_id).in_(pkgs)))
        s.execute(delete(CareStep).where(col(CareStep.package_id).in_(pkgs)))
        s.execute(delete(CarePackageItem).where(col(CarePackageItem.package_id).in_(pkgs)))
        s.execute(delete(CarePackage).where(col(CarePackage.id).in_(pkgs)))
        s.execute(delete(AssessmentFinding).where(col(AssessmentFinding.assessment_id).in_(recs)))
        s.execute(delete(Assessment).where(col(Assessment.id).in_(recs)))
        s.execute(delete(History).where(col(History.id) > history_from, col(History.desk) == BENCH_DESK))
        for p in made:
            caseload.refresh(s, p.person_id)


def _actors(ctx: Context, made: list[_Package]) -> dict[int, Actor]:
    """Per package, the zone co-ordinator who saves its changes (at the bench's desk)."""
    actors = {}
    with db.reading(ctx.engine) as s:
        for p in made:
            coordinator = next(t for t in reference.staff(s, p.zone_id) if t.role == "coordinator")
            actors[p.package_id] = Actor(coordinator.id, BENCH_DESK)
    return actors


def _save_change(ctx: Context, actor: Actor, p: _Package, today: date) -> None:
    """One committed change to ``p``: the visit's length moves on, so a new version is written."""
    with db.writing(ctx.engine) as s:
        out = arrange.change(
            s,
            actor,
            PackageChange(
                p.person_id,
                p.assessment_id,
                (_visit(_minutes(p.number), today, p.provider, 1),),
                f"Bench: visit length, change {p.number}",
                package_id=p.package_id,
                based_on=p.number,
            ),
        )
    if not isinstance(out, Arranged):
        raise RuntimeError(f"package {p.package_id}: the change was routed, not arranged")
    p.number = out.version.number


@contextmanager
def _packages(ctx: Context, n: int) -> Iterator[list[_Package]]:
    """``n`` packages made on seeded people for the measure, gone again afterwards."""
    with db.reading(ctx.engine) as s:
        history_from = int(s.execute(sa_select(func.max(col(History.id)))).scalar() or 0)
    made: list[_Package] = []
    try:
        made.extend(_make_packages(ctx, _people_with_care_before(ctx, n)))
        yield made
    finally:
        _remove_packages(ctx, made, history_from)


@contextmanager
def package_of_versions(ctx: Context, versions: int) -> Iterator[_Package]:
    """One seeded person's package holding ``versions`` versions while inside, gone again afterwards."""
    with _packages(ctx, 1) as made:
        p = made[0]
        actor = _actors(ctx, made)[p.package_id]
        today = clock.today()
        while p.number < versions:
            _save_change(ctx, actor, p, today)
        yield p


@measure("package change")
def package_change(ctx: Context) -> Iterable[Result]:
    """Saving a package change (a new version, committed), then reading a 30-version package back."""
    reps = ctx.reps(120, quick=30)
    people = 1 if ctx.once else 4
    warmup = 0 if ctx.once else 4
    with _packages(ctx, people) as made:
        actors = _actors(ctx, made)
        turn = {"n": 0}
        today = clock.today()

        cpu: list[int] = []

        def save() -> None:
            c0 = time.thread_time_ns()
            p = made[turn["n"] % len(made)]
            turn["n"] += 1
            _save_change(ctx, actors[p.package_id], p, today)
            cpu.append(time.thread_time_ns() - c0)

        samples = timed(save, repeat=reps, warmup=warmup)
        yield Result(
            "package change: save a new version",
            samples,
            CHANGE_TARGET,
            reference=PK,
            note=f"{len(made)} packages, {len(samples)} changes, committed",
        )
        yield Result(
            "... the same, this process's CPU",
            cpu[-len(samples) :],
            reference=PK,
            note="thread CPU time: less swayed by a loaded machine, leaves out the database server's",
        )
        # the package screen's read: every version with its lines, and what the last change did
        biggest = made[0]
        while biggest.number < (2 if ctx.once else VERSIONS):
            turn["n"] = 0
            save()
        count = biggest.number

        def read_versions() -> None:
            with db.reading(ctx.engine) as s:
                every = arrange.versions(s, biggest.package_id)
                arrange.diff(every[-2], every[-1])
                arrange.providers_to_tell(s, biggest.package_id)

        yield Result(
            f"package change: read a package of {count} versions",
            timed(read_versions, repeat=ctx.reps(60)),
            READ_TARGET,
            reference=PK,
            note="every version with its lines, the last difference, the providers to tell",
        )


# --- the waiting list -----------------------------------------------------------------------------


def _waiting_rows(ctx: Context, today: date) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int, int]:
    """Packages of seeded people: most active, some waiting for 28 days, some with equipment waiting for 7."""
    rng = ctx.rng("waiting")
    size = min(WAITING_ROWS, max(60, ctx.counts.get("people", 0) // 4)) if ctx.once else WAITING_ROWS
    with db.reading(ctx.engine) as s:
        top_pkg = int(s.execute(sa_select(func.max(col(CarePackage.id)))).scalar() or 0) + ID_GAP
        top_item = int(s.execute(sa_select(func.max(col(CarePackageItem.id)))).scalar() or 0) + ID_GAP
        people = list(s.execute(sa_select(col(Person.id)).order_by(col(Person.id)).limit(size * 3)).scalars())
    chosen = rng.sample(people, min(size, len(people)))
    waiting = max(1, size * WAITING_PACKAGES // WAITING_ROWS)
    equipment = max(1, size * WAITING_EQUIPMENT // WAITING_ROWS)
    pkgs: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for n, pid in enumerate(chosen):
        requested = today - timedelta(days=rng.randint(0, 32) if n < waiting else rng.randint(30, 700))
        available = None if n < waiting else requested + timedelta(days=rng.randint(3, 27))
        package_id = top_pkg + 1 + n
        pkgs.append(
            dict(
                id=package_id,
                person_id=pid,
                status="active",
                started_on=requested,
                version=1,
                state="requested" if available is None else "active",
                current_version=1,
                requested_on=requested,
                available_on=available,
                target_on=requested + timedelta(days=28),
            )
        )
        items.append(
            dict(
                id=top_item + 1 + len(items),
                package_id=package_id,
                service="Home care visits",
                detail="3 visits a day",
                provider="Bay Care",
                start_date=requested,
                weekly_cost_pence=21 * 2450,
                version=1,
                line=1,
                service_id="home_care",
                provider_id="bay_care",
                state="requested" if available is None else "active",
                requested_on=requested,
                available_on=available,
                target_on=None,
            )
        )
        if waiting <= n < waiting + equipment:
            ordered = today - timedelta(days=rng.randint(0, 10))
            items.append(
                dict(
                    id=top_item + 1 + len(items),
                    package_id=package_id,
                    service="Key safe, fitted",
                    detail="1 item",
                    provider="Community Equipment Store",
                    start_date=ordered,
                    weekly_cost_pence=0,
                    version=1,
                    line=2,
                    service_id="key_safe",
                    provider_id="community_equipment",
                    state="requested",
                    requested_on=ordered,
                    available_on=None,
                    target_on=ordered + timedelta(days=7),
                )
            )
    return pkgs, items, top_pkg, top_item


@contextmanager
def waiting_population(ctx: Context) -> Iterator[tuple[int, int, int]]:
    """The trust holding 15,000 more packages while inside: how many packages and items were added, and waiting."""
    pkgs, items, top_pkg, top_item = _waiting_rows(ctx, clock.today())
    try:
        with db.writing(ctx.engine) as s:
            s.execute(insert(CarePackage.__table__), pkgs)
            s.execute(insert(CarePackageItem.__table__), items)
        _analyze(ctx, "ANALYZE")
        waiting = sum(1 for p in pkgs if p["available_on"] is None) + sum(
            1 for i in items if i["target_on"] is not None
        )
        yield len(pkgs), len(items), waiting
    finally:
        with db.writing(ctx.engine) as s:
            s.execute(delete(CarePackageItem).where(col(CarePackageItem.id) > top_item))
            s.execute(delete(CarePackage).where(col(CarePackage.id) > top_pkg))
        _analyze(ctx, "VACUUM ANALYZE")


def _analyze(ctx: Context, what: str) -> None:
    """Let the planner see the rows as they now are (on PostgreSQL, also clear away the deleted ones)."""
    if ctx.engine.dialect.name == "postgresql":
        with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT", **{db.WRITE_OPTION: True}) as conn:
            conn.execute(text(f"{what} carepackage, carepackageitem"))
    else:
        with db.writing(ctx.engine) as s:
            s.execute(text("ANALYZE carepackage"))
            s.execute(text("ANALYZE carepackageitem"))


@measure("waiting list")
def waiting_list(ctx: Context) -> Iterable[Result]:
    """The 28-day (and 7-day equipment) waiting list over the whole trust, as its screen reads it."""
    reps = ctx.reps(200)
    with waiting_population(ctx) as (packages, items, waiting):
        with db.reading(ctx.engine) as s:
            first = targets.waiting_list(s)
            zone = first[0].zone_id if first else "BXM"
        if not first:
            raise RuntimeError("the waiting list came back empty")

        def trust() -> None:
            with db.reading(ctx.engine) as s:
                targets.waiting_list(s)

        def one_zone() -> None:
            with db.reading(ctx.engine) as s:
                targets.waiting_list(s, zone_id=zone)

        missed = sum(1 for w in first if w.flag == "missed")
        yield Result(
            "waiting list: whole trust",
            timed(trust, repeat=reps),
            READ_TARGET,
            reference=PK,
            note=f"{packages:,} packages and {items:,} items added; {waiting} waiting; {len(first)} shown, "
            f"{missed} of them missed",
        )
        yield Result("waiting list: one zone", timed(one_zone, repeat=reps), READ_TARGET, reference=PK, note=zone)
