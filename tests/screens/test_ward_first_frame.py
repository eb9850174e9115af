"""The ward screen of a full 30-bed ward: F9 to the first frame with its patients on it.

Timed as bench/frames.py times the crisis board: the key posted as a
terminal's driver posts it, and the clock read when Textual hands the frame
that shows the rows to the driver. The screen is drawn before its rows are
read (a worker reads them), so the frame of the screen itself never waits on
the database. The target is 100 ms; on a shared test machine the bound
asserted here is looser, and the figure is printed for the record.
"""

from __future__ import annotations

from datetime import timedelta

from desk import db
from desk.history import Actor
from desk.services import people
from screens.ward import WardScreen
from tests.helpers import synthetic
from tests.helpers.fixtures import FROZEN_AT, frozen
from tests.screens.screen_zone import Zone, until
from tests.screens.ward_zone import admit, ward_desk

BEDS = 30
TARGET_MS = 100
BOUND_MS = 400
"""What a loaded 2-core test machine is allowed (several test runs share it); the target is :data:`TARGET_MS`."""


def fill_ward(zone: Zone) -> None:
    """Thirty patients on Ward 3, admitted over the last fortnight."""
    with db.writing(zone.engine) as session:
        ids = [
            people.register(
                session,
                Actor(zone.staff_id, "test"),
                people.PersonDetails(
                    nhs_number=synthetic.nhs_number(100 + n * 7),
                    family_name=f"Bedford{n}",
                    given_name="Alex",
                    date_of_birth="23/11/1940",
                    postcode="TQ5 9AB",
                    address=f"{n} Fore Street, Brixham",
                    phone=synthetic.landline(100 + n),
                    practice_id="L99013",
                ),
            ).id
            for n in range(BEDS - 1)
        ]
    for n, person_id in enumerate([zone.doris_id, *ids]):
        assert person_id is not None
        admit(zone, person_id, FROZEN_AT - timedelta(hours=12 * n + 1))


async def test_a_thirty_bed_ward_is_on_the_first_frame_within_bounds(zone: Zone) -> None:
    from bench.frames import FrameWatch, post_key

    with frozen(FROZEN_AT):
        fill_ward(zone)
        async with ward_desk(zone) as (app, pilot):
            watch = FrameWatch(app)
            await watch.quiet()
            screen_up = watch.when(lambda _: isinstance(app.screen, WardScreen))
            with_rows = watch.when(
                lambda frame: isinstance(app.screen, WardScreen) and app.screen.loaded > 0 and "BEDFORD" in frame
            )
            posted = post_key(app, "f9")
            shown = await with_rows
            up = screen_up.result()
            await until(pilot, lambda: len(app.screen.rows) == BEDS)
            ms, up_ms = (shown - posted) / 1e6, (up - posted) / 1e6
            print(f"\nward screen, {BEDS} beds: F9 to its rows {ms:.0f} ms, to the screen {up_ms:.0f} ms")
            assert up_ms <= BOUND_MS and ms <= BOUND_MS, f"{ms:.0f} ms (target {TARGET_MS} ms)"
