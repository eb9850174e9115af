"""The caseload, the record behind Enter, and every key findable in help and the palette."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.app import App, ComposeResult

from desk import clock, db
from desk import opening as opening_module
from desk.history import Actor
from desk.models import Involvement
from desk.services import caseload, people, reference
from desk.services.caseload import CaseloadRow
from screens import caseload as caseload_screen
from screens.app import DeskApp
from screens.caseload_table import CaseloadTable
from tests.screens.screen_zone import SIZE, Zone, desk_open, on_screen, put_doris_on_caseload, until


def caseload_filter(key: str) -> str:
    """The filter a caseload key selects, as the screen's binding says."""
    return {"x": "crisis", "h": "hospital", "d": "due", "m": "mine", "z": "zone"}[key]


def _status(app: DeskApp) -> str:
    return str(app.screen.query_one("#caseload-status").render())


def _rows(app: DeskApp) -> list[list[str]]:
    return app.screen.query_one("#caseload", CaseloadTable).row_texts()


async def test_caseload_shows_both_sides_filters_and_opens_the_record(zone: Zone) -> None:
    put_doris_on_caseload(zone)
    async with desk_open(zone) as (app, pilot):
        await until(pilot, lambda: len(_rows(app)) == 1)
        rows = _rows(app)
        name, nhs, age, flags, due, health, social, _kw, practice = rows[0]
        assert (name, nhs) == ("PASCOE, Doris", "999 000 0026")
        assert "Nursing" in health and "ref OT" in health
        assert "Package: Home care" in social
        assert "OT referral (crisis)" in due
        assert flags == "CRISIS HOSP ALONE"

        for key, expected in (("x", 1), ("h", 1), ("d", 1), ("m", 0), ("z", 1)):
            await pilot.press(key)
            label = caseload.FILTERS[caseload_filter(key)]
            await until(pilot, lambda label=label: _status(app).startswith(label + ":"))  # that filter's page arrived
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
    async with desk_open(zone) as (app, pilot):
        await pilot.press("f1")
        await until(pilot, on_screen(app, "HelpScreen"))
        text = str(app.screen.query_one("#help-keys").render())
        for words in (
            "Everyone on the zone's caseload",
            "Open crisis referrals",
            "Answer the ringing zone line",
            "Start logging a call by hand",
            "Command palette",
        ):
            assert words in text
        await pilot.press("escape")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in (
            "Call: take a call",
            "Call: answer the ringing line",
            "Person: find",
            "Person: register",
            "Calls: today's log",
            "Calls: unfinished",
            "Caseload: Crisis",
        ):
            assert title in titles


async def test_find_person_by_nhs_number_with_spaces_opens_record(zone: Zone) -> None:
    async with desk_open(zone) as (app, pilot):
        await pilot.press("f3")
        await until(pilot, on_screen(app, "FindScreen"))
        await pilot.press(*"999 000 0026")
        await until(pilot, lambda: len(app.screen.query_one("PersonFinder").hits) == 1)
        await pilot.press("enter")
        await until(pilot, lambda: getattr(app.screen, "record", None) is not None)
        assert "PASCOE" in str(app.screen.query_one("#banner").render())


def _row(person_id: int, name: str, *, crisis: bool = False, due: date | None = None) -> CaseloadRow:
    return CaseloadRow(
        person_id=person_id,
        name=name,
        nhs_number="9990000026",
        date_of_birth=date(1944, 11, 23),
        practice="Brixham Surgery",
        key_worker="Ann Smith",
        health="Nursing",
        social="SW (Ellis)",
        next_due_on=due,
        next_due_what="Package review" if due else "",
        lives_alone=False,
        in_hospital=False,
        crisis=crisis,
    )


class _TableApp(App[None]):
    """Just the table, to drive its keys without a database."""

    def __init__(self) -> None:
        super().__init__()
        self.chosen: list[int] = []
        self.edges: list[int] = []

    def compose(self) -> ComposeResult:
        yield CaseloadTable(id="caseload")

    def on_caseload_table_row_chosen(self, event: CaseloadTable.RowChosen) -> None:
        self.chosen.append(event.person_id)

    def on_caseload_table_past_edge(self, event: CaseloadTable.PastEdge) -> None:
        self.edges.append(event.step)


def _line(table: CaseloadTable, y: int) -> str:
    return "".join(segment.text for segment in table.render_line(y))


async def test_caseload_table_draws_pages_moves_the_cursor_and_chooses() -> None:
    app = _TableApp()
    async with app.run_test(size=(160, 20)) as pilot:
        table = app.query_one(CaseloadTable)
        table.focus()
        rows = [
            _row(i, f"PERSON, Number {i:03}", crisis=i == 1, due=clock.today() - timedelta(days=1)) for i in range(100)
        ]
        table.show_rows(rows, cursor=2)
        await pilot.pause()
        assert (table.row_count, table.cursor_row, table.selected_person_id) == (100, 2, 2)
        name, nhs, _age, flags, due, *_ = table.row_texts()[1]
        assert (name, nhs, flags) == ("PERSON, Number 001", "999 000 0026", "CRISIS")
        assert due.endswith("Package review")
        header, first = _line(table, 0), _line(table, 1)
        assert header.split()[:3] == ["Name", "NHS", "number"]
        assert "PERSON, Number 000" in first and "999 000 0026" in first and "Package review" in first
        under_cursor, other = list(table.render_line(3)), list(table.render_line(2))  # lines 3, 2: rows 2, 1
        assert under_cursor[1].style != other[1].style  # the cursor row stands out
        flags = next(s for s in other if s.text.startswith("CRISIS"))
        due = next(s for s in other if "Package review" in s.text)
        assert flags.style and flags.style.bold and flags.style.color and flags.style.color.name == "red"
        assert due.style and due.style.color and due.style.color.name == "red"  # overdue

        await pilot.press("down", "down")
        assert table.cursor_row == 4
        await pilot.press("end")
        assert table.cursor_row == 99 and table.scroll_offset.y > 0  # scrolled to keep the cursor in view
        assert "PERSON, Number 099" in "".join(_line(table, y) for y in range(table.size.height))
        await pilot.press("down")  # the last row of the page stays put, asking the screen for the next page
        await pilot.press("home", "up")  # and the first asks for the previous one
        await pilot.pause()
        assert table.cursor_row == 0 and app.edges == [1, -1]
        await pilot.press("home", "pagedown")
        assert 0 < table.cursor_row < 99
        await pilot.press("pageup", "up")
        assert table.cursor_row == 0
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.chosen == [1]

        table.show_rows([])
        await pilot.press("enter", "down")
        assert (table.row_count, table.selected_person_id, app.chosen) == (0, None, [1])


async def test_caseload_is_fetched_once_on_open(zone: Zone, monkeypatch: pytest.MonkeyPatch) -> None:
    fetched: list[int] = []
    real_page = caseload.page

    def counting_page(*args: object, **kwargs: object) -> caseload.Page:
        fetched.append(1)
        return real_page(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(caseload, "page", counting_page)
    async with desk_open(zone) as (app, pilot):
        await until(pilot, lambda: app.screen.page is not None)  # type: ignore[attr-defined]
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        assert len(fetched) == 1


def _put_someone_else_on_caseload(zone: Zone) -> None:
    """A second person a nurse visits, so the caseload has two rows to page through."""
    with db.writing(zone.engine) as session:
        nurse = next(s for s in reference.staff(session, "BXM") if s.role == "nurse")
        someone = people.register(
            session,
            Actor(zone.staff_id, "test"),
            people.PersonDetails(
                nhs_number="999 000 0034",
                family_name="Tozer",
                given_name="Alan",
                date_of_birth="02/03/1940",
                postcode="TQ5 9AB",
                address="5 Fore Street, Brixham",
                phone="01632 960002",
                practice_id="L99013",
            ),
        )
        session.add(
            Involvement(person_id=someone.id, staff_id=nurse.id, discipline="nursing", started_on=date(2026, 1, 5))
        )
        caseload.refresh(session, someone.id)  # type: ignore[arg-type]


async def test_down_past_the_last_row_pages_on_and_up_pages_back(zone: Zone, monkeypatch: pytest.MonkeyPatch) -> None:
    put_doris_on_caseload(zone)
    _put_someone_else_on_caseload(zone)
    monkeypatch.setattr(caseload_screen, "PAGE_SIZE", 1)  # two people, two pages
    monkeypatch.setattr(opening_module, "PAGE_SIZE", 1)  # the desk's opening page too
    async with desk_open(zone) as (app, pilot):
        await until(pilot, lambda: "1-1 of 2" in _status(app))
        assert _rows(app)[0][0] == "PASCOE, Doris"
        await pilot.press("down")
        await until(pilot, lambda: "2-2 of 2" in _status(app))
        assert _rows(app)[0][0] == "TOZER, Alan"
        await pilot.press("down")  # the very last row: nowhere further to go
        await pilot.pause(0.2)
        assert "2-2 of 2" in _status(app)
        await pilot.press("up")
        await until(pilot, lambda: "1-1 of 2" in _status(app))
        assert _rows(app)[0][0] == "PASCOE, Doris"


async def test_the_desk_can_open_on_every_zone(zone: Zone) -> None:
    """desk --all-zones: a ward discharge co-ordinator starts on the whole trust's caseload."""
    from desk.settings import Settings

    put_doris_on_caseload(zone)
    app = DeskApp(engine=zone.engine, settings=Settings(all_zones=True), staff_id=zone.staff_id)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on_screen(app, "CaseloadScreen")() and app.screen.page is not None)
        assert _status(app).startswith("All zones: 1-1 of 1")
        await pilot.press("a")
        await until(pilot, lambda: _status(app).startswith("Whole zone:"))


async def test_the_footer_shows_every_key_of_the_screen(zone: Zone) -> None:
    """Every action's key is in the footer, wrapping to a second line rather than cut off."""
    async with desk_open(zone) as (app, pilot):
        items = (
            "/ Search",
            "z Zone",
            "m Mine",
            "h Hospital",
            "d Due",
            "x Crisis",
            "a All zones",
            "s Sort",
            "r Reverse",
            "] Page+",
            "[ Page-",
            "f1 Help",
            "f2 Take call",
            "f3 Find",
            "f4 Register",
            "f5 Call log",
            "f6 Answer",
            "f7 Unfinished",
            "^p Palette",
        )
        # The footer follows focus: while the search box has it, letter keys type and are not shown.
        await until(
            pilot,
            lambda: (
                app.focused is app.screen.query_one("#caseload")
                and all(item in str(app.screen.query_one("KeyFooter").render()) for item in items)
            ),
        )
        footer = str(app.screen.query_one("KeyFooter").render())
        assert all(len(line) <= SIZE[0] for line in footer.splitlines())


async def test_the_call_log_footer_shows_that_enter_opens_and_it_does(zone: Zone) -> None:
    """The log's table has focus, and its own (hidden) Enter used to hide the screen's 'Open' from the footer."""
    from desk.services import calls

    with db.writing(zone.engine) as session:
        calls.start(session, Actor(zone.staff_id, "test"), "BXM", number=zone.carer_number)
    async with desk_open(zone) as (app, pilot):
        await pilot.press("f5")
        await until(pilot, lambda: on_screen(app, "CallLogScreen")() and app.screen.rows != [])
        await until(pilot, lambda: "⏎ Open" in str(app.screen.query_one("KeyFooter").render()))
        assert "esc Back" in str(app.screen.query_one("KeyFooter").render())
        await pilot.press("enter")  # the open call: picked up again
        await until(pilot, on_screen(app, "CallScreen"))
