"""A person's care package: the current version, the providers to tell, its states, and every version before.

Opened from the person record (K). The current version lists each service
(visits with their times, minutes, carers and days; provider; start; unit
cost; state) with the hours of care and the cost a week and the review date.
The providers to tell about each change are listed; T ticks the highlighted
one off as told. R (arranged, saying who at the provider confirmed), A
(active), S (suspended) and X (ended) move the package on, each dated; V
moves one of its services on (which service, to which state, the day, who at
the provider confirmed it for arranged, a note). The
package history shows every version: the assessment that authorised it, who
arranged it, when, why, and what changed; C compares any two versions in
words. M changes the package on an assessment.

The package is read from the moment the screen is made (K), and the screen
opened once it is in (screens.base.open_when_read), so its first frame
shows it. Its history is drawn to lines in the worker that reads it, the
newest versions first (about the pane's height), and the rest in a worker
after the first frame (as the record's timeline is), so a package of many
versions opens as fast as one of a few.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from desk import clock, dates, db
from desk.errors import DeskError, InvalidForm
from desk.models import CarePackage, CarePackageItem
from desk.packages import arrange, catalogue
from desk.packages.arrange import STATES, Arranged, NoticeRow, StepInput, StepRow, VersionView
from desk.services import people
from desk.services.people import PersonRecord
from screens.base import DeskModalScreen, DeskScreen, ReadsFirst
from screens.form import show_beside_fields
from screens.header import DeskHeader
from screens.key_choice import KeyChoice
from screens.key_footer import KeyFooter
from screens.person import banner
from screens.timeline_view import Lines, TimelineView, render_lines
from screens.widgets import FieldError

if TYPE_CHECKING:
    from screens.app import DeskApp

FIRST_VERSIONS = 6
"""The newest versions drawn before the first frame: more than the history pane shows at 45 lines."""
HISTORY_SHARE = 2 / 5
"""The history pane's share of the screen's width (``#package-history``: 2fr beside 3fr)."""
HISTORY_FRAME = 1 + 2 + 2
"""Cells of the pane's width that are not its lines: the border on its left, padding, the scroll bar's gutter."""


@dataclass(frozen=True)
class PackageRead:
    """A person's package as the screen shows it, read in one go."""

    record: PersonRecord
    package_id: int | None
    state: str
    row_version: int
    review_due: object
    current: VersionView | None
    versions: list[VersionView]
    line_states: dict[int, str]
    notices: list[NoticeRow]
    steps: list[StepRow]


def read_package(engine: Engine, person_id: int) -> PackageRead:
    """The person's open package, its versions, providers to tell and steps (in a worker thread)."""
    with db.reading(engine) as session:
        rec = people.record(session, person_id)
        pkg: CarePackage | None = arrange.package_of(session, person_id)
        if pkg is None or pkg.id is None:
            return PackageRead(rec, None, "", 0, None, None, [], {}, [], [])
        pid = pkg.id
        states = {  # the newest item of each line says its state
            it.line: it.state
            for it in session.exec(
                select(CarePackageItem)
                .where(CarePackageItem.package_id == pid, col(CarePackageItem.line) > 0)
                .order_by(col(CarePackageItem.id))
            )
        }
        found = arrange.versions(session, pid)
        as_found = None if found else arrange.as_found(session, pkg)  # before versions: version 1 as it is found
        if as_found is not None:
            items = arrange.unversioned(session, pid)
            states = {ln.line: it.state for ln, it in zip(as_found.lines, items, strict=True)}
        return PackageRead(
            rec,
            pid,
            pkg.state,
            pkg.version,
            pkg.review_due,
            found[-1] if found else as_found,
            found,
            states,
            arrange.providers_to_tell(session, pid),
            arrange.steps(session, pid),
        )


def services_text(view: VersionView, line_states: dict[int, str]) -> Text:
    """Each service of a version: what, from whom, its state; then when, how long, from when, what it costs."""
    out = Text()
    cat = catalogue.load()
    for ln in view.lines:
        state = line_states.get(ln.line, "requested")
        out.append(f"{ln.service_name}", style="bold")
        out.append(f"  {ln.provider_name}")
        out.append(f"  [{STATES.get(state, state).split(' (')[0]}]\n", style="cyan")
        unit = "week" if ln.as_found else cat.services[ln.service].unit if ln.service in cat.services else "unit"
        cost = f"{arrange.money(ln.cost_per_week_pence)} a week" if ln.cost_per_week_pence else ""
        if ln.one_off_pence:
            cost = f"{arrange.money(ln.one_off_pence)} once"
        out.append(
            f"    {ln.detail}; from {dates.nhs_style(ln.start_date)}; "
            f"{arrange.money(ln.unit_cost_pence)} per {unit}; {cost}\n"
        )
    return out


def current_text(found: PackageRead) -> Text:
    """The package's headline: version, state, hours and cost a week, review date."""
    cur = found.current
    out = Text()
    if found.package_id is None:
        out.append("No care package. M arranges one on an assessment.", style="dim")
        return out
    if cur is None:
        out.append("This package was arranged before the desk kept versions:\n", style="yellow")
        for p in found.record.package:
            out.append(f"  {p.service}: {p.detail} - {p.provider}, {arrange.money(p.weekly_cost_pence)} a week\n")
        out.append("M changes it on an assessment (the change starts its versions).", style="dim")
        return out
    if cur.saved:
        out.append(f"Current package: version {cur.number}", style="bold")
    else:
        out.append("Current package: arranged before the desk kept versions", style="bold")
    out.append(f"   State: {STATES.get(found.state, found.state)}")
    out.append(
        f"\nHours of care a week: {cur.hours_per_week:g}   Cost a week: {arrange.money(cur.cost_per_week_pence)}"
    )
    if cur.one_off_pence:
        out.append(f"   One-off: {arrange.money(cur.one_off_pence)}")
    if found.review_due:
        out.append(f"   Review due: {dates.nhs_style(found.review_due)}", style="bold")  # type: ignore[arg-type]
    out.append(f"\nAuthorised by {cur.authority}" if cur.authority else "\n")
    if not cur.saved:
        out.append(
            "\nM changes it on an assessment: its services are kept as version 1 as found, the change is version 2.",
            style="dim",
        )
    return out


def history_text(found: list[VersionView], newest: int | None = None) -> Text:
    """Every version (or the ``newest`` few), newest first: authority, who arranged it, when, why, what changed."""
    out = Text()
    if not found:
        out.append("No versions yet.", style="dim")
    before: dict[int, VersionView] = {}
    for i, v in enumerate(found):
        before[v.number] = found[i - 1] if i else None  # type: ignore[assignment]
    for v in list(reversed(found))[:newest]:
        out.append(f"Version {v.number}", style="bold")
        out.append(f"  {clock.local(v.arranged_at):%d-%b-%Y %H:%M}  {v.arranged_by or 'unknown'} at {v.desk}\n")
        who = arrange.AS_FOUND_AUTHORITY if v.as_found else v.assessor
        if who:
            out.append(f"  Authorised by: {who}\n", style="dim")
        out.append(f"  Why: {v.why}\n")
        for d in arrange.diff(before.get(v.number), v):
            out.append(f"  - {d}\n", style="cyan")
        out.append(
            f"  {v.hours_per_week:g} hours a week, {arrange.money(v.cost_per_week_pence)} a week\n\n", style="dim"
        )
    return out


def history_width(screen_width: int) -> int:
    """The width the history's lines are drawn at on a screen ``screen_width`` wide (before it is laid out)."""
    return max(20, int(screen_width * HISTORY_SHARE) - HISTORY_FRAME)


def draw_history(versions: list[VersionView], width: int, newest: int | None = None) -> Lines:
    """The history's lines at ``width`` (in a worker thread): every version, or the ``newest`` few."""
    return render_lines(history_text(versions, newest), width)


@dataclass(frozen=True)
class PackageLoaded:
    """A package as the screen first shows it: what was read, and its newest versions drawn at ``width``."""

    found: PackageRead
    first: Lines
    width: int


def fetch_package(engine: Engine, person_id: int, width: int) -> PackageLoaded:
    """Read the person's package and draw its newest versions (in a worker thread)."""
    found = read_package(engine, person_id)
    return PackageLoaded(found, draw_history(found.versions, width, FIRST_VERSIONS), width)


def history_title(count: int) -> str:
    return f"Package history: {count} version{'s' if count != 1 else ''}, newest first"


PACKAGE_SCREEN = "package"
"""The name the package screen is installed under: one a session, opened again for each person (see opened)."""


def opened(app: App[Any], person_id: int, arranged: Arranged | None = None) -> PackageScreen:
    """The package screen to open: the session's one, emptied and reading this person's package, or a new one.

    Made and installed on the first K, and opened again after that, so each
    opening costs its read and its frame, not building and styling the
    screen's widgets. One already in the stack stays as it is: a new one opens.
    """
    if not app.is_screen_installed(PACKAGE_SCREEN):
        screen = PackageScreen(person_id, arranged)
        app.install_screen(screen, PACKAGE_SCREEN)
        return screen
    screen = app.get_screen(PACKAGE_SCREEN, PackageScreen)
    if screen in app.screen_stack:
        return PackageScreen(person_id, arranged)
    screen.reopen(person_id, arranged)
    return screen


def arranged_text(done: Arranged) -> Text:
    """What was just arranged: the new version, its differences, cost, review date and providers to tell."""
    v = done.version
    out = Text(f"Arranged: version {v.number}\n", style="bold green")
    for d in done.differences:
        out.append(f"  - {d}\n")
    out.append(f"  {v.hours_per_week:g} hours of care a week, {arrange.money(v.cost_per_week_pence)} a week")
    if v.one_off_pence:
        out.append(f", {arrange.money(v.one_off_pence)} one-off")
    out.append(f"; review due {dates.nhs_style(clock.local(done.review_due_at).date())}\n", style="bold")
    if done.providers_to_tell:
        out.append("  Tell: " + "; ".join(f"{n.provider_name} ({n.phone})" for n in done.providers_to_tell) + "\n")
    return out


def notice_prompt(n: NoticeRow) -> str:
    """``[ ] v2 Bay Care Homecare 0117 496 0801: Home care visits added ...``."""
    mark = f"[told {clock.local(n.told_at):%d-%b %H:%M}]" if n.told_at else "[ ] to tell"
    return f"{mark} v{n.package_version} {n.provider_name} {n.phone}: {n.what}"


class PackageScreen(ReadsFirst, DeskScreen[None]):
    """A person's package now, whom to tell, its states, and its whole history."""

    PALETTE_TITLES = {"service_step": "Service: move on (arranged, active, suspended or ended)"}
    """The palette names a service's move "Service: ...", beside the package's own moves ("Package: ...")."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back", tooltip="Back to the person's record"),
        Binding("m", "change", "Change", id="change", tooltip="Change the package on an assessment"),
        Binding("t", "told", "Told", id="told", tooltip="Tick the highlighted provider off as told"),
        Binding("r", "step('arranged')", "Arranged", id="arranged", tooltip="The provider confirmed (say who)"),
        Binding("a", "step('active')", "Active", id="active", tooltip="The package has started"),
        Binding("s", "step('suspended')", "Suspend", id="suspended", tooltip="Suspend it (in hospital, say)"),
        Binding("x", "step('ended')", "End", id="ended", tooltip="End the package"),
        Binding(
            "v",
            "service_step",
            "Service step",
            id="service_step",
            tooltip="Move one service on: arranged (say who confirmed), active, suspended or ended, dated",
        ),
        Binding("c", "compare", "Compare", id="compare", tooltip="Compare any two versions, in words"),
        Binding("ctrl+r", "reload", "Refresh", id="reload", tooltip="Read the package again"),
    ]

    DEFAULT_CSS = """
    #package-banner { height: auto; padding: 0 1; background: $boost; }
    #package-body { height: 1fr; }
    #package-now { width: 3fr; height: 1fr; }
    #package-history { width: 2fr; height: 1fr; border-left: solid $accent; padding: 0 1; }
    #package-versions { scrollbar-gutter: stable; }
    #package-arranged { height: auto; padding: 0 1; border: round $success; }
    #package-current { height: auto; padding: 0 1; }
    #package-services { height: auto; padding: 0 1; }
    #package-notices { height: auto; max-height: 12; }
    #package-steps { height: auto; padding: 0 1; }
    """

    def __init__(self, person_id: int, arranged: Arranged | None = None) -> None:
        super().__init__()
        self.person_id = person_id
        self.arranged = arranged
        self.found: PackageRead | None = None
        self._mounted = False
        self._early: PackageLoaded | None = None
        """The package read before the screen was mounted, shown as it mounts."""
        self._opening = 0
        """Which opening of the screen this is: a package read for an earlier one is not shown."""
        self.reading()
        self.load(history_width(self.app.size.width))  # read before the screen opens (screens.base.open_when_read)

    def reopen(self, person_id: int, arranged: Arranged | None = None) -> None:
        """Open the screen again, for this person: emptied, as a new one is, with their package being read at once.

        Nothing read for the opening before is shown: its workers are
        cancelled and anything of theirs still on its way is dropped.
        """
        self._opening += 1
        self.app.workers.cancel_node(self)
        self.person_id, self.arranged, self.found, self._early = person_id, arranged, None, None
        if self._mounted:
            self._show_arranged()
            for name in ("current", "services", "steps"):
                self.query_one(f"#package-{name}", Static).update("")
            self.query_one("#package-banner", Static).update("Loading...")
            self.query_one("#package-notices", OptionList).clear_options()
            self.query_one("#package-history-title", Static).update("Package history")
            view = self.query_one(TimelineView)
            view.set_lines([], view.line_width)
            view.scroll_home(animate=False)
            self.query_one("#package-now", VerticalScroll).scroll_home(animate=False)
            self.query_one("#package-notices", OptionList).focus()
        self.reading()
        self.action_reload()

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Loading...", id="package-banner")
        with Horizontal(id="package-body"):
            with VerticalScroll(id="package-now"):
                yield Static("", id="package-arranged")
                yield Static("", id="package-current")
                yield Static("", id="package-services")
                yield Label("Providers to tell (T ticks the highlighted one off as told)", classes="field-label-wide")
                yield OptionList(id="package-notices")
                yield Static("", id="package-steps")
            with Vertical(id="package-history"):
                yield Static("Package history", id="package-history-title", classes="dialog-title")
                yield TimelineView(id="package-versions")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._show_arranged()
        self.query_one("#package-notices", OptionList).focus()
        self._mounted = True
        if self._early is not None:  # read before the screen was ready: shown in its first frame
            early, self._early = self._early, None
            self.show(early)

    def _show_arranged(self) -> None:
        arranged = self.query_one("#package-arranged", Static)
        arranged.display = self.arranged is not None
        if self.arranged is not None:
            arranged.update(arranged_text(self.arranged))

    def action_reload(self) -> None:
        view = self.query_one(TimelineView) if self._mounted else None
        width = view.line_width if view and view.scrollable_content_region.width else history_width(self.app.size.width)
        self.load(width)

    def load(self, width: int) -> None:
        """Read the package and draw its newest versions; shown as soon as the screen is mounted."""
        self._read_package(self.desk, self.person_id, width, self._opening)  # not yet mounted, a thread can't

    @work(thread=True, exclusive=True, group="package", exit_on_error=False)
    def _read_package(self, desk: DeskApp, person_id: int, width: int, opening: int) -> None:
        loaded = fetch_package(desk.engine, person_id, width)
        if not get_current_worker().is_cancelled:
            desk.call_from_thread(self._package_read, loaded, opening)

    def _package_read(self, loaded: PackageLoaded, opening: int) -> None:
        if opening != self._opening:
            return  # read for an opening of the screen since closed
        if not self._mounted:
            self._early = loaded
        else:
            self.show(loaded)
        self.read_in()

    def show(self, loaded: PackageLoaded) -> None:
        """Everything read, on screen; the history's older versions are drawn after this frame."""
        if not self.is_attached:
            return
        found = self.found = loaded.found
        self.query_one("#package-banner", Static).update(banner(found.record))
        self.query_one("#package-current", Static).update(current_text(found))
        services = self.query_one("#package-services", Static)
        services.update(services_text(found.current, found.line_states) if found.current else "")
        notices = self.query_one("#package-notices", OptionList)
        keep = notices.highlighted
        notices.clear_options()
        untold = [n for n in found.notices if n.told_at is None]
        told = [n for n in found.notices if n.told_at is not None]
        for n in untold + told:
            notices.add_option(Option(notice_prompt(n), id=str(n.id)))
        if notices.option_count:
            notices.highlighted = min(keep or 0, notices.option_count - 1)
        else:
            notices.add_option(Option("Nobody to tell.", id="none", disabled=True))
        names = {ln.line: ln.service_name for v in found.versions for ln in v.lines}
        if found.current is not None:
            names.update({ln.line: ln.service_name for ln in found.current.lines})
        steps = Text("Steps: ", style="bold")
        steps.append(
            "; ".join(
                f"{STATES[s.state].split(' (')[0].lower()} {dates.nhs_style(s.on)}"
                + (f" ({names.get(s.line, f'service {s.line}')})" if s.line else "")
                + (f", confirmed by {s.confirmed_by}" if s.confirmed_by else "")
                for s in found.steps[-8:]
            )
            or "none yet"
        )
        self.query_one("#package-steps", Static).update(steps)
        self.query_one(TimelineView).set_lines(loaded.first, loaded.width)
        self.query_one("#package-history-title", Static).update(history_title(len(found.versions)))
        if len(found.versions) > FIRST_VERSIONS:
            self.call_after_refresh(self.redraw, found.versions, loaded.width)

    @on(TimelineView.WidthChanged)
    def _width_changed(self, event: TimelineView.WidthChanged) -> None:
        if self.found is not None:
            self.redraw(self.found.versions, event.width)

    @work(thread=True, exclusive=True, group="package-history", exit_on_error=False)
    def redraw(self, versions: list[VersionView], width: int) -> None:
        """Draw every version in this worker, and show them (unless the screen has gone or been read again)."""
        lines = draw_history(versions, width)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_history, versions, lines, width)

    def _show_history(self, versions: list[VersionView], lines: Lines, width: int) -> None:
        if self.is_attached and self.found is not None and self.found.versions is versions:
            self.query_one(TimelineView).set_lines(lines, width)

    def history(self) -> str:
        """The history as it reads on screen (what has been drawn of it)."""
        return self.query_one(TimelineView).text()

    # --- providers told -----------------------------------------------------------

    def _notice(self) -> NoticeRow | None:
        notices = self.query_one("#package-notices", OptionList)
        if self.found is None or notices.highlighted is None:
            return None
        oid = notices.get_option_at_index(notices.highlighted).id
        return next((n for n in self.found.notices if str(n.id) == oid), None)

    def action_told(self) -> None:
        n = self._notice()
        if n is None or n.told_at is not None:
            self.notify("Highlight a provider still to tell (Up/Down), then T.")
            return
        self.mark_told(n)

    @work(thread=True, exclusive=True, group="package-write", exit_on_error=False)
    def mark_told(self, n: NoticeRow) -> None:
        app = self.desk
        try:
            with db.writing(app.engine) as session:
                arrange.mark_told(session, app.actor, n.id, n.version)
        except DeskError as exc:
            app.call_from_thread(self.notify, exc.message, severity="error", timeout=8)
        else:
            app.call_from_thread(self.notify, f"{n.provider_name} ticked off as told.", timeout=4)
        app.call_from_thread(self.action_reload)

    # --- states ---------------------------------------------------------------------

    def action_step(self, state: str) -> None:
        if self.found is None or self.found.package_id is None:
            self.notify("No package to move on.")
            return
        self.app.push_screen(
            StepDialog(self.found.package_id, self.found.row_version, state),
            self._moved,
        )

    def _moved(self, moved: bool | None) -> None:
        if moved:
            self.action_reload()

    def action_service_step(self) -> None:
        found = self.found
        if found is None or found.package_id is None or found.current is None:
            self.notify("No services to move on: M arranges the package on an assessment.")
            return
        services = [
            ServiceState(ln.line, f"{ln.service_name}, {ln.provider_name}", found.line_states.get(ln.line, "requested"))
            for ln in found.current.lines
            if found.line_states.get(ln.line, "requested") != "ended"
        ]
        if not services:
            self.notify("Every service of this package has ended.")
            return
        self.app.push_screen(ServiceStepDialog(found.package_id, found.row_version, services), self._service_moved)

    def _service_moved(self, moved: str | None) -> None:
        if moved:
            self.notify(moved, timeout=5)
            self.action_reload()

    # --- comparing ------------------------------------------------------------------

    def action_compare(self) -> None:
        if self.found is None or len(self.found.versions) < 2 or self.found.package_id is None:
            self.notify("Comparing needs two versions of the package.")
            return
        last = self.found.versions[-1].number
        self.app.push_screen(CompareDialog(self.found.package_id, last - 1, last, last))

    # --- changing -------------------------------------------------------------------

    def action_change(self) -> None:
        from screens.person import PersonScreen

        below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else None
        if isinstance(below, PersonScreen):
            self.app.pop_screen()
            below.action_change_package()
        else:
            self.notify("Open the person's record to change their package.")


class StepDialog(DeskModalScreen[bool | None]):
    """The package moves to a state, on a day: arranged says who at the provider confirmed."""

    BINDINGS = [
        Binding("f10", "save", "Save", id="save", tooltip="Record the step"),
        Binding("escape", "cancel", "Cancel", id="cancel", tooltip="Close without recording it"),
    ]

    DEFAULT_CSS = """
    StepDialog { align: center middle; }
    #step { width: 80; height: auto; border: thick $accent; background: $surface; padding: 1 2; }
    """

    def __init__(self, package_id: int, expected_version: int, state: str) -> None:
        super().__init__()
        self.package_id = package_id
        self.expected_version = expected_version
        self.state = state

    def compose(self) -> ComposeResult:
        with Vertical(id="step"):
            yield Label(f"Package: {STATES[self.state].lower()}", classes="dialog-title")
            yield Static("", id="form-message", classes="form-message")
            yield FieldError(id="state-error")
            with Horizontal(classes="field"):
                yield Label("On", classes="field-label")
                yield Input(f"{clock.today():%d/%m/%Y}", id="on")
            yield FieldError(id="on-error")
            if self.state == "arranged":
                with Horizontal(classes="field"):
                    yield Label("Confirmed by", classes="field-label")
                    yield Input(placeholder="Who at the provider confirmed", id="confirmed_by")
                yield FieldError(id="confirmed_by-error")
            with Horizontal(classes="field"):
                yield Label("Note", classes="field-label")
                yield Input(placeholder="Optional (Enter saves)", id="note")
            yield FieldError(id="note-error")
        yield KeyFooter()

    def on_mount(self) -> None:
        for err in self.query(FieldError):
            err.show(None)
        self.query_one("#form-message").display = False
        self.query_one("#confirmed_by" if self.state == "arranged" else "#note").focus()

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "note":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        raw = self.query_one("#on", Input).value
        on_day = dates.parse(raw)
        if on_day is None:
            self.show_problems({"on": f"'{raw}' is not a date: type it as 23/11/2026."})
            return
        confirmed = self.query_one("#confirmed_by", Input).value if self.state == "arranged" else ""
        data = StepInput(
            self.package_id,
            self.expected_version,
            self.state,
            on_day,
            confirmed_by=confirmed,
            note=self.query_one("#note", Input).value,
        )
        self.save(data)

    @work(thread=True, exclusive=True, group="step", exit_on_error=False)
    def save(self, data: StepInput) -> None:
        actor = self.desk.actor
        self.write_then_close(lambda session: bool(arrange.move(session, actor, data)))

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each message beside its field; nothing typed is cleared."""
        show_beside_fields(self, problems, "Not recorded: put right what is said below.")

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class ServiceState:
    """One service of the package that can still move on: its line, its name and provider, and its state now."""

    line: int
    name: str
    state: str


SERVICE_STEP_KEYS = {"arranged": "r", "active": "a", "suspended": "s", "ended": "x"}
"""The letter that picks where a service moves (as the package's own keys on the screen)."""
LINE_KEYS = "123456789abcdefghijklmnopqrstuvwxyz"
"""The keys that pick a service, in the order the package lists them."""


class ServiceStepDialog(DeskModalScreen[str | None]):
    """One service moves to a state, on a day: which service (a number), where (a letter), who confirmed, a note."""

    BINDINGS = [
        Binding("f10", "save", "Save", id="save", tooltip="Record the service's step"),
        Binding("escape", "cancel", "Cancel", id="cancel", tooltip="Close without recording it"),
    ]

    DEFAULT_CSS = """
    ServiceStepDialog { align: center middle; }
    #service-step {
        width: 96; max-width: 98%; height: auto; border: thick $accent; background: $surface; padding: 1 2;
    }
    """

    def __init__(self, package_id: int, expected_version: int, services: list[ServiceState]) -> None:
        super().__init__()
        self.package_id = package_id
        self.expected_version = expected_version
        self.services = services

    def compose(self) -> ComposeResult:
        with Vertical(id="service-step"):
            yield Label("Service: move one service on", classes="dialog-title")
            yield Static("", id="form-message", classes="form-message")
            yield Label("Which service (a number)")
            yield KeyChoice(
                [
                    (LINE_KEYS[i], str(s.line), f"{s.name} (now {STATES[s.state].split(' (')[0].lower()})")
                    for i, s in enumerate(self.services[: len(LINE_KEYS)])
                ],
                id="line",
            )
            yield FieldError(id="line-error")
            yield Label("Becomes (a letter)")
            yield KeyChoice(
                [(key, state, STATES[state]) for state, key in SERVICE_STEP_KEYS.items()],
                id="state",
            )
            yield FieldError(id="state-error")
            with Horizontal(classes="field"):
                yield Label("On", classes="field-label")
                yield Input(f"{clock.today():%d/%m/%Y}", placeholder="dd/mm/yyyy", id="on")
            yield FieldError(id="on-error")
            with Horizontal(classes="field", id="confirmed-field"):
                yield Label("Confirmed by", classes="field-label")
                yield Input(placeholder="Who at the provider confirmed", id="confirmed_by")
            yield FieldError(id="confirmed_by-error")
            with Horizontal(classes="field"):
                yield Label("Note", classes="field-label")
                yield Input(placeholder="Optional (Enter saves)", id="note")
            yield FieldError(id="note-error")
        yield KeyFooter()

    def on_mount(self) -> None:
        for err in self.query(FieldError):
            err.show(None)
        self.query_one("#form-message").display = False
        self.query_one("#confirmed-field").display = False
        self.query_one("#line", KeyChoice).then = self._line_chosen
        self.query_one("#state", KeyChoice).then = self._state_chosen
        if len(self.services) == 1:  # the only service: chosen already
            self.query_one("#line", KeyChoice).choose(str(self.services[0].line), announce=False)
            self.query_one("#state").focus()
        else:
            self.query_one("#line").focus()

    def _line_chosen(self, choice: KeyChoice, value: str) -> None:
        self.query_one("#line-error", FieldError).show(None)
        self.set_focus(self.query_one("#state"))

    def _state_chosen(self, choice: KeyChoice, value: str) -> None:
        self.query_one("#state-error", FieldError).show(None)
        arranged = value == "arranged"
        self.query_one("#confirmed-field").display = arranged
        self.set_focus(self.query_one("#confirmed_by" if arranged else "#note"))

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "note":
            self.action_save()
        elif event.input.id == "confirmed_by":
            self.set_focus(self.query_one("#note"))
        else:
            self.focus_next()

    def action_save(self) -> None:
        problems: dict[str, str] = {}
        line = self.query_one("#line", KeyChoice).value
        state = self.query_one("#state", KeyChoice).value
        if line is None:
            problems["line"] = "Choose the service to move on (its number)."
        if state is None:
            problems["state"] = "Choose where it moves: R arranged, A active, S suspended, X ended."
        raw = self.query_one("#on", Input).value
        on_day = dates.parse(raw)
        if on_day is None:
            problems["on"] = f"'{raw}' is not a date: type it as {clock.today():%d/%m/%Y}."
        if problems or line is None or state is None:
            self.show_problems(problems)
            return
        data = StepInput(
            self.package_id,
            self.expected_version,
            state,
            on_day,
            line=int(line),
            confirmed_by=self.query_one("#confirmed_by", Input).value if state == "arranged" else "",
            note=self.query_one("#note", Input).value,
        )
        name = next(s.name for s in self.services if s.line == int(line))
        self.save(data, f"{name}: {STATES[state].split(' (')[0].lower()} on {dates.nhs_style(on_day)}.")

    @work(thread=True, exclusive=True, group="service-step", exit_on_error=False)
    def save(self, data: StepInput, said: str) -> None:
        actor = self.desk.actor

        def move(session: Session) -> str:
            arrange.move(session, actor, data)
            return said

        self.write_then_close(move)

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each message beside its field; the first bad field gets the focus; nothing typed is cleared."""
        show_beside_fields(self, problems, "Not recorded: put right what is said below.")
        for key in ("line", "state", "on", "confirmed_by", "note"):
            if key in problems:
                if key == "confirmed_by":
                    self.query_one("#confirmed-field").display = True
                self.query_one(f"#{key}").focus()
                break

    def action_cancel(self) -> None:
        self.dismiss(None)


class CompareDialog(DeskModalScreen[None]):
    """Any two versions of the package, and the difference between them in words."""

    BINDINGS = [
        Binding("escape", "cancel", "Close", id="cancel", tooltip="Back to the package"),
    ]

    DEFAULT_CSS = """
    CompareDialog { align: center middle; }
    #compare {
        width: 110; max-width: 98%; height: auto; max-height: 90%; border: thick $accent; background: $surface;
        padding: 1 2;
    }
    #compare-result { height: auto; max-height: 30; }
    """

    def __init__(self, package_id: int, a: int, b: int, last: int) -> None:
        super().__init__()
        self.package_id = package_id
        self.a, self.b, self.last = a, b, last

    def compose(self) -> ComposeResult:
        with Vertical(id="compare"):
            yield Label(f"Compare two versions (1 to {self.last}); Enter compares", classes="dialog-title")
            with Horizontal(classes="field"):
                yield Label("Version", classes="field-label")
                yield Input(str(self.a), id="from")
                yield Label("with version", classes="field-label")
                yield Input(str(self.b), id="to")
            yield FieldError(id="compare-error")
            with VerticalScroll(id="compare-result"):
                yield Static("", id="compare-words")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#compare-error", FieldError).show(None)
        self.query_one("#from", Input).focus()
        self.compare(self.a, self.b)

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        a, b = self.query_one("#from", Input).value.strip(), self.query_one("#to", Input).value.strip()
        if not (a.isdigit() and b.isdigit()) or not (1 <= int(a) <= self.last and 1 <= int(b) <= self.last):
            self.query_one("#compare-error", FieldError).show(f"Give two version numbers from 1 to {self.last}.")
            return
        self.query_one("#compare-error", FieldError).show(None)
        self.compare(int(a), int(b))

    @work(thread=True, exclusive=True, group="compare", exit_on_error=False)
    def compare(self, a: int, b: int) -> None:
        try:
            with db.reading(self.desk.engine) as session:
                words = arrange.compare(session, self.package_id, min(a, b), max(a, b))
        except (DeskError, InvalidForm) as exc:
            self.app.call_from_thread(self.query_one("#compare-error", FieldError).show, str(exc))
            return
        self.app.call_from_thread(self._show, min(a, b), max(a, b), words)

    def _show(self, a: int, b: int, words: list[str]) -> None:
        text = Text(f"From version {a} to version {b}:\n", style="bold")
        for w in words or ["No difference."]:
            text.append(f"  - {w}\n")
        self.query_one("#compare-words", Static).update(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class OutcomeDialog(DeskModalScreen[None]):
    """What the desk did with a change it could not arrange directly (routed to a social worker)."""

    BINDINGS = [Binding("escape,enter", "cancel", "Close", id="cancel", tooltip="Back to the record")]

    DEFAULT_CSS = """
    OutcomeDialog { align: center middle; }
    #outcome { width: 100; max-width: 98%; height: auto; border: thick $warning; background: $surface; padding: 1 2; }
    """

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="outcome"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.text, id="outcome-text")
        yield KeyFooter()

    def action_cancel(self) -> None:
        self.dismiss(None)
