"""The ward screen of a full 30-bed ward: F9 to a frame with its patients on it, and every bed listed.

Watched as bench/frames.py watches the crisis board: the key posted as a
terminal's driver posts it, then the frames Textual hands the driver. What
is checked is what the co-ordinator sees: the screen comes up, a frame shows
the ward's patients, and all thirty are listed. How fast is the bench's to
say (``discharge ward screen`` in bench/discharge_screens.py, target 100 ms),
not a test's: the figure here is printed for the record only.
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


async def test_a_thirty_bed_ward_comes_up_on_f9_with_every_bed(zone: Zone) -> None:
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
            assert posted < up <= shown  # the screen came up, then a frame with the ward's patients
            assert sorted(r.name for r in app.screen.rows)[0] == "BEDFORD0, Alex"
            print(f"\nward screen, {BEDS} beds: F9 to its rows {(shown - posted) / 1e6:.0f} ms (not checked here)")
