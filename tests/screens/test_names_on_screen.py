"""Names on screen: found on F3 and the caseload as typed plainly, shown as registered, never pushing columns about."""

from __future__ import annotations

from datetime import date

import pytest
from textual.app import App, ComposeResult

from desk import db
from desk.history import Actor
from desk.models import Involvement
from desk.services import caseload, people, reference
from desk.services.caseload import CaseloadRow
from desk.services.search import PersonHit
from screens.caseload_table import COLUMNS, SPANS, CaseloadTable, fit
from screens.widgets import hit_line
from tests.helpers import synthetic
from tests.screens.screen_zone import Zone, desk_open, on_screen, until

LONG_FAMILY = "Fortescue-Wolstenholme-Smythe"


def _register(zone: Zone, family: str, given: str, nhs_number: str) -> int:
    """Someone in Brixham with a nurse involved, so they are on the caseload too."""
    with db.writing(zone.engine) as session:
        actor = Actor(zone.staff_id, "test")
        person = people.register(
            session,
            actor,
            people.PersonDetails(
                nhs_number=nhs_number,
                family_name=family,
                given_name=given,
                date_of_birth="02/03/1941",
                postcode="TQ5 9AB",
                address="5 Fore Street, Brixham",
                practice_id="L99013",
            ),
        )
        nurse = next(s for s in reference.staff(session, "BXM") if s.role == "nurse")
        session.add(
            Involvement(person_id=person.id, staff_id=nurse.id, discipline="nursing", started_on=date(2026, 1, 5))
        )
        caseload.refresh(session, person.id)  # type: ignore[arg-type]
        return person.id  # type: ignore[return-value]


def _finder_lines(app: App[None]) -> list[str]:
    results = app.screen.query_one("#finder-results")
    return [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]  # type: ignore[attr-defined]


async def test_f3_finds_the_accented_person_typed_plainly_and_opens_them_as_registered(zone: Zone) -> None:
    _register(zone, "O'Brien", "Zoë", synthetic.nhs_number(3_401))
    _register(zone, "de la Cruz", "María", synthetic.nhs_number(4_201))
    async with desk_open(zone) as (app, pilot):
        await pilot.press("f3")
        await until(pilot, on_screen(app, "FindScreen"))
        await pilot.press(*"zoe obrien")
        await until(pilot, lambda: len(app.screen.query_one("PersonFinder").hits) == 1)
        [line] = _finder_lines(app)
        assert line.startswith("O'BRIEN, Zoë")
        await pilot.press("enter")
        await until(pilot, lambda: getattr(app.screen, "record", None) is not None)
        banner = str(app.screen.query_one("#banner").render())
        assert banner.startswith("O'BRIEN, Zoë")

        await pilot.press("escape")
        await until(pilot, on_screen(app, "CaseloadScreen"))
        await pilot.press("f3")
        await until(pilot, on_screen(app, "FindScreen"))
        await pilot.press(*"maria de la cruz")
        await until(pilot, lambda: len(app.screen.query_one("PersonFinder").hits) == 1)
        assert _finder_lines(app)[0].startswith("DE LA CRUZ, María")


async def test_the_caseload_search_finds_a_name_typed_without_its_accent_or_hyphen(zone: Zone) -> None:
    _register(zone, "Müller", "Sióbhan", synthetic.nhs_number(3_401))
    _register(zone, "Smith-Jones", "Anne-Marie", synthetic.nhs_number(4_201))
    async with desk_open(zone) as (app, pilot):

        def names_listed() -> list[str]:
            found = app.screen.query("#caseload")
            return [r[0] for r in found.first(CaseloadTable).row_texts()] if found else []

        await until(pilot, lambda: len(names_listed()) == 3)  # and Doris, newly registered at the desk
        for typed, shown in (("muller siobhan", "MÜLLER, Sióbhan"), ("jones", "SMITH-JONES, Anne-Marie")):
            await pilot.press("slash", *typed)
            await until(pilot, lambda: names_listed() == [shown])  # noqa: B023
            await pilot.press("escape")  # out of the box
            await pilot.press("escape")  # and the search cleared
            await until(pilot, lambda: len(names_listed()) == 3)


def test_a_long_name_in_the_finder_ends_in_an_ellipsis_and_keeps_the_columns_in_place() -> None:
    def hit(family: str) -> PersonHit:
        return PersonHit(1, family, "Anne-Marie", "9990000026", date(1941, 3, 2), "TQ5 9AB", "Quayside", "BXM", None)

    short, long_ = hit_line(hit("Cole")).plain, hit_line(hit(LONG_FAMILY)).plain
    assert long_.startswith("FORTESCUE-WOLSTENHOLME-SMYT…")
    assert short.index("999 000 0026") == long_.index("999 000 0026") == 29


# --- the caseload table at common terminal widths -----------------------------------------------


class _TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield CaseloadTable(id="caseload")


def _line(table: CaseloadTable, y: int) -> str:
    return "".join(segment.text for segment in table.render_line(y))


def _long_row(person_id: int) -> CaseloadRow:
    return CaseloadRow(
        person_id=person_id,
        name=f"{LONG_FAMILY.upper()}, Anne-Marie",
        nhs_number="9990000026",
        date_of_birth=date(1941, 3, 2),
        practice="Higher Brixham Health Centre and Dispensary",
        key_worker="Bartholomew Widdicombe",
        health="Nursing, Physio, OT, ref Nursing",
        social="Package: Equipment, Home care, Meals, Telecare",
        next_due_on=date(2026, 12, 24),
        next_due_what="Physio referral (normal)",
        lives_alone=True,
        in_hospital=True,
        crisis=True,
    )


@pytest.mark.parametrize("width", [80, 100, 120, 140, 160, 200])
async def test_no_column_is_cut_without_an_ellipsis_at_any_common_width(width: int) -> None:
    """Each column is whole, narrowed with an ellipsis, or not shown: never a stray sliver such as "Social ca"."""
    app = _TableApp()
    async with app.run_test(size=(width, 12)) as pilot:
        table = app.query_one(CaseloadTable)
        table.show_rows([_long_row(i) for i in range(30)])
        await pilot.pause()
        lines = [_line(table, y) for y in range(4)]
        texts = [[label for label, _ in COLUMNS]] + table.row_texts()[:3]
        shown = 0
        for line, cells in zip(lines, texts, strict=True):
            assert len(line) == table.scrollable_content_region.width
            for (start, end), text, (_label, column_width) in zip(SPANS, cells, COLUMNS, strict=True):
                part = line[start:end].rstrip()
                if not part:
                    continue
                shown += 1
                assert part == fit(text, column_width).rstrip() or part.endswith("…"), (width, part)
        assert lines[0].startswith(" Name") and "NHS number" in lines[0]
        assert shown >= 4 * 4  # name, NHS number, age and flags at least, on the header and three rows
