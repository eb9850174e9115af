"""The ward screen of a full 30-bed ward: its key on the caseload to the first frame with its patients.

The scale seed spreads its 600 inpatients over 20 wards, about 30 a ward,
each ward covered by a zone's discharge co-ordinator. For the measure one
co-ordinator covers exactly one full ward (the seeded ward nearest 30 beds,
at least 30): their other wards are set aside for the measure and given back
afterwards, so the database is left as seeded.

In a headless desk in a fresh process (:mod:`bench.headless`), signed in as
that co-ordinator, the ward screen's key (the global key with id ``ward`` in
screens/global_keys.py) is timed to the first frame that shows the ward
screen with its rows read (the top patient's name on it) and its status line
drawn, as the other keystroke measures are timed; Escape goes back to the
caseload before the next press.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import delete, func, insert
from sqlalchemy import select as sa_select
from sqlmodel import col

from bench import headless
from bench.core import Context, Result, Target, measure
from bench.headless import FRAME_MS, KEY_REFERENCE, Harness, Sample
from bench.screen_measures import desk_under_test
from desk import db
from desk.discharge import stays
from desk.discharge_models import WardCover
from desk.models import Admission, Staff

FIRST_FRAME = Target("p95", 100.0)
BEDS = 30


@dataclasses.dataclass(frozen=True)
class _Ward:
    ward_id: int
    beds: int
    coordinator: int
    zone_id: str
    top_name: str


def _full_ward(ctx: Context) -> _Ward:
    """The seeded ward nearest :data:`BEDS` patients (at least that many, if any is), and a co-ordinator."""
    with db.reading(ctx.engine) as s:
        counts = s.execute(
            sa_select(col(Admission.ward_id), func.count())
            .where(col(Admission.discharged_at).is_(None))
            .group_by(col(Admission.ward_id))
        ).all()
        if not counts:
            raise LookupError("nobody is in hospital: seed with desk seed (the ward discharge stage)")
        full = [(n, w) for w, n in counts if n >= BEDS] or [(n, w) for w, n in counts]
        beds, ward_id = min(full, key=lambda c: (abs(c[0] - BEDS), c[1]))
        coordinator = s.execute(
            sa_select(col(Staff.id), col(Staff.zone_id))
            .where(col(Staff.role) == "discharge_coordinator", col(Staff.active).is_(True))
            .order_by(col(Staff.id))
        ).first()
        if coordinator is None:
            raise LookupError("no discharge co-ordinator in the reference data")
        rows = stays.ward_list(s, ward_ids=[int(ward_id)])
    top = rows[0].name.split(",")[0] if rows else ""
    return _Ward(int(ward_id), int(beds), int(coordinator[0]), str(coordinator[1]), top)


@contextmanager
def _covering_only(ctx: Context, ward: _Ward) -> Iterator[None]:
    """The co-ordinator covers just this ward while inside; their own wards again afterwards."""
    table = WardCover.__table__  # type: ignore[attr-defined]
    with db.reading(ctx.engine) as s:
        kept = [dict(r._mapping) for r in s.execute(sa_select(table).where(table.c.staff_id == ward.coordinator)).all()]
    try:
        with db.writing(ctx.engine) as s:
            s.execute(delete(table).where(table.c.staff_id == ward.coordinator))
            s.execute(insert(table), [{"staff_id": ward.coordinator, "ward_id": ward.ward_id}])
        yield
    finally:
        with db.writing(ctx.engine) as s:
            s.execute(delete(table).where(table.c.staff_id == ward.coordinator))
            if kept:
                s.execute(insert(table), kept)


def _ward_shown(app: Any, top_name: str, loaded_before: int = 0) -> Any:
    """The first frame of the ward screen with its rows read, the top patient and the status line drawn."""
    from textual.widgets import Static

    from screens.ward import WardScreen

    def shows(frame: str) -> bool:
        screen = app.screen
        if not (isinstance(screen, WardScreen) and screen.loaded > loaded_before):
            return False
        status = str(screen.query_one("#ward-status", Static).content)
        return top_name in frame and status in frame

    return shows


async def ward_screen(h: Harness, ward: _Ward, reps: int) -> list[Result]:
    """The ward key from the caseload to the ward's first frame with its rows, ``reps`` times, Escape back between."""
    from screens.caseload import CaseloadScreen
    from screens.global_keys import GLOBAL_KEYS
    from screens.ward import WardScreen

    key = next(b.key for b in GLOBAL_KEYS if b.id == "ward")

    app = h.app
    shown: list[Sample] = []
    up: list[int] = []
    back: list[int] = []
    rows = 0
    for _ in range(reps):
        screen_up = h.watch.when(lambda _: isinstance(app.screen, WardScreen))
        sample = await h.key(key, _ward_shown(app, ward.top_name))
        shown.append(sample)
        up.append(screen_up.result() - sample.posted)
        rows = len(app.screen.rows)
        back.append((await h.key("escape", lambda _: isinstance(app.screen, CaseloadScreen))).latency)
    if rows < ward.beds:
        raise LookupError(f"the ward screen showed {rows} rows, {ward.beds} are on the ward: {h.watch.describe()}")
    return [
        Result(
            f"discharge ward screen: key to first frame with {ward.beds} beds",
            [s.latency for s in shown],
            FIRST_FRAME,
            reference=KEY_REFERENCE,
            note=f"{key}; ward {ward.ward_id}, its co-ordinator's only ward; read on a worker thread; longest freeze "
            f"{max(s.freeze for s in shown) / 1e6:.0f} ms; garbage: {h.gc.describe()}",
        ),
        Result("discharge ward screen: key to first frame of the screen", up, note="before its rows are read"),
        Result("discharge ward screen: Esc back to the caseload", back, FRAME_MS, reference=KEY_REFERENCE),
    ]


@measure("discharge ward screen", group="screen")
def ward_screen_measure(ctx: Context) -> Iterable[Result]:
    """The ward key to the first frame of a 30-bed ward's screen, as the ward's discharge co-ordinator."""
    ward = _full_ward(ctx)
    desk = dataclasses.replace(desk_under_test(ctx), staff_id=ward.coordinator, zone_id=ward.zone_id)
    with _covering_only(ctx, ward):
        return headless.run(desk, ward_screen, ward, ctx.reps(20, quick=5))
