"""The caseload, the record behind Enter, and every key findable in help and the palette."""

from __future__ import annotations

from datetime import date, timedelta

from textual.widgets import DataTable

from desk import clock, db
from desk.models import Admission, CarePackage, CarePackageItem, Involvement, Organisation, Referral
from desk.services import caseload, reference
from screens.app import DeskApp
from screen_zone import SIZE, Zone, on_screen, until
from sqlmodel import select


def _put_doris_on_caseload(zone: Zone) -> None:
    """Doris: a nurse involved, a home care package, in hospital, an overdue crisis referral."""
    with db.writing(zone.engine) as session:
        nurse = next(s for s in reference.staff(session, "BXM") if s.role == "nurse")
        ward = session.exec(select(Organisation).where(Organisation.kind == "ward")).first()
        session.add(Involvement(person_id=zone.doris_id, staff_id=nurse.id, discipline="nursing", started_on=date(2026, 1, 5)))
        pkg = CarePackage(person_id=zone.doris_id, started_on=date(2026, 2, 1), review_due=clock.today() + timedelta(days=7))
        session.add(pkg)
        session.flush()
        session.add(CarePackageItem(package_id=pkg.id, service="Home care", detail="4 visits a day, 2 carers",  # type: ignore[arg-type]
                                    provider="Bayside Care", start_date=date(2026, 2, 1), weekly_cost_pence=41200))
        session.add(Admission(person_id=zone.doris_id, ward_id=ward.id, admitted_at=clock.now() - timedelta(days=2)))  # type: ignore[union-attr]
        session.add(Referral(person_id=zone.doris_id, received_at=clock.now(), discipline="occupational_therapy",
                             urgency="rapid", crisis=True, reason="Carer cannot cope", source="Daughter",
                             due_at=clock.now() - timedelta(minutes=1)))  # overdue: due, whatever the hour
        caseload.refresh(session, zone.doris_id)


def caseload_filter(key: str) -> str:
    """The filter a caseload key selects, as the screen's binding says."""
    return {"x": "crisis", "h": "hospital", "d": "due", "m": "mine", "z": "zone"}[key]


def _status(app: DeskApp) -> str:
    return str(app.screen.query_one("#caseload-status").render())


def _rows(app: DeskApp) -> list[list[str]]:
    table = app.screen.query_one("#caseload", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_caseload_shows_both_sides_filters_and_opens_the_record(zone: Zone) -> None:
    _put_doris_on_caseload(zone)
    app = DeskApp(engine=zone.engine, staff_id=zone.staff_id)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, on_screen(app, "CaseloadScreen"))
        await until(pilot, lambda: len(_rows(app)) == 1)
        rows = _rows(app)
        name, nhs, age, flags, due, health, social, _kw, practice = rows[0]
        assert (name, nhs) == ("PASCOE, Doris", "999 000 0026")
        assert "Nursing" in health and "ref OT" in health
        assert "Package: Home care" in social
        assert "OT referral (rapid)" in due
        assert flags == "CRISIS HOSP ALONE"

        for key, expected in (("x", 1), ("h", 1), ("d", 1), ("m", 0), ("z", 1)):
            await pilot.press(key)
            label = caseload.FILTERS[caseload_filter(key)]
            await until(pilot, lambda: _status(app).startswith(label + ":"))  # that filter's page has arrived
            assert len(_rows(app)) == expected, key
        assert "Whole zone: 1-1 of 1" in _status(app)
        await pilot.press("a")  # every zone in the trust: still Doris, the only person on anyone's caseload
        await until(pilot, lambda: _status(app).startswith("All zones:"))
        assert len(_rows(app)) == 1
        await pilot.press("a")
        await until(pilot, lambda: _status(app).startswith("Whole zone:"))

        await pilot.press("slash", *"zzz")
        await until(pilot, lambda: _rows(app) == [])
        await pilot.press("escape", "escape")
        await until(pilot, lambda: len(_rows(app)) == 1)

        await pilot.press("enter")
        await until(pilot, lambda: getattr(app.screen, "record", None) is not None)
        banner = str(app.screen.query_one("#banner").render())
        assert "PASCOE, Doris" in banner and "23-Nov-1944" in banner and "999 000 0026" in banner
        details = str(app.screen.query_one("#details").render())
        assert "Jean Pascoe (daughter) CARER  07700 900123" in details
        assert "Home care: 4 visits a day, 2 carers" in details
        assert "IN HOSPITAL" in details
        await pilot.press("escape")
        await until(pilot, on_screen(app, "CaseloadScreen"))


async def test_help_lists_the_screens_keys_and_palette_finds_actions(zone: Zone) -> None:
    app = DeskApp(engine=zone.engine, staff_id=zone.staff_id)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, on_screen(app, "CaseloadScreen"))
        await pilot.press("f1")
        await until(pilot, on_screen(app, "HelpScreen"))
        text = str(app.screen.query_one("#help-keys").render())
        for words in ("Everyone on the zone's caseload", "Open crisis referrals", "Answer the ringing zone line",
                      "Start logging a call by hand", "Command palette"):
            assert words in text
        await pilot.press("escape")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Call: take a call", "Call: answer the ringing line", "Person: find", "Person: register",
                      "Calls: today's log", "Calls: unfinished", "Caseload: Crisis"):
            assert title in titles


async def test_find_person_by_nhs_number_with_spaces_opens_record(zone: Zone) -> None:
    app = DeskApp(engine=zone.engine, staff_id=zone.staff_id)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, on_screen(app, "CaseloadScreen"))
        await pilot.press("f3")
        await until(pilot, on_screen(app, "FindScreen"))
        await pilot.press(*"999 000 0026")
        await until(pilot, lambda: len(app.screen.query_one("PersonFinder").hits) == 1)
        await pilot.press("enter")
        await until(pilot, lambda: getattr(app.screen, "record", None) is not None)
        assert "PASCOE" in str(app.screen.query_one("#banner").render())
