"""One person's record: the NHS-style banner, both sides of their care, one timeline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine
from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from desk import clock, dates, db
from desk.crisis import escalation, liaison, plans, referrals
from desk.crisis.escalation import WHEREABOUTS, OpenCrisis
from desk.crisis.liaison import LiaisonRow
from desk.crisis.plans import CrisisPlanView
from desk.plurals import counted
from desk.services import changes, people, timeline
from desk.services.people import PersonRecord
from desk.services.timeline import Entry
from screens.base import DeskScreen
from screens.header import DeskHeader
from screens.key_footer import KeyFooter
from screens.live import LiveWatch
from screens.timeline_view import Lines, TimelineView, render_lines

if TYPE_CHECKING:
    from desk.packages.assessments import AssessmentRecord
    from screens.assessment import AssessmentStart
    from screens.package_change import ChangeStart

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


def _since(rec: PersonRecord) -> str:
    """`` since 20-Nov-2026``: when the stay in hospital began, or nothing if not known."""
    return f" since {dates.nhs_style(rec.in_hospital_since)}" if rec.in_hospital_since else ""


def situation(rec: PersonRecord) -> Text:
    """The current situation in a few lines: what a relative ringing from far away wants to know."""
    t = Text()
    for a in rec.alerts:
        t.append(f"! {a}\n", style="bold red")
    if rec.in_hospital:
        t.append(f"In hospital: {rec.in_hospital}{_since(rec)}\n", style="bold yellow")
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
    for w in rec.waiting:
        if w.flag:  # a target about to be missed, or missed: said here, in front of the co-ordinator
            t.append(f"{w.flag.upper()}: {w.what} {w.words.split(': ', 1)[-1]}\n", style=TARGET_STYLES[w.flag])
    for ref in rec.referrals:
        due = f", due {ref.due}" if ref.due else ""
        t.append(f"Open referral: {ref.discipline} ({ref.urgency}) {ref.received}{due}: {ref.reason}\n")
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


TARGET_STYLES = {"missed": "bold white on red", "at risk": "bold black on dark_orange", "": ""}
"""A target missed or at risk in colour; the word before it says the same."""


def waiting_lines(rec: PersonRecord) -> list[Text]:
    """Each package or equipment item still waiting, with MISSED or AT RISK before it when it will miss."""
    lines: list[Text] = []
    for w in rec.waiting:
        line = Text()
        if w.flag:
            line.append(w.flag.upper(), style=TARGET_STYLES[w.flag])
            line.append(" ")
        line.append(f"Waiting: {w.what}, asked for {w.requested_on:%d-%b}: {w.words}")
        lines.append(line)
    return lines


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
        for f, on in (
            ("Lives alone", rec.lives_alone),
            (f"IN HOSPITAL: {rec.in_hospital}{_since(rec)}", bool(rec.in_hospital)),
        )
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
    out.append(_section(title, [*map(Text, pkg_lines), *waiting_lines(rec)], "No care package."))
    out.append("\n")
    out.append(
        _section(
            "Open referrals",
            [
                f"{r.discipline} ({r.urgency}) received {r.received}{f', due {r.due}' if r.due else ''}: {r.reason}"
                for r in rec.referrals
            ],
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


def crisis_plan_text(plan: CrisisPlanView) -> Text:
    """What to do in a crisis, as the record shows it (P changes it)."""
    out = Text("What to do in a crisis (P changes it)\n", style="bold")
    if plan.is_empty:
        out.append("  No crisis plan written yet.\n", style="dim")
        return out
    out.append(f"  Who to ring: {plan.who_to_ring or '-'}\n")
    out.append(f"  What has worked: {plan.what_has_worked or '-'}\n")
    out.append(f"  What they want: {plan.what_they_want or '-'}\n")
    return out


def open_crisis_text(crisis: OpenCrisis | None) -> Text:
    """The open crisis: what happened, where they are, its clock (its visits are listed below it)."""
    if crisis is None:
        return Text("No open crisis.", style="dim")
    out = Text("OPEN CRISIS", style="bold red")
    out.append(f"  raised {clock.local(crisis.raised_at):%H:%M}: {crisis.what_happened}\n")
    out.append(f"  {WHEREABOUTS.get(crisis.whereabouts, crisis.whereabouts)}")
    if crisis.first_contact_at is not None:
        out.append(f"; first contact {clock.local(crisis.first_contact_at):%H:%M} (clock stopped)\n")
    elif crisis.due_at is not None:
        out.append(f"; first contact due by {clock.local(crisis.due_at):%H:%M}\n")
    out.append("Visits (V moves the highlighted one on; L logs a liaison contact):", style="bold")
    return out


LIAISON_SHOWN = 3
"""The newest liaison entries the record shows under an open crisis."""


def liaison_text(log: list[LiaisonRow]) -> Text:
    """The newest contacts made about the crisis: when, with whom, what was agreed, by whom."""
    out = Text("Liaison log (L adds)\n", style="bold")
    if not log:
        out.append("  Nobody contacted yet.\n", style="dim")
    for e in log:
        who = f" ({e.contact})" if e.contact else ""
        out.append(f"  {clock.local(e.at):%H:%M} {e.party_label}{who}: {e.agreed}")
        out.append(f"  {e.by_name}\n", style="dim")
    return out


class PersonScreen(DeskScreen[None]):
    """A person's record with health and social care on one timeline."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back", tooltip="Back to where you were"),
        Binding("c", "call_about", "Log call", id="call_about", tooltip="Log a call about this person"),
        Binding("e", "edit", "Edit details", id="edit", tooltip="Change this person's details (says why)"),
        Binding("t", "add_contact", "Add contact", id="add_contact", tooltip="Add a carer or relative"),
        Binding("ctrl+r", "reload", "Refresh", id="reload", tooltip="Load the record again"),
        Binding("p", "crisis_plan", "Crisis plan", id="crisis_plan", tooltip="Write or change what to do in a crisis"),
        Binding("v", "move_visit", "Visit state", id="move_visit", tooltip="The highlighted crisis visit moves on"),
        Binding("l", "add_liaison", "Liaison", id="add_liaison", tooltip="Log a contact about the open crisis"),
        Binding(
            "i",
            "record_moment",
            "Intervals",
            id="record_moment",
            tooltip="Record first contact, assessment or services in place on an open referral",
        ),
        Binding("a", "record_assessment", "Record assessment", id="record_assessment", tooltip="Record an assessment"),
        Binding("k", "package", "See package", id="package", tooltip="The care package, its providers and its history"),
        Binding(
            "m",
            "change_package",
            "Change package",
            id="change_package",
            tooltip="Change the package on the latest nurse or therapist assessment",
        ),
    ]

    def __init__(self, person_id: int, loaded: Loaded | None = None) -> None:
        """``loaded``: the record already fetched (see :func:`fetch`), so the first frame shows it."""
        super().__init__()
        self.person_id = person_id
        self.record: PersonRecord | None = None
        self.entries: list[Entry] = []
        self._loaded = loaded
        self.live = LiveWatch(self._mark)
        self.plan: CrisisPlanView | None = None
        self.crisis: OpenCrisis | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Loading...", id="banner")
        with Horizontal(id="person-body"):
            with VerticalScroll(id="person-details"):
                yield Static("", id="details")
                yield Static("", id="crisis-plan-view")
                yield Static("", id="crisis-view")
                yield OptionList(id="bookings")
                yield Static("", id="liaison-view")
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
        self.load_crisis()

    @work(thread=True, exclusive=True, group="person-crisis", exit_on_error=False)
    def load_crisis(self) -> None:
        """The crisis plan and any open crisis with its visits, read apart from the record."""
        with db.reading(self.desk.engine) as session:
            plan = plans.plan_for(session, self.person_id)
            crisis = escalation.open_crisis_for(session, self.person_id)
            log = liaison.entries(session, crisis.crisis_id)[:LIAISON_SHOWN] if crisis else []
        self.app.call_from_thread(self._show_crisis, plan, crisis, log)

    def _show_crisis(self, plan: CrisisPlanView, crisis: OpenCrisis | None, log: list[LiaisonRow]) -> None:
        if not self.is_attached:
            return
        self.plan, self.crisis = plan, crisis
        self.query_one("#crisis-plan-view", Static).update(crisis_plan_text(plan))
        self.query_one("#crisis-view", Static).update(open_crisis_text(crisis))
        self.query_one("#liaison-view", Static).update(liaison_text(log) if crisis else "")
        visits = self.query_one("#bookings", OptionList)
        keep = visits.highlighted
        visits.clear_options()
        for b in crisis.bookings if crisis else ():
            when = f"{clock.local(b.visit_at):%H:%M}"
            state = b.state_word + (f" ({b.cancel_reason})" if b.cancel_reason else "")
            visits.add_option(
                Option(f"{when} {b.staff_name} ({b.discipline.replace('_', ' ')}): {state}", id=str(b.id))
            )
        visits.display = bool(crisis and crisis.bookings)
        if visits.option_count:
            visits.highlighted = min(keep or 0, visits.option_count - 1)

    def action_crisis_plan(self) -> None:
        from screens.crisis_plan import CrisisPlanForm

        if self.plan is None:
            self.notify("The record is still loading; try again in a moment.")
            return

        def saved(plan: CrisisPlanView | None) -> None:
            if plan is not None:
                self.load_crisis()

        self.app.push_screen(CrisisPlanForm(self.plan), saved)

    def action_move_visit(self) -> None:
        from screens.visit import VisitMoveForm

        visits = self.query_one("#bookings", OptionList)
        if self.crisis is None or visits.highlighted is None or not self.crisis.bookings:
            self.notify("No crisis visit to move on: they are listed under an open crisis.")
            return
        booking = self.crisis.bookings[visits.highlighted]
        self.app.push_screen(VisitMoveForm(booking), lambda moved: self.action_reload() if moved else None)

    def action_add_liaison(self) -> None:
        from screens.liaison import LiaisonForm

        if self.crisis is None:
            self.notify("No open crisis to log a contact for.")
            return

        def logged(row: LiaisonRow | None) -> None:
            if row is not None:
                self.notify(f"Liaison logged: {row.party_label}.", timeout=4)
                self.load_crisis()

        self.app.push_screen(LiaisonForm(self.crisis.crisis_id), logged)

    @work(thread=True, exclusive=True, group="person-moment", exit_on_error=False)
    def action_record_moment(self) -> None:
        """The person's open referrals read now (their versions fresh), then the form for one of their moments."""
        with db.reading(self.desk.engine) as session:
            found = referrals.open_referrals(session, self.person_id)
        self.app.call_from_thread(self._ask_moment, found)

    def _ask_moment(self, found: list[referrals.OpenReferral]) -> None:
        from screens.intervals import IntervalsForm

        if not found:
            self.notify("No open referral to record a first contact, assessment or services on.")
            return

        def recorded(done: referrals.Intervals | None) -> None:
            if done is not None:
                self.notify("Recorded on the referral.", timeout=4)
                self.action_reload()

        self.app.push_screen(IntervalsForm(found), recorded)

    # --- assessments and the package -------------------------------------------------

    @work(thread=True, exclusive=True, group="person-assessment", exit_on_error=False)
    def action_record_assessment(self) -> None:
        """The zone's assessors, the person's assessments and open referrals read now, then the form."""
        from screens.assessment import read_start

        start = read_start(self.desk.engine, self.person_id, self.desk.zone_id)
        self.app.call_from_thread(self._ask_assessment, start)

    def _ask_assessment(self, start: AssessmentStart) -> None:
        from screens.assessment import AssessmentForm

        def recorded(rec: AssessmentRecord | None) -> None:
            if rec is not None:
                self.notify(f"Assessment recorded: {rec.byline}.", timeout=6)
                self.action_reload()

        who = self.desk.staff.name if self.desk.staff else "the desk"
        self.app.push_screen(AssessmentForm(start, recorder=who), recorded)

    def action_package(self) -> None:
        """Open the package screen once its package is read: its first frame shows it (screens.base)."""
        from screens.base import open_when_read
        from screens.package import opened

        open_when_read(self.app, opened(self.app, self.person_id))

    @work(thread=True, exclusive=True, group="person-package", exit_on_error=False)
    def action_change_package(self) -> None:
        """The person's assessments and current package read now, then the change form on the latest."""
        from screens.package_change import read_start

        start = read_start(self.desk.engine, self.person_id)
        self.app.call_from_thread(self._ask_change, start)

    def _ask_change(self, start: ChangeStart) -> None:
        from desk.packages.arrange import Arranged, Outcome, Routed
        from screens.base import open_when_read
        from screens.package import OutcomeDialog, opened
        from screens.package_change import PackageChangeForm

        if not start.assessments:
            self.notify("No assessment to change the package on: A records one first.", severity="warning")
            return

        def done(outcome: Outcome | None) -> None:
            if isinstance(outcome, Arranged):
                self.action_reload()
                open_when_read(self.app, opened(self.app, self.person_id, arranged=outcome))
            elif isinstance(outcome, Routed):
                self.action_reload()
                self.app.push_screen(
                    OutcomeDialog(
                        "Not arranged: referred to a social worker",
                        outcome.message + f" (referral {outcome.referral_id}, the assessment attached)",
                    )
                )

        self.app.push_screen(PackageChangeForm(start), done)

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
