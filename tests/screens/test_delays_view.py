"""The delays view: who is delayed in hospital, the delayed days counted, and the CSV written for the meeting.

The desk's clock is frozen on Wednesday 2 December 2026; Doris has been ready
to leave since Sunday 29 November (the delay runs over the month end), with
one reason for November and another from 1 December. A second patient is
delayed a day with no reason given yet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from desk import db
from desk.discharge import delays
from desk.discharge.delays import DelayInput
from desk.history import Actor
from screens.delays import DelaysScreen, counting_from
from tests.helpers.fixtures import FrozenClock, Registrar, frozen
from tests.helpers.in_hospital import in_hospital
from tests.screens.screen_zone import Zone, desk_open, shown_text, until

NOW = datetime(2026, 12, 2, 10, 30, tzinfo=UTC)  # a Wednesday, GMT
NOV29, DEC1, DEC2 = date(2026, 11, 29), date(2026, 12, 1), date(2026, 12, 2)


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    with frozen(NOW) as stopped:
        yield stopped


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The desk's data directory, where exports go."""
    folder = tmp_path / "desk-data"
    monkeypatch.setenv("DESK_DATA_DIR", str(folder))
    return folder


def _delayed(zone: Zone) -> int:
    """Doris delayed since 29-Nov (care at home, then transport from 1-Dec); Sample1 since today, no reason."""
    actor = Actor(zone.staff_id, "ward-desk")
    stay = in_hospital(zone.engine, actor, zone.doris_id, datetime(2026, 11, 25, 9, tzinfo=UTC), ready_on=NOV29)
    with db.writing(zone.engine) as session:
        delays.set_reason(session, actor, DelayInput(stay, "care_at_home", "Bayside Care", NOV29))
        delays.set_reason(session, actor, DelayInput(stay, "transport", "Ward 3 co-ordinator", DEC1))
    other = Registrar(zone.engine, actor)(family_name="Sample", given_name="Alex")
    assert other.id is not None
    in_hospital(zone.engine, actor, other.id, datetime(2026, 11, 30, 9, tzinfo=UTC), ready_on=DEC2, ward="Ward 4")
    return stay


def _table_lines(screen: DelaysScreen) -> list[str]:
    table = screen.query_one("#delays")
    return [" | ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]  # type: ignore[attr-defined]


def test_the_counts_cover_whole_months_to_today() -> None:
    assert counting_from(date(2026, 12, 2)) == date(2026, 1, 1)
    assert counting_from(date(2027, 1, 31)) == date(2026, 2, 1)


async def test_delayed_patients_by_days_with_reason_and_owner_and_the_days_counted(
    zone: Zone, clock: FrozenClock
) -> None:
    _delayed(zone)
    async with desk_open(zone) as (app, pilot):
        await pilot.press("ctrl+f")
        await until(pilot, lambda: isinstance(app.screen, DelaysScreen) and app.screen.loaded >= 1)
        screen = app.screen
        assert isinstance(screen, DelaysScreen)
        lines = _table_lines(screen)
        assert len(lines) == 2
        assert lines[0].startswith("4 | PASCOE, Doris | Ward 3")  # most days first
        assert "29-Nov" in lines[0] and "Awaiting transport (Ward 3 co-ordinator)" in lines[0]
        assert lines[1].startswith("1 | SAMPLE, Alex | Ward 4") and "No reason given yet" in lines[1]
        status = str(screen.query_one("#delay-status").render())
        assert "zone BXM: 2 patients, 5 days so far, 1 with no reason given" in status

        counts = shown_text(screen.query_one("#delay-counts"), width=160)
        assert "Delayed days from 01-Jan-2026 to 02-Dec-2026: 4" in counts  # only days with a reason are counted
        assert "BXM" in counts
        assert "Awaiting assessment or care at home" in counts and "Awaiting transport" in counts
        assert "Nov 2026" in counts and "Dec 2026" in counts

        await pilot.press("enter")  # opens the person
        await until(pilot, lambda: type(app.screen).__name__ == "PersonScreen")
        assert app.screen.person_id == zone.doris_id


async def test_e_writes_the_csv_into_the_data_directory_and_says_where(
    zone: Zone, clock: FrozenClock, data_dir: Path
) -> None:
    _delayed(zone)
    async with desk_open(zone) as (app, pilot):
        await pilot.press("ctrl+f")
        await until(pilot, lambda: isinstance(app.screen, DelaysScreen) and app.screen.loaded >= 1)
        screen = app.screen
        assert isinstance(screen, DelaysScreen)
        await pilot.press("e")
        await until(pilot, lambda: screen.last_export is not None)
        path = screen.last_export
        assert path is not None and path.parent == data_dir / "delays" and path.name.endswith(".csv")
        assert f"Delays written to {path}" in str(screen.query_one("#delay-message").render())
        assert any(str(path) in n.message for n in app._notifications)

        got = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        assert got[0] == ["Delayed now"]
        patients = got[2:4]
        assert [p[0] for p in patients] == ["PASCOE, Doris", "SAMPLE, Alex"]
        assert patients[0][2:] == ["BXM", "2026-11-29", "4", "Awaiting transport", "Ward 3 co-ordinator"]
        assert patients[1][4:6] == ["1", ""]
        counted = {(r[0], r[1]): r[2] for r in got[5:] if len(r) == 3}
        assert counted[("Zone", "BXM")] == "4"
        assert counted[("Reason", "Awaiting assessment or care at home")] == "2"
        assert counted[("Reason", "Awaiting transport")] == "2"
        assert counted[("Month", "2026-11")] == "2" and counted[("Month", "2026-12")] == "2"
        assert counted[("Total", "")] == "4"


async def test_nobody_delayed_says_so(zone: Zone, clock: FrozenClock) -> None:
    async with desk_open(zone, size=(80, 24)) as (app, pilot):
        await pilot.press("ctrl+f")
        await until(pilot, lambda: isinstance(app.screen, DelaysScreen) and app.screen.loaded >= 1)
        assert "Nobody is delayed." in str(app.screen.query_one("#delay-status").render())


async def test_pickups_and_delays_are_in_the_palette_and_help_and_the_footer(zone: Zone, clock: FrozenClock) -> None:
    from screens.help import HelpScreen
    from screens.key_footer import KeyFooter
    from screens.palette import desk_commands

    async with desk_open(zone) as (app, pilot):
        names = [c.title for c in desk_commands(app, app.screen)]
        for name in ("Pick-up: list", "Pick-up: acknowledge", "Delays: open", "Delays: export"):
            assert name in names
        footer = str(app.screen.query_one(KeyFooter).keys_text())
        assert "^y Pick-ups" in footer and "^f Delays" in footer
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        keys = str(app.screen.query_one("#help-keys").render())
        assert "Ctrl+Y" in keys and "Discharges for the zone to pick up" in keys
        assert "Ctrl+F" in keys and "Patients delayed in hospital" in keys


async def test_the_palettes_delays_export_opens_the_view_and_writes_the_csv(
    zone: Zone, clock: FrozenClock, data_dir: Path
) -> None:
    _delayed(zone)
    async with desk_open(zone) as (app, pilot):
        app.action_delays(export=True)
        await until(pilot, lambda: isinstance(app.screen, DelaysScreen) and app.screen.last_export is not None)
        path = app.screen.last_export
        assert path is not None and "PASCOE, Doris" in path.read_text(encoding="utf-8")
