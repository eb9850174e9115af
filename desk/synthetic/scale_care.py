"""The trust-scale seed's care: involvements, hospital stays, alerts and home visits.

Care packages, with their versions on assessments, are desk.packages.scale_stage.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from desk.synthetic import rules
from desk.synthetic.scale_context import OrgRef, ScaleContext
from desk.synthetic.scale_people import Busiest
from desk.synthetic.scale_register import Caseload, KeyWorkers, Register
from desk.vocabulary import DISCIPLINE_ROLES

# How often each discipline is involved, and how many home visits an involvement has had on average.
DISCIPLINE_WEIGHTS = {"nursing": 36, "physiotherapy": 14, "occupational_therapy": 15, "social_work": 20, "support": 15}
DISCIPLINE = rules.Choice(DISCIPLINE_WEIGHTS)
VISITS_PER_INVOLVEMENT = {"nursing": 7, "physiotherapy": 4, "occupational_therapy": 2, "social_work": 2, "support": 5}
ROLE_DISCIPLINE = {role: discipline for discipline, role in DISCIPLINE_ROLES.items()}


def days_between(rng: random.Random, low: int, mean: float, high: int) -> float:
    """Days between two events: at least ``low``, about ``mean`` on average, at most ``high``."""
    return min(float(high), low + rng.expovariate(1.0 / max(0.1, mean - low)))


def older_not_on_caseload(ctx: ScaleContext, min_age: int, percent: float) -> Iterator[int]:
    """People off the caseload of at least ``min_age``, each with ``percent`` chance: those with past care."""
    register, on = ctx.records.get(Register), ctx.records.get(Caseload).on
    for k in range(len(register)):
        if not on[k] and register.age[k] >= min_age and ctx.rng.random() < percent / 100:
            yield k


class Involvement(NamedTuple):
    """A professional's involvement with person ``person`` (still open when ``ended`` is None)."""

    person: int
    discipline: str
    staff: int
    started: date
    ended: date | None


@dataclass
class Involvements:
    """Every involvement, open and ended."""

    items: list[Involvement]


def involvements(ctx: ScaleContext) -> Involvements:
    """One to three open involvements for each on the caseload (their key worker's first), and some ended."""
    rng, today, register = ctx.rng, ctx.today, ctx.records.get(Register)
    key_workers = ctx.records.get(KeyWorkers).staff
    open_: list[Involvement] = []
    ended: list[Involvement] = []
    for k in ctx.records.get(Caseload).people:
        r = rng.random()
        count = 1 if r < 0.5 else (2 if r < 0.85 else 3)
        chosen: list[str] = []
        if kw := key_workers[k]:
            chosen.append(ROLE_DISCIPLINE[ctx.role_of(kw)])
            open_.append(Involvement(k, chosen[0], kw, today - timedelta(days=rng.randrange(7, 700)), None))
        while len(chosen) < count:
            disc = DISCIPLINE.pick(rng)
            if disc not in chosen:
                chosen.append(disc)
                start = today - timedelta(days=rng.randrange(1, 700))
                open_.append(Involvement(k, disc, ctx.staff_for(register.zone[k], disc), start, None))
        if rng.random() < 0.25:
            ended.append(_ended(ctx, k, 120, 14, 110))
    ended += [_ended(ctx, k, 60, 7, 50) for k in older_not_on_caseload(ctx, 65, 1)]
    rows = (
        (i, inv.person + 1, inv.staff, inv.discipline, ctx.sink.day(inv.started), ctx.sink.day(inv.ended), 1)
        for i, inv in enumerate(open_ + ended, start=1)
    )
    columns = ("id", "person_id", "staff_id", "discipline", "started_on", "ended_on", "version")
    ctx.write("involvements", "involvement", columns, rows)
    ctx.progress("care", 1, 3)
    return Involvements(open_ + ended)


def _ended(ctx: ScaleContext, k: int, min_days_ago: int, min_days: int, max_days: int) -> Involvement:
    rng = ctx.rng
    disc = DISCIPLINE.pick(rng)
    start = ctx.today - timedelta(days=rng.randrange(min_days_ago, 700))
    end = min(ctx.today, start + timedelta(days=rng.randrange(min_days, max_days)))
    return Involvement(k, disc, ctx.staff_for(ctx.records.get(Register).zone[k], disc), start, end)


class Stay(NamedTuple):
    """A hospital stay: still on the ward when ``discharged`` is None."""

    person: int
    ward: int
    admitted: datetime
    medically_fit: datetime | None
    discharged: datetime | None


@dataclass
class Stays:
    """Every hospital stay of the last year and now, for the ward discharge stage that plans and writes them."""

    items: list[Stay]


def admissions(ctx: ScaleContext) -> Stays:
    """A year of hospital stays, mostly for the caseload, and a few people in hospital now.

    Written by desk.discharge.scale_stage, which gives each its discharge plan,
    delayed days and pick-up.
    """
    rng, now, register = ctx.rng, ctx.now, ctx.records.get(Register)
    wards = [o for o in ctx.orgs if o.kind == "ward"] or [ctx.orgs[0]]
    general = [w for w in wards if w.zone_id is None] or wards
    stays: list[Stay] = []
    for k in ctx.records.get(Caseload).people:
        r = rng.random()
        if r < 0.015:  # in hospital now
            admitted = now - timedelta(hours=rng.randrange(6, 14 * 24))
            fit = admitted + timedelta(hours=rng.randrange(24, 10 * 24))
            ward = _ward_for(rng, register.zone[k], wards, general)
            stays.append(Stay(k, ward.id, admitted, fit if fit < now and rng.random() < 0.6 else None, None))
        if r < 0.12:  # a stay in the last year (one that would overlap the stay now is left out when written)
            admitted = now - timedelta(days=rng.randrange(2, 365), hours=rng.randrange(24))
            fit = admitted + timedelta(days=days_between(rng, 1, 4, 20))
            discharged = fit + timedelta(days=days_between(rng, 0, 2, 12))
            ward = _ward_for(rng, register.zone[k], wards, general)
            stays.append(Stay(k, ward.id, admitted, fit, min(discharged, now - timedelta(days=1))))
    for k in older_not_on_caseload(ctx, 65, 1):
        admitted = now - timedelta(days=rng.randrange(20, 365), hours=rng.randrange(24))
        fit = admitted + timedelta(days=days_between(rng, 1, 3, 15))
        ward_id = general[rng.randrange(len(general))].id
        stays.append(Stay(k, ward_id, admitted, fit, fit + timedelta(hours=rng.randrange(2, 48))))
    ctx.progress("care", 2, 3)
    return Stays(stays)


def _ward_for(rng: random.Random, zone: str, wards: list[OrgRef], general: list[OrgRef]) -> OrgRef:
    """The zone's own community ward now and then, else a general one."""
    local = [w for w in wards if w.zone_id == zone]
    return local[0] if local and rng.random() < 0.25 else general[rng.randrange(len(general))]


def alerts(ctx: ScaleContext) -> None:
    """An alert for one in 25 on the caseload."""
    rng = ctx.rng
    chosen = [k for k in ctx.records.get(Caseload).people if rng.random() < 0.04]
    rows = [
        (i, k + 1, rng.choice(ctx.words.alerts), ctx.sink.ts(ctx.now - timedelta(days=rng.randrange(1, 700))), None, 1)
        for i, k in enumerate(chosen, start=1)
    ]
    ctx.write("alerts", "alert", ("id", "person_id", "text", "raised_at", "ended_at", "version"), rows)
    ctx.progress("care", 3, 3)


def visits(ctx: ScaleContext) -> None:
    """Home visits over each involvement's last four months (ended ones over their span), and the busiest's 120."""
    rows: list[tuple[Any, ...]] = []
    for inv in ctx.records.get(Involvements).items:
        start = inv.started if inv.ended is not None else max(inv.started, ctx.today - timedelta(days=120))
        rows += _visits(ctx, inv.person, inv.discipline, inv.staff, start, min(inv.ended or ctx.today, ctx.today))
    busiest = ctx.records.get(Busiest).person
    if busiest is not None:
        zone = ctx.records.get(Register).zone[busiest]
        for _ in range(120):
            disc = DISCIPLINE.pick(ctx.rng)
            at = ctx.working_time(ctx.past_day(360, 1), out_of_hours=0)
            rows.append(_visit(ctx, busiest, disc, ctx.staff_for(zone, disc), at))
    numbered = ((i, *row) for i, row in enumerate(rows, start=1))
    ctx.write("visits", "visit", ("id", "person_id", "staff_id", "discipline", "at", "note"), numbered)
    ctx.progress("visits", 1, 1)


def _visits(ctx: ScaleContext, k: int, disc: str, staff: int, start: date, end: date) -> list[tuple[Any, ...]]:
    rng, days = ctx.rng, (end - start).days
    if days < 1:
        return []
    mean = VISITS_PER_INVOLVEMENT[disc] * min(1.0, days / 120)
    count = int(rng.expovariate(1 / mean)) if mean > 0 else 0
    ats = [ctx.working_time(start + timedelta(days=rng.randrange(days)), out_of_hours=0.02) for _ in range(count)]
    return [_visit(ctx, k, disc, staff, at) for at in ats if at < ctx.now]


def _visit(ctx: ScaleContext, k: int, disc: str, staff: int, at: datetime) -> tuple[Any, ...]:
    return (k + 1, staff, disc, ctx.sink.ts(at), ctx.rng.choice(ctx.words.visit_notes[disc]))
