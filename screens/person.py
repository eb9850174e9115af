"""One person's record: the NHS-style banner, both sides of their care, one timeline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine
from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static
from textual.worker import get_current_worker

from desk import clock, dates, db
from desk.plurals import counted
from desk.services import changes, people, timeline
from desk.services.people import PersonRecord
from desk.services.timeline import Entry
from screens.base import DeskScreen
from screens.header import DeskHeader
from screens.key_footer import KeyFooter
from screens.live import LiveWatch
from screens.timeline_view import Lines, TimelineView, render_lines

DETAILS_WIDTH = 60 + 4  # the details column (desk.tcss #person-details) and the timeline's borders
FIRST_ENTRIES = 15  # about a screenful, drawn first so the newest entries show at once

SIDE_STYLE = {"call": "cyan", "health": "green", "social": "magenta", "hospital": "yellow", "record": "dim"}
SIDE_LABEL = {"call": "Call", "health": "Health", "social": "Social", "hospital": "Hospital", "record": "Record"}


def banner(rec: PersonRecord) -> Text:
    """The patient banner: FAMILY, Given | born 23-Nov-1944 (82) | NHS 999 123 4567 | practice, zone."""
    t = Text()
    t.append(rec.family_name.upper(), style="bold")
    t.append(f", {rec.given_name}", style="bold")
    t.append(f"   Born {dates.nhs_style(rec.date_of_birth)} ({rec.age}y)")
    if rec.sex:
        t.append(f"   {rec.sex}")
    t.append("   NHS No. ")
    t.append(rec.nhs_display, style="bold")
    t.append(f"\n{rec.address}{', ' if rec.address else ''}{rec.postcode}")
    if rec.phone:
        t.append(f"   Tel {rec.phone}")
    t.append(f"\nGP: {rec.practice} ({rec.practice_id}) {rec.practice_phone}   Zone: {rec.zone_name}")
    if rec.key_worker:
        t.append(f"   Key worker: {rec.key_worker}")
    return t


def situation(rec: PersonRecord) -> Text:
    """The current situation in a few lines: what a relative ringing from far away wants to know."""
    t = Text()
    for a in rec.alerts:
        t.append(f"! {a}\n", style="bold red")
    if rec.in_hospital:
        t.append(f"In hospital: {rec.in_hospital}\n", style="bold yellow")
    if rec.lives_alone:
        t.append("Lives alone.  ", style="yellow")
    if rec.professionals:
        t.append("Involved: " + ", ".join(f"{n} ({d})" for n, d, _ in rec.professionals) + "\n")
    elif rec.lives_alone:
        t.append("\n")
    if rec.package:
        t.append(f"Package: {', '.join(p.service for p in rec.package)}")
        if rec.package_review_due:
            t.append(f" (review {dates.nhs_style(rec.package_review_due)})")
        t.append("\n")
    for disc, urgency, reason, received in rec.referrals:
        t.append(f"Open referral: {disc} ({urgency}) {received}: {reason}\n")
    for line in rec.last_calls:
        t.append(f"Last call {line}\n", style="dim")
    if rec.contacts:
        t.append(
            "Contacts: "
            + "; ".join(
                f"{name} ({rel}{', carer' if carer else ''}) {phone}".strip()
                for name, rel, phone, carer in rec.contacts
            )
            + "\n",
            style="dim",
        )
    return t


def _section(title: str, lines: list[str] | list[Text], empty: str) -> Text:
    t = Text(title + "\n", style="bold underline")
    if not lines:
        t.append(empty + "\n", style="dim")
    for line in lines:
        t.append("  ")
        t.append(line)
        t.append("\n")
    return t


def details(rec: PersonRecord) -> Text:
    """Contacts, professionals, package, referrals, alerts: what the co-ordinator needs before speaking."""
    out = Text()
    if rec.alerts:
        out.append("ALERTS\n", style="bold red")
        for a in rec.alerts:
            out.append(f"  ! {a}\n", style="red")
        out.append("\n")
    flags = [
        f
        for f, on in (("Lives alone", rec.lives_alone), (f"IN HOSPITAL: {rec.in_hospital}", bool(rec.in_hospital)))
        if on
    ]
    if flags:
        out.append("  ".join(flags) + "\n\n", style="bold yellow")
    if rec.conditions:
        out.append("Conditions: ", style="bold")
        out.append(rec.conditions + "\n\n")
    out.append(
        _section(
            "Contacts",
            [
                f"{name} ({rel}){' CARER' if carer else ''}  {phone}".rstrip()
                for name, rel, phone, carer in rec.contacts
            ],
            "No carers or relatives recorded.",
        )
    )
    out.append("\n")
    out.append(
        _section(
            "Professionals involved",
            [f"{name}: {disc} ({side})" for name, disc, side in rec.professionals],
            "Nobody involved at present.",
        )
    )
    out.append("\n")
    pkg_lines = [
        f"{p.service}: {p.detail} - {p.provider}, from {p.start_date:%d-%b-%Y}, £{p.weekly_cost_pence / 100:,.2f}/wk"
        for p in rec.package
    ]
    title = "Care package"
    if rec.package:
        title += f" (£{rec.weekly_cost_pence / 100:,.2f} a week"
        title += f", review due {dates.nhs_style(rec.package_review_due)})" if rec.package_review_due else ")"
    out.append(_section(title, pkg_lines, "No care package."))
    out.append("\n")
    out.append(
        _section(
            "Open referrals",
            [f"{disc} ({urgency}) received {received}: {reason}" for disc, urgency, reason, received in rec.referrals],
            "No open referrals.",
        )
    )
    return out


def timeline_table(entries: list[Entry]) -> Table:
    """The timeline as a grid: when and which side in narrow columns, what happened wrapping beside them."""
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column("when", no_wrap=True, style="bold")
    grid.add_column("side", no_wrap=True, width=8)
    grid.add_column("what", ratio=1)
    if not entries:
        grid.add_row("", "", Text("Nothing recorded yet.", style="dim"))
    for e in entries:
        what = Text(e.title, style="bold")
        if e.by:
            what.append(f"  ({e.by})", style="dim")
        if e.detail:
            what.append(f"\n{e.detail}", style="")
        grid.add_row(
            f"{clock.local(e.at):%d-%b-%Y %H:%M}",
            Text(SIDE_LABEL.get(e.side, e.side), style=SIDE_STYLE.get(e.side, "")),
            what,
        )
    return grid


TIMELINE_CHUNK = 25
"""Entries drawn at a time, so a drawing nobody will see stops within a few milliseconds."""


def draw_timeline(entries: list[Entry], width: int, cancelled: Callable[[], bool] = lambda: False) -> Lines | None:
    """The whole timeline's lines, drawn a chunk at a time; None if ``cancelled`` says stop.

    Drawing 300 entries takes a quarter of a second here. When the record is
    closed (or redrawn at another width) before it ends, the rest would only
    slow whatever the co-ordinator does next. Chunks give the same lines as one
    table: the date and side columns have fixed widths.
    """
    lines: Lines = []
    for start in range(0, max(len(entries), 1), TIMELINE_CHUNK):
        if cancelled():
            return None
        lines.extend(render_lines(timeline_table(entries[start : start + TIMELINE_CHUNK]), width))
    return lines


@dataclass(frozen=True)
class Read:
    """A person's record and timeline as read, and the change mark they are as of."""

    record: PersonRecord
    entries: list[Entry]
    mark: int


@dataclass(frozen=True)
class Loaded:
    """A record as the screen first shows it: what was read, and its newest entries drawn at ``width``."""

    read: Read
    first: Lines
    width: int


def read(engine: Engine, person_id: int) -> Read:
    """Read a person's record and timeline (in a worker thread), noting the mark first.

    The mark is read before the record, so it never claims a change the
    record does not yet show: at worst the record is read once more.
    """
    with db.reading(engine) as session:
        mark = changes.mark(session, person_id=person_id)
        rec = people.record(session, person_id)
        entries = timeline.timeline(session, person_id)
    return Read(rec, entries, mark)


def fetch(engine: Engine, person_id: int, width: int) -> Loaded:
    """Read a person's record and timeline and draw the newest entries (in a worker thread)."""
    found = read(engine, person_id)
    return Loaded(found, render_lines(timeline_table(found.entries[:FIRST_ENTRIES]), width), width)


class PersonScreen(DeskScreen[None]):
    """A person's record with health and social care on one timeline."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back", tooltip="Back to where you were"),
        Binding("c", "call_about", "Log call", id="call_about", tooltip="Log a call about this person"),
        Binding("e", "edit", "Edit details", id="edit", tooltip="Change this person's details (says why)"),
        Binding("t", "add_contact", "Add contact", id="add_contact", tooltip="Add a carer or relative"),
        Binding("ctrl+r", "reload", "Refresh", id="reload", tooltip="Load the record again"),
    ]

    def __init__(self, person_id: int, loaded: Loaded | None = None) -> None:
        """``loaded``: the record already fetched (see :func:`fetch`), so the first frame shows it."""
        super().__init__()
        self.person_id = person_id
        self.record: PersonRecord | None = None
        self.entries: list[Entry] = []
        self._loaded = loaded
        self.live = LiveWatch(self._mark)

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Loading...", id="banner")
        with Horizontal(id="person-body"):
            with VerticalScroll(id="person-details"):
                yield Static("", id="details")
            view = TimelineView(id="timeline")
            view.border_title = "Timeline: loading..."
            yield view
        yield self.live
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(TimelineView).focus()
        if self._loaded is not None:
            self.show(self._loaded)
            self._loaded = None
        else:
            self.action_reload()

    def action_reload(self) -> None:
        view = self.query_one(TimelineView)
        # Before the first layout the view has no width yet: it is what the details column leaves.
        width = view.line_width if view.scrollable_content_region.width else self.app.size.width - DETAILS_WIDTH
        self.load(width)

    @work(thread=True, exclusive=True, group="person", exit_on_error=False)
    def load(self, width: int) -> None:
        self.app.call_from_thread(self.show, fetch(self.desk.engine, self.person_id, width))

    def show(self, loaded: Loaded) -> None:
        """The record with the newest entries; the rest of a long timeline is drawn after this frame."""
        rec, entries, width = loaded.read.record, loaded.read.entries, loaded.width
        self.live.seen_as(loaded.read.mark)
        self.record = rec
        self.entries = entries
        self.query_one("#banner", Static).update(banner(rec))
        self.query_one("#details", Static).update(details(rec))
        self._show_lines(loaded.first, width, len(entries))
        if len(entries) > FIRST_ENTRIES:
            self.call_after_refresh(self.redraw, entries, width)

    # --- staying live -------------------------------------------------------------

    def _mark(self, session: Session) -> int:
        """Anything saved about this person (a call about them finished, their details changed)."""
        return changes.mark(session, person_id=self.person_id)

    @on(LiveWatch.Moved)
    def _changed_elsewhere(self) -> None:
        self.reread()

    @work(thread=True, exclusive=True, group="person", exit_on_error=False)
    def reread(self) -> None:
        """Read the record again after a change; redraw only if what it shows has changed."""
        found = read(self.desk.engine, self.person_id)
        self.live.seen_as(found.mark)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_changed, found)

    def _show_changed(self, found: Read) -> None:
        """The record changed: banner and details now, the whole timeline drawn off the main thread.

        The timeline is drawn whole before it replaces the old one, so a
        co-ordinator reading down a long timeline keeps their place.
        """
        if not self.is_attached or (found.record == self.record and found.entries == self.entries):
            return
        self.record = found.record
        self.entries = found.entries
        self.query_one("#banner", Static).update(banner(found.record))
        self.query_one("#details", Static).update(details(found.record))
        self.redraw(found.entries, self.query_one(TimelineView).line_width)

    def _show_lines(self, lines: Lines, width: int, count: int) -> None:
        if not self.is_attached:  # closed while its timeline was drawn: nothing to show it on
            return
        view = self.query_one(TimelineView)
        view.set_lines(lines, width)
        view.border_title = f"Timeline: {counted(count, 'entry', 'entries')}, newest first (Up/Down/PgUp/PgDn to read)"

    @on(TimelineView.WidthChanged)
    def _redraw(self, event: TimelineView.WidthChanged) -> None:
        self.redraw(self.entries, event.width)

    @work(thread=True, exclusive=True, group="timeline-draw", exit_on_error=False)
    def redraw(self, entries: list[Entry], width: int) -> None:
        """Render the whole timeline in this worker, and show it (unless the screen has gone meanwhile)."""
        worker = get_current_worker()
        lines = draw_timeline(entries, width, lambda: worker.is_cancelled)
        if lines is not None:
            self.app.call_from_thread(self._show_lines, lines, width, len(entries))

    def on_unmount(self) -> None:
        # As TimelineView.on_unmount: what the record holds goes now, not at the next full collection.
        self.entries = []
        self._loaded = None

    def action_call_about(self) -> None:
        self.desk.action_take_call(person_id=self.person_id)

    def action_edit(self) -> None:
        from screens.register import PersonForm

        if self.record is None:
            self.notify("The record is still loading; try again in a moment.")
            return
        self.app.push_screen(PersonForm(self.record), lambda _: self.action_reload())

    def action_add_contact(self) -> None:
        from screens.contact import ContactForm

        self.app.push_screen(ContactForm(self.person_id), lambda _: self.action_reload())
