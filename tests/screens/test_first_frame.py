"""Opening straight onto the caseload: the first screen is drawn before the ORM loads, and the desk works on.

``desk`` reads its first screen with the database driver (desk.first_look)
and loads SQLAlchemy behind the first frame. These tests open the real app
that way and check that the co-ordinator sees their caseload at once, and
that everything needing the database (paging, a record, the line, the calls
left unfinished) works as soon as it is there.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import time

import pytest
from sqlmodel import select

from desk import clock, db, phones
from desk.first_look import first_look
from desk.history import Actor
from desk.models import Involvement, Person
from desk.services import calls, caseload, people, reference, rings
from desk.settings import Settings
from screens.app import DeskApp
from screens.sign_in import SignIn
from tests.screens.screen_zone import SIZE, Zone, on_screen, open_record, put_doris_on_caseload, until


def _url(zone: Zone) -> str:
    """The zone's database as the desk command is given it (on PostgreSQL, inside the test's schema)."""
    if zone.search_path:
        return f"{zone.url}?options=-csearch_path%3D{zone.search_path}"
    return zone.url


def _desk(zone: Zone, staff_id: int | None) -> DeskApp:
    look = first_look(_url(zone), staff_id=staff_id)
    assert look is not None, "a migrated, loaded database must open straight onto its first screen"
    return DeskApp(settings=Settings(database_url=_url(zone)), staff_id=staff_id, first_look=look)


async def test_the_caseload_is_on_the_first_frame_and_the_desk_works_on(zone: Zone) -> None:
    put_doris_on_caseload(zone)
    app = _desk(zone, zone.staff_id)
    async with app.run_test(size=SIZE) as pilot:
        # The very first screen is the caseload with Doris on it, whatever the ORM is doing.
        assert type(app.screen).__name__ == "CaseloadScreen"
        assert app.screen.page is not None and [r.name for r in app.screen.page.rows] == ["PASCOE, Doris"]
        assert "CRISIS HOSP ALONE" in app.screen.query_one("#caseload").row_texts()[0]
        with db.reading(zone.engine) as session:
            line = phones.national(reference.zone(session, "BXM").phone_e164)  # type: ignore[union-attr]
        await until(pilot, lambda: app.title.endswith(f"line {line}"))  # the line's number joins the header
        await until(pilot, lambda: app.database.opened.is_set())
        await open_record(pilot, app, zone.doris_id)
        assert app.screen.record.family_name == "Pascoe"
        await pilot.press("escape")
        await until(pilot, on_screen(app, "CaseloadScreen"))

        with db.writing(zone.engine) as session:  # the line rings: this desk is listening
            rings.ring(session, "BXM", zone.carer_number)
        await until(pilot, lambda: any("ringing" in n.title for n in app._notifications))
        assert "Carer of Doris PASCOE" in app.sub_title


@pytest.mark.parametrize("way_in", ["first look", "ordinary"])
async def test_the_collector_off_while_the_desk_opens_is_on_once_it_listens(zone: Zone, way_in: str) -> None:
    """The desk command opens with the collector off (screens.launcher.open_desk); the desk turns it on once it listens.

    Behind a first look the ORM's loading also turns it on; the ordinary way in
    (an engine made before the app) has only the listening (SignIn._listen) to do it.
    """
    app = _desk(zone, zone.staff_id) if way_in == "first look" else DeskApp(engine=zone.engine, staff_id=zone.staff_id)
    gc.disable()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.collector.settled)  # loaded, and listening to the line
            assert gc.isenabled()
            # leave once the caseload is composed: closing mid-way fails its header's first title
            await until(pilot, lambda: bool(app.screen.query("#caseload")))
            await pilot.pause()
    finally:
        gc.enable()


async def test_the_caseload_answers_its_keys_before_the_orm_has_loaded(zone: Zone, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Filters, pages and search go through the driver until the engine is open; here it never opens."""
    put_doris_on_caseload(zone)
    with db.writing(zone.engine) as session:
        people.register(
            session,
            Actor(zone.staff_id, "test"),
            people.PersonDetails(
                nhs_number="999 000 0034",
                family_name="Tozer",
                given_name="Alan",
                date_of_birth="02/02/1940",
                postcode="TQ5 9AB",
                address="5 Fore Street, Brixham",
                practice_id="L99013",
            ),
        )
        alan = session.exec(select(Person).where(Person.family_name == "Tozer")).one()
        session.add(
            Involvement(person_id=alan.id, staff_id=zone.staff_id, discipline="support", started_on=clock.today())
        )
        caseload.refresh(session, alan.id)  # type: ignore[arg-type]
    monkeypatch.setattr(SignIn, "open_database", lambda self: None)
    app = _desk(zone, zone.staff_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        names = lambda: [r.name for r in screen.page.rows]  # noqa: E731
        assert names() == ["PASCOE, Doris", "TOZER, Alan"]
        await pilot.press("x")  # crisis: only Doris
        await until(pilot, lambda: names() == ["PASCOE, Doris"])
        await pilot.press("m")  # mine: Alan, whom this co-ordinator supports
        await until(pilot, lambda: names() == ["TOZER, Alan"])
        await pilot.press("z", "r")  # the whole zone, reversed
        await until(pilot, lambda: names() == ["TOZER, Alan", "PASCOE, Doris"])
        await pilot.press("slash", "p", "a", "s")
        await until(pilot, lambda: names() == ["PASCOE, Doris"])
        assert not app.database.opened.is_set()  # all of it without the ORM's engine


async def test_a_record_wanted_at_once_loads_the_orm_without_waiting_for_quiet(zone: Zone, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The ORM waits for a pause in the caseload's keys, but not when something needs it now."""
    import desk.opening

    monkeypatch.setattr(desk.opening, "QUIET_BEFORE_LOADING_S", 600.0)  # keys "never" pause
    app = _desk(zone, zone.staff_id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        assert not app.database.loading.is_set()  # still waiting for a quiet moment
        await open_record(pilot, app, zone.doris_id)  # the record's worker wants the engine: loading starts
        assert app.screen.record.family_name == "Pascoe"
        assert app.database.opened.is_set()


async def test_calls_left_unfinished_are_mentioned_once_the_database_is_open(zone: Zone) -> None:
    with db.writing(zone.engine) as session:
        calls.start(session, Actor(zone.staff_id, "test"), "BXM", number=zone.carer_number)
    app = _desk(zone, zone.staff_id)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: any("not finished" in n.message for n in app._notifications))
        await pilot.press("f7")
        await until(pilot, on_screen(app, "UnfinishedScreen"))


async def test_without_a_chosen_person_the_picker_comes_first(zone: Zone, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app = _desk(zone, None)
    real_latest_id = rings.latest_id

    def latest_id_once_signed_in(session):  # type: ignore[no-untyped-def]
        """Let the sign-in win the race with the loading, as a quick co-ordinator makes it."""
        deadline = time.monotonic() + 5
        while app.staff is None and time.monotonic() < deadline:
            time.sleep(0.01)
        return real_latest_id(session)

    monkeypatch.setattr(rings, "latest_id", latest_id_once_signed_in)
    async with app.run_test(size=SIZE) as pilot:
        assert type(app.screen).__name__ == "StaffPicker"
        await pilot.press("enter")  # the first name on the list, while the ORM may still be loading
        await until(pilot, lambda: on_screen(app, "CaseloadScreen")() and app.screen.page is not None)
        assert app.staff is not None
        await until(pilot, lambda: all(w.is_finished for w in app.workers if w.name == "open-database"))
        await pilot.pause(0.2)
        # The line is listened to once, by signing in, however the sign-in and the loading interleave.
        assert len([t for t in app._timers if t.name == "ring-poll"]) == 1


def test_nothing_before_the_first_frame_loads_the_orm() -> None:
    """What the desk command imports before its first frame: Textual and the plain rows, not SQLAlchemy."""
    script = (
        "import json, sys\n"
        "import desk.cli, desk.first_look, screens.launcher, screens.app, screens.caseload, screens.staff_picker\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout))
    assert "textual" in loaded
    assert not loaded & {"sqlalchemy", "sqlmodel", "alembic", "pydantic", "psycopg", "phonenumbers"}
