"""Care packages at trust scale, for ``desk seed``: a year of versions on assessments, reviews, waiting lists.

A stage of :data:`desk.scale.STAGES`, run after the referrals and their
assessments are written. The packages are those the demo makes
(:mod:`desk.packages.demo_stage`, the same rule for every version), many more
of them: an active package for :data:`ACTIVE_PERCENT` in 100 on the caseload
(about 15,000 at full size), two to six versions each over the last year or
two; a few of them new and still waiting against their 28-day target, with
their equipment against its 7 days; ended packages for some. Services,
providers and costs come from ``data/care_catalogue.json``. Rows are written
with the bulk writer while the indexes are set aside.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from desk.packages.demo_stage import Ids, PackageMade, Team, Want, plan_package, write
from desk.synthetic.scale_care import older_not_on_caseload
from desk.synthetic.scale_context import SEED_DESK, ScaleContext
from desk.synthetic.scale_register import Caseload, Register

ACTIVE_PERCENT = 37.5
"""Of the caseload, with an active package: 15,000 of 40,000."""
WAITING_PERCENT = 3
"""Of the active packages, requested in the last five weeks and not yet available."""
ENDED_PERCENT = 8
"""Of the caseload, with an ended package too."""


@dataclass(frozen=True)
class Packages:
    """What the stage made, for the stages after it: the people with an active package (register indexes)."""

    active: tuple[int, ...]
    waiting: int


def _teams(ctx: ScaleContext) -> tuple[dict[str, Team], dict[str, list[int]]]:
    staff: dict[str, dict[str, list[int]]] = {}
    for s in ctx.staff:
        staff.setdefault(s.zone_id, {}).setdefault(s.role, []).append(s.id)
    arrangers = {z: by.get("coordinator") or by.get("nurse") or [] for z, by in staff.items()}
    return {z: Team(z, by) for z, by in staff.items()}, arrangers


def packages(ctx: ScaleContext) -> Packages:
    """Every package's past and present, written in bulk."""
    ctx.progress("packages", 0, 1)
    rng, today, zone = ctx.rng, ctx.today, ctx.records.get(Register).zone
    teams, arrangers = _teams(ctx)
    made: list[PackageMade] = []
    active: list[int] = []
    waiting = 0

    def plan(k: int, want: Want, versions: int) -> None:
        made.append(plan_package(rng, teams[want.zone_id], arrangers[want.zone_id], want, today, versions))

    for k in ctx.records.get(Caseload).people:
        if rng.random() < ACTIVE_PERCENT / 100:
            active.append(k)
            if rng.random() < WAITING_PERCENT / 100:
                waiting += 1
                plan(k, Want(k + 1, zone[k], waiting_since=today - timedelta(days=rng.randrange(0, 35))), 1)
            else:
                plan(k, Want(k + 1, zone[k]), rng.randint(2, 6))
        if rng.random() < ENDED_PERCENT / 100:
            plan(k, Want(k + 1, zone[k], ended=True), rng.randint(2, 3))
    for k in older_not_on_caseload(ctx, 70, 0.5):
        plan(k, Want(k + 1, zone[k], ended=True), 2)
    counts = write(ctx.sink, Ids(ctx.conn), made, desk=SEED_DESK)
    ctx.counts.update({f"packages_{table}": n for table, n in counts.items()})
    ctx.counts["packages"] = counts["carepackage"]
    ctx.counts["package_items"] = counts["carepackageitem"]
    ctx.progress("packages", 1, 1)
    return Packages(tuple(active), waiting)
