"""Ward discharge at the trust's scale: the delays view over a year, and a discharge seen on a zone's desk.

The scale seed (desk.discharge.scale_stage) holds 600 inpatients on 20 wards
and a year of discharges, each delayed day a DelayDay row with its reason.

* **The delays view**: what its screen reads, as one worker call would:
  the patients delayed now (:func:`desk.discharge.delays.delayed_now`) and
  the delayed days of the last year counted per zone, per reason and per
  month (:func:`desk.discharge.delays.counts`), for the whole trust and for
  one zone.
* **A discharge seen on a zone desk**: a real
  :func:`desk.discharge.leaving.discharge` committed by this process, and a
  zone desk in another process, on the same database, looking as the desk
  does: the zone's pick-up mark (:func:`desk.discharge.pickups.mark`) every
  second, and the outstanding pick-ups read again when it moves. Timed from
  the commit to the moment the other process holds the new pick-up, both on
  ``time.perf_counter_ns`` (CLOCK_MONOTONIC, one clock for every process on
  the machine). Each commit falls at a random point between the desk's looks.
  The stays discharged are seeded patients of the desk's zone ready to go
  (a discharge ready date, a pathway, every delayed day with its reason);
  afterwards their stays, tasks, delayed days, packages and the caseload rows
  are put back as seeded and what the discharges made is deleted.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Table, delete, func, insert, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, col

from bench.core import Context, Result, Target, measure, timed
from bench.screen_measures import desk_under_test
from bench.service_measures import PK
from desk import clock, db
from desk.discharge import delays
from desk.discharge_models import DelayDay, DischargeTask, ZonePickup
from desk.history import Actor
from desk.models import Admission, CarePackage, CarePackageItem, History, Person
from desk.package_models import CareStep, PackageReview, ProviderNotice
from desk.services import caseload

DELAYS_TARGET = Target("p95", 200.0)
SEEN_TARGET = Target("p95", 2000.0)
BENCH_DESK = "bench-discharge"
"""The desk the measured discharges are recorded from: their history rows are found (and deleted) by it."""
LOOK_EVERY_S = 1.0
"""How often a zone desk looks at its pick-up mark (desk.discharge.pickups: a screen polls it each second)."""
ROUND_TIMEOUT_S = 10.0
YEAR = timedelta(days=365)


def _table(model: type[SQLModel]) -> Table:
    """The table a SQLModel table class is mapped to."""
    table = sa_inspect(model).local_table
    assert isinstance(table, Table), model
    return table


# --- the delays view --------------------------------------------------------------------------


@measure("discharge delays view")
def delays_view(ctx: Context) -> Iterable[Result]:
    """The delays view's read over a year of discharges: delayed now and the year's counts, trust and one zone."""
    zone = desk_under_test(ctx).zone_id
    today = clock.today()
    with db.reading(ctx.engine) as s:
        delayed = delays.delayed_now(s)
        year = delays.counts(s, since=today - YEAR, until=today)
        stays = s.execute(sa_select(func.count()).select_from(Admission)).scalar_one()
    if year.total == 0:
        raise LookupError("no delayed days in the database: seed it with desk seed (the ward discharge stage)")

    def view(zone_id: str | None) -> None:
        with db.reading(ctx.engine) as s:
            delays.delayed_now(s, zone_id=zone_id)
            delays.counts(s, since=today - YEAR, until=today, zone_id=zone_id)

    reps = ctx.reps(100, quick=20)
    yield Result(
        "discharge delays view: whole trust",
        timed(lambda: view(None), repeat=reps),
        DELAYS_TARGET,
        reference=PK,
        note=f"{len(delayed)} delayed now; {year.total:,} delayed days in a year over {len(year.by_month)} months; "
        f"{stays:,} stays",
    )
    with db.reading(ctx.engine) as s:
        mine = len(delays.delayed_now(s, zone_id=zone))
    yield Result(
        "discharge delays view: one zone",
        timed(lambda: view(zone), repeat=reps),
        DELAYS_TARGET,
        reference=PK,
        note=f"zone {zone}, {mine} delayed now",
    )


# --- a discharge seen on a zone desk ------------------------------------------------------------


@dataclass(frozen=True)
class _Stay:
    admission_id: int
    person_id: int
    version: int


def _ready_to_go(ctx: Context, zone_id: str, n: int) -> list[_Stay]:
    """Seeded stays of the zone's people that a discharge accepts: a date, a pathway, every delayed day's reason."""
    today = clock.today()
    with db.reading(ctx.engine) as s:
        rows = s.execute(
            sa_select(col(Admission.id), col(Admission.person_id), col(Admission.version))
            .join(Person, col(Person.id) == col(Admission.person_id))
            .where(
                col(Person.zone_id) == zone_id,
                col(Admission.discharged_at).is_(None),
                col(Admission.ready_on).is_not(None),
                col(Admission.ready_on) <= today,
                col(Admission.pathway).in_(("0", "1", "2")),
            )
            .order_by(col(Admission.package_id).is_not(None), col(Admission.id))
        ).all()
        missing = delays.missing_by_stay(s, [r[0] for r in rows], today)
    ready = [_Stay(int(a), int(p), int(v)) for a, p, v in rows if not missing.get(a)]
    if len(ready) < n:
        raise LookupError(f"zone {zone_id} has {len(ready)} seeded stays ready to discharge, {n} wanted")
    return ctx.rng("discharge-seen").sample(ready, n)


def _rows_of(s: Any, model: type[SQLModel], where: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in s.execute(sa_select(_table(model)).where(where)).all()]


def _top(s: Any, model: type[SQLModel]) -> int:
    return int(s.execute(sa_select(func.max(_table(model).c.id))).scalar() or 0)


@contextmanager
def _as_seeded_afterwards(ctx: Context, stays: list[_Stay]) -> Iterator[None]:
    """Put the stays, their tasks, delayed days and packages back as seeded; delete what the discharges made."""
    ids = [st.admission_id for st in stays]
    people = [st.person_id for st in stays]
    with db.reading(ctx.engine) as s:
        kept = {
            Admission: _rows_of(s, Admission, col(Admission.id).in_(ids)),
            DischargeTask: _rows_of(s, DischargeTask, col(DischargeTask.admission_id).in_(ids)),
            DelayDay: _rows_of(s, DelayDay, col(DelayDay.admission_id).in_(ids)),
            CarePackage: _rows_of(s, CarePackage, col(CarePackage.person_id).in_(people)),
        }
        packages = [r["id"] for r in kept[CarePackage]]
        kept[CarePackageItem] = _rows_of(s, CarePackageItem, col(CarePackageItem.package_id).in_(packages))
        tops = {m: _top(s, m) for m in (ZonePickup, PackageReview, CareStep, ProviderNotice, History)}
    try:
        yield
    finally:
        with db.writing(ctx.engine) as s:
            for made in (ZonePickup, PackageReview, CareStep, ProviderNotice):
                s.execute(delete(_table(made)).where(_table(made).c.id > tops[made]))
            s.execute(delete(History).where(col(History.id) > tops[History], col(History.desk) == BENCH_DESK))
            for per_stay in (DelayDay, DischargeTask):
                table = _table(per_stay)
                s.execute(delete(table).where(table.c.admission_id.in_(ids)))
                if kept[per_stay]:
                    s.execute(insert(table), kept[per_stay])
            for by_id in (Admission, CarePackage, CarePackageItem):
                table = _table(by_id)
                for row in kept[by_id]:
                    s.execute(update(table).where(table.c.id == row["id"]).values(**row))
            for pid in people:
                caseload.refresh(s, pid)


def _zone_desk(child_url: str, zone_id: str, asks: Any, answers: Any) -> None:
    """A zone desk in its own process: the pick-up mark every second; the new pick-up's time when it is held."""
    from desk import db as desk_db
    from desk.discharge import pickups as desk_pickups

    engine = desk_db.make_engine(child_url)
    target: int | None = None
    last: tuple[int, int] | None = None
    next_look = time.perf_counter()
    try:
        while True:
            try:
                msg = asks.get(timeout=max(0.0, next_look - time.perf_counter()))
            except queue.Empty:
                msg = "look"
            if msg is None:
                return
            if msg != "look":
                target = int(msg)
                answers.put("ready")
                continue
            next_look += LOOK_EVERY_S
            with desk_db.reading(engine) as s:
                mark = desk_pickups.mark(s, zone_id)
                if mark != last and target is not None:
                    if any(r.person_id == target for r in desk_pickups.outstanding(s, zone_id)):
                        answers.put(time.perf_counter_ns())
                        target = None
                last = mark
    finally:
        engine.dispose()


def _discharge(ctx: Context, actor: Actor, stay: _Stay) -> None:
    """Record one discharge as the discharge dialog does, the package not confirmed and the reason given."""
    from desk.discharge import leaving

    with db.writing(ctx.engine) as s:
        leaving.discharge(
            s,
            actor,
            leaving.DischargeInput(
                admission_id=stay.admission_id,
                expected_version=stay.version,
                discharged_at=None,
                note="Bench: home as planned",
                unconfirmed_why="Bench: provider confirmed by phone",
                who_to_ring="",
            ),
        )


@measure("discharge seen on a zone desk")
def discharge_seen(ctx: Context) -> Iterable[Result]:
    """A discharge committed here, timed to the moment a zone desk in another process holds its pick-up."""
    desk = desk_under_test(ctx)
    rounds = ctx.reps(20, quick=5)
    stays = _ready_to_go(ctx, desk.zone_id, rounds)
    actor = Actor(desk.staff_id, BENCH_DESK)
    rng = ctx.rng("discharge-seen-pause")
    seen: list[int] = []
    spawn = multiprocessing.get_context("spawn")
    with _as_seeded_afterwards(ctx, stays), spawn.Manager() as manager:
        asks, answers = manager.Queue(), manager.Queue()
        child = spawn.Process(target=_zone_desk, args=(desk.child_url, desk.zone_id, asks, answers), daemon=True)
        child.start()
        try:
            for n, stay in enumerate(stays):
                asks.put(stay.person_id)
                if answers.get(timeout=60 if n == 0 else ROUND_TIMEOUT_S) != "ready":
                    raise RuntimeError("the zone desk did not say it was looking")
                time.sleep(rng.uniform(0, LOOK_EVERY_S))  # commits fall anywhere between the desk's looks
                _discharge(ctx, actor, stay)
                committed = time.perf_counter_ns()
                try:
                    held = answers.get(timeout=ROUND_TIMEOUT_S)
                except queue.Empty:
                    raise TimeoutError(
                        f"round {n + 1}: the zone desk did not see the pick-up within {ROUND_TIMEOUT_S:.0f} s"
                    ) from None
                seen.append(int(held) - committed)
            asks.put(None)
            child.join(10)
        finally:
            if child.is_alive():
                child.terminate()
                child.join(5)
    yield Result(
        "discharge seen on a zone desk: commit to pick-up held",
        seen,
        SEEN_TARGET,
        reference=PK,
        note=f"zone {desk.zone_id}; {len(seen)} discharges through leaving.discharge; the other process looks at "
        f"the pick-up mark every {LOOK_EVERY_S:.0f} s and reads the outstanding pick-ups when it moves",
    )
