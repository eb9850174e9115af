"""Care packages on screen: K on a record to a package of 30 versions, Ctrl+L to the waiting list.

A seeded person who has had long-term care is given an assessment and a
package of :data:`~bench.package_measures.VERSIONS` versions for the measure
(committed: the desk runs in a process of its own), by the same helpers as
the package change measure, and everything made is deleted afterwards.

In a headless desk in a fresh process (:mod:`bench.headless`) the person is
found on the caseload by their NHS number and their record opened; then K is
timed to the first frame that shows the package screen with its history
read (its title names every version) and the banner with the person's name,
as the other keystroke measures are timed. Escape goes back to the record
before the next K.

The waiting list: the trust given the waiting list measure's 15,000
packages (:func:`~bench.package_measures.waiting_population`, removed
afterwards), Ctrl+L on the caseload is timed to the first frame that shows
the desk's own zone's list with its rows read and its status line drawn;
Escape goes back to the caseload before the next.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bench import headless
from bench.core import Context, Result, Target, measure
from bench.headless import FRAME_MS, KEY_REFERENCE, Harness, Sample, new_page, status_of
from bench.package_measures import VERSIONS, package_of_versions, waiting_population
from bench.screen_measures import desk_under_test

FIRST_FRAME = Target("p95", 100.0)


def _package_shown(app: Any, versions: int, name: str) -> Any:
    """The first frame of the package screen with its versions read, its history title and banner drawn."""
    from screens.package import PackageScreen

    title = f"Package history: {versions} version"

    def shows(frame: str) -> bool:
        screen = app.screen
        return isinstance(screen, PackageScreen) and screen.found is not None and title in frame and name in frame

    return shows


async def package_screen(h: Harness, person_id: int, versions: int, reps: int) -> list[Result]:
    """Open the person's record from the caseload, then K to the package's first frame ``reps`` times."""
    from sqlmodel import select
    from textual.widgets import Input

    from desk import db
    from desk.models import CaseloadEntry
    from desk.services import people
    from screens.person import PersonScreen

    app, screen = h.app, h.app.screen
    with db.reading(app.engine) as s:
        rec = people.record(s, person_id)
        zone = s.exec(select(CaseloadEntry.zone_id).where(CaseloadEntry.person_id == person_id)).first()
    if zone is None:
        raise LookupError(f"person {person_id} is not on the caseload: there is no row to press Enter on")
    if zone != h.desk.zone_id and not screen.all_zones:
        await h.key("a", new_page(screen))  # the desk opens on its own zone
    name = f"{rec.family_name.upper()}, {rec.given_name}"
    page = new_page(screen)
    screen.query_one("#caseload-search", Input).value = rec.nhs_number  # they are the only row
    await h.watch.until(page)
    table = screen.query_one("#caseload")
    if table.row_count != 1:
        raise LookupError(f"searching for {rec.nhs_number} left {table.row_count} rows: {status_of(screen)!r}")
    table.focus()
    await h.key("enter", lambda frame: isinstance(app.screen, PersonScreen) and app.screen.record is not None)
    record = app.screen
    shown: list[Sample] = []
    up: list[int] = []
    back: list[int] = []
    from screens.package import PackageScreen

    for _ in range(reps):
        screen_up = h.watch.when(lambda _: isinstance(app.screen, PackageScreen))
        try:
            sample = await h.key("k", _package_shown(app, versions, name))
        except TimeoutError as exc:
            found = getattr(app.screen, "found", None)
            seen = (found.package_id, len(found.versions)) if found else None
            raise TimeoutError(f"{exc}; person {person_id}, package and versions on screen {seen}") from None
        shown.append(sample)
        up.append(screen_up.result() - sample.posted)
        back.append((await h.key("escape", lambda _: app.screen is record)).latency)
    return [
        Result(
            f"package screen: K to first frame with {versions} versions",
            [x.latency for x in shown],
            FIRST_FRAME,
            reference=KEY_REFERENCE,
            note=f"person {person_id}; read on a worker thread; longest freeze "
            f"{max(x.freeze for x in shown) / 1e6:.0f} ms; garbage: {h.gc.describe()}",
        ),
        Result("package screen: K to first frame of the screen", up, note="the screen before its package is read"),
        Result("package screen: Esc back to the record", back, FRAME_MS, reference=KEY_REFERENCE),
    ]


@measure("screen: package of 30 versions", group="screen")
def package_screen_measure(ctx: Context) -> Iterable[Result]:
    """K on a person's record to the first frame of their package of 30 versions."""
    desk = desk_under_test(ctx)
    versions = 3 if ctx.once else VERSIONS
    with package_of_versions(ctx, versions) as p:
        return headless.run(desk, package_screen, p.person_id, p.number, ctx.reps(20, quick=5))


def _waiting_shown(app: Any) -> Any:
    """The first frame of the waiting list with its rows read and its status line drawn."""
    from textual.widgets import Static

    from screens.waiting_list import WaitingListScreen

    def shows(frame: str) -> bool:
        screen = app.screen
        if not (isinstance(screen, WaitingListScreen) and screen.loaded > 0):
            return False
        return str(screen.query_one("#waiting-status", Static).content) in frame

    return shows


async def waiting_screen(h: Harness, reps: int) -> list[Result]:
    """Ctrl+L on the caseload to the waiting list's first frame with its rows, ``reps`` times."""
    from screens.caseload import CaseloadScreen
    from screens.waiting_list import WaitingListScreen

    app = h.app
    shown: list[Sample] = []
    up: list[int] = []
    back: list[int] = []
    rows = 0
    for _ in range(reps):
        screen_up = h.watch.when(lambda _: isinstance(app.screen, WaitingListScreen))
        sample = await h.key("ctrl+l", _waiting_shown(app))
        shown.append(sample)
        up.append(screen_up.result() - sample.posted)
        rows = len(app.screen.rows)
        back.append((await h.key("escape", lambda _: isinstance(app.screen, CaseloadScreen))).latency)
    if not rows:
        raise LookupError(f"the waiting list of zone {h.desk.zone_id} showed no rows: {h.watch.describe()}")
    return [
        Result(
            "waiting list screen: Ctrl+L to first frame with its rows",
            [x.latency for x in shown],
            FIRST_FRAME,
            reference=KEY_REFERENCE,
            note=f"{rows} rows, zone {h.desk.zone_id}; read on a worker thread; longest freeze "
            f"{max(x.freeze for x in shown) / 1e6:.0f} ms; garbage: {h.gc.describe()}",
        ),
        Result("waiting list screen: Ctrl+L to first frame of the screen", up, note="the screen before its rows"),
        Result("waiting list screen: Esc back to the caseload", back, FRAME_MS, reference=KEY_REFERENCE),
    ]


@measure("screen: waiting list", group="screen")
def waiting_screen_measure(ctx: Context) -> Iterable[Result]:
    """Ctrl+L on the caseload to the first frame of the desk's zone's waiting list."""
    desk = desk_under_test(ctx)
    with waiting_population(ctx):
        return headless.run(desk, waiting_screen, ctx.reps(20, quick=5))
