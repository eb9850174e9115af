"""The combined health and social caseload of the zone, one window at a time.

The database does the filtering, sorting and paging; the table only ever
holds one page, so 40,000 people cost what 100 do. The page is drawn by
CaseloadTable, which formats each row once instead of re-measuring and
re-rendering every cell on each change as DataTable does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Static
from textual.worker import WorkerState, get_current_worker

from desk.rows import FILTERS, PAGE_SIZE, SORTS, Page
from screens.base import DeskScreen
from screens.caseload_table import CaseloadTable
from screens.header import DeskHeader
from screens.key_footer import KeyFooter
from screens.live import LiveWatch

if TYPE_CHECKING:
    from sqlmodel import Session


class CaseloadScreen(DeskScreen[None]):
    """The zone's people with health and social involvement side by side."""

    BINDINGS = [
        Binding("enter", "open_person", "Open", id="open_person", tooltip="Open the highlighted person's record"),
        Binding("slash", "search", "Search", id="search", tooltip="Type to narrow by name or NHS number"),
        Binding("z", "filter('zone')", "Zone", id="filter_zone", tooltip="Everyone on the zone's caseload"),
        Binding(
            "m", "filter('mine')", "Mine", id="filter_mine", tooltip="People you are key worker or professional for"
        ),
        Binding("h", "filter('hospital')", "Hospital", id="filter_hospital", tooltip="People in hospital now"),
        Binding("d", "filter('due')", "Due", id="filter_due", tooltip="Something due today or overdue"),
        Binding("x", "filter('crisis')", "Crisis", id="filter_crisis", tooltip="Open crisis referrals"),
        Binding(
            "a", "toggle_scope", "All zones", id="scope", tooltip="Switch between this zone and every zone in the trust"
        ),
        Binding("s", "next_sort", "Sort", id="sort", tooltip="Sort by the next column"),
        Binding("r", "reverse", "Reverse", id="reverse", tooltip="Reverse the sort order"),
        Binding(
            "right_square_bracket",
            "next_page",
            "Page+",
            id="next_page",
            key_display="]",
            tooltip="The next page of the caseload",
        ),
        Binding(
            "left_square_bracket",
            "prev_page",
            "Page-",
            id="prev_page",
            key_display="[",
            tooltip="The previous page of the caseload",
        ),
        Binding("escape", "clear_search", "Clear", id="clear_search", show=False),
    ]

    def __init__(self, first_page: Page | None = None, *, all_zones: bool = False) -> None:
        super().__init__()
        self._first_page = first_page  # fetched with the rest of the desk's opening, to show at once
        self._shown_before = False
        self.filter_key = "zone"
        self.all_zones = all_zones
        self.sort = "name"
        self.descending = False
        self.search_text = ""
        self.row_offset = 0
        self.page: Page | None = None
        self._want_cursor = 0
        self._keep_place = False
        self.live = LiveWatch(_mark)

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        with Horizontal(id="caseload-bar"):
            yield Input(placeholder="/ to search by name or NHS number", id="caseload-search")
            yield Static("", id="caseload-status")
        yield CaseloadTable(id="caseload")
        yield self.live
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(CaseloadTable).focus()
        if self._first_page is not None:
            self.show_page(self._first_page)
            self._first_page = None
        else:
            self.reload()

    def on_screen_resume(self) -> None:
        """Back from a record: reload, as it may have changed. The first showing is on_mount's to load."""
        if not self._shown_before:
            self._shown_before = True
            return
        self.reload(keep_cursor=True)

    # --- loading ------------------------------------------------------------

    def reload(self, *, keep_cursor: bool = False, cursor: int = 0) -> None:
        """Fetch the page at ``row_offset``; the cursor lands on ``cursor``, or stays put with ``keep_cursor``."""
        self._want_cursor = self.query_one(CaseloadTable).cursor_row if keep_cursor else cursor
        self._keep_place = False
        zone_id = None if self.all_zones else self.desk.zone_id
        self.fetch(zone_id, self.filter_key, self.sort, self.descending, self.search_text, self.row_offset)

    @work(thread=True, exclusive=True, group="caseload", exit_on_error=False)
    def fetch(
        self, zone_id: str | None, filter_key: str, sort: str, descending: bool, search: str, offset: int
    ) -> None:
        app = self.desk
        page = app.caseload_page(
            zone_id,
            filter_key=filter_key,
            staff_id=app.staff.id if app.staff else None,
            sort=sort,
            descending=descending,
            search=search,
            offset=offset,
            limit=PAGE_SIZE,
        )
        if not get_current_worker().is_cancelled:  # a newer key has asked for another page: never show this one
            app.call_from_thread(self.show_page, page)

    def show_page(self, page: Page) -> None:
        keep_place, self._keep_place = self._keep_place, False
        if keep_place and page == self.page:
            return  # read again and found as it was: leave the table alone
        self.page = page
        self.row_offset = page.offset
        table = self.query_one(CaseloadTable)
        if keep_place:
            table.replace_rows(page.rows)
        else:
            table.show_rows(page.rows, cursor=self._want_cursor)
        self._update_status()

    @on(LiveWatch.Moved)
    def _changed_elsewhere(self) -> None:
        """Something was saved here or at another desk: the same page again, the co-ordinator kept in place.

        While a key's page is still on its way that page is left to arrive
        (it may predate the change), and the next look reloads.
        """
        if self._fetching():
            self.live.forget()
            return
        zone_id = None if self.all_zones else self.desk.zone_id
        self._keep_place = True
        self.fetch(zone_id, self.filter_key, self.sort, self.descending, self.search_text, self.row_offset)

    def _fetching(self) -> bool:
        """True while a page asked for by a key has not arrived."""
        return any(
            worker.node is self
            and worker.group == "caseload"
            and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
            and not worker.is_cancelled
            for worker in self.workers
        )

    def _update_status(self) -> None:
        page = self.page
        label = FILTERS[self.filter_key]
        if self.all_zones:
            label = "All zones" if self.filter_key == "zone" else f"All zones, {label.lower()}"
        sort_label = SORTS[self.sort][0] + (" (reversed)" if self.descending else "")
        if page is None or not page.total:
            shown = "nobody"
        else:
            shown = f"{page.offset + 1:,}-{page.offset + len(page.rows):,} of {page.total:,}"
        search = f' matching "{self.search_text}"' if self.search_text else ""
        self.query_one("#caseload-status", Static).update(
            f"{label}{search}: {shown}  |  sorted by {sort_label}  |  [ ] pages"
        )

    # --- actions ------------------------------------------------------------

    def action_open_person(self) -> None:
        person_id = self.query_one(CaseloadTable).selected_person_id
        if person_id is not None:
            self.desk.open_person(person_id)

    @on(CaseloadTable.RowChosen)
    def _row_chosen(self, event: CaseloadTable.RowChosen) -> None:
        self.desk.open_person(event.person_id)

    def action_search(self) -> None:
        self.query_one("#caseload-search", Input).focus()

    @on(Input.Changed, "#caseload-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.search_text = event.value
        self.row_offset = 0
        self.reload()

    @on(Input.Submitted, "#caseload-search")
    def _search_done(self, event: Input.Submitted) -> None:
        self.query_one(CaseloadTable).focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#caseload-search", Input)
        if search.has_focus:
            self.query_one(CaseloadTable).focus()
        elif search.value:
            search.value = ""

    def action_filter(self, key: str) -> None:
        self.filter_key = key
        self.row_offset = 0
        self.reload()

    def action_toggle_scope(self) -> None:
        self.all_zones = not self.all_zones
        self.row_offset = 0
        self.reload()

    def action_next_sort(self) -> None:
        keys = list(SORTS)
        self.sort = keys[(keys.index(self.sort) + 1) % len(keys)]
        self.row_offset = 0
        self.reload()

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self.row_offset = 0
        self.reload()

    def action_next_page(self) -> None:
        if self.page and self.row_offset + PAGE_SIZE < self.page.total:
            self.row_offset += PAGE_SIZE
            self.reload()

    def action_prev_page(self) -> None:
        if self.row_offset > 0:
            self.row_offset = max(0, self.row_offset - PAGE_SIZE)
            self.reload()

    @on(CaseloadTable.PastEdge)
    def _scroll_on(self, event: CaseloadTable.PastEdge) -> None:
        """Down past a page's last row shows the next page from its top; Up past the first, the previous from its end.

        Ignored while another page is on its way, so a held key cannot skip pages.
        """
        page = self.page
        if page is None or page.offset != self.row_offset:
            return
        if event.step > 0 and page.offset + len(page.rows) < page.total:
            self.row_offset += PAGE_SIZE
            self.reload(cursor=0)
        elif event.step < 0 and page.offset > 0:
            self.row_offset = max(0, page.offset - PAGE_SIZE)
            self.reload(cursor=PAGE_SIZE - 1)


def _mark(session: Session) -> int:
    """The caseload's rows are refreshed with every history entry that touches a person: watch them all."""
    from desk.services import changes  # the ORM loads behind the first frame, never before it

    return changes.mark(session)
