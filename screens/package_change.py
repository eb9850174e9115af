"""Change a person's package on an assessment: the current version pre-filled, services added, changed or ended.

The person record's key (M) opens this on the person's latest nurse or
therapist assessment. Every service of the current version is a line of the
form, as :func:`desk.packages.arrange.as_lines` gives it; F8 adds a service
from the catalogue (a letter picks it) with sensible defaults (a visit at
08:00, 30 minutes, one carer, every day, the first provider serving the zone,
starting today); Ctrl+L ends the service the cursor is in. Enter in a
service's field goes to the reason; F10 saves.

Opened from the review list (a review deciding on a change), the form
carries the review: saving records the review as changed, naming the new
version, in the same transaction as the change.

What comes back: arranged (the caller shows the new version), routed to a
social worker (the caller says which rule), or kept on the form: a refused
assessment with the date and the areas beside it and Ctrl+N to ask for a new
one, or another desk's change shown with F9 to lay this desk's on top.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from rich.text import Text
from sqlalchemy import Engine
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, Select, Static

from desk import clock, dates, db
from desk.errors import DeskError, InvalidForm
from desk.models import Person
from desk.packages import arrange, assessments, authority, catalogue, reviews
from desk.packages.arrange import (
    DAYS,
    EVERY_DAY,
    LineView,
    Outcome,
    PackageChange,
    PackageChanged,
    ServiceLine,
    VersionView,
)
from desk.packages.assessments import AssessmentRecord
from desk.packages.catalogue import Service
from desk.packages.la_rules import Concerns
from screens.assessment import assessment_line
from screens.base import DeskModalScreen
from screens.key_choice import KeyChoice
from screens.key_footer import KeyFooter
from screens.widgets import FieldError, TickBox

AUTHORISING = frozenset({"nursing", "physiotherapy", "occupational_therapy"})
"""The disciplines whose latest assessment the form opens on (a nurse's or a therapist's)."""
DEFAULT_TIME = "08:00"
DEFAULT_MINUTES = 30
DEFAULT_CARERS = 1
SERVICE_KEYS = {
    "home_care": "h",
    "reablement_health": "r",
    "reablement_social": "s",
    "bed_reablement": "b",
    "meals": "m",
    "telecare": "t",
    "key_safe": "k",
    "day_centre": "d",
    "night_sitting": "n",
    "carer_break": "c",
    "domestic_help": "w",
    "care_home_permanent": "p",
    "direct_payment": "y",
}
"""The letter that picks a service when adding one; services the catalogue adds get a free letter."""


def service_keys() -> dict[str, str]:
    """Every catalogue service's letter: the usual ones first, then a free letter (or digit) for the rest."""
    out = {sid: key for sid, key in SERVICE_KEYS.items() if sid in catalogue.load().services}
    free = [c for c in "abcdefgijlnoquvxz0123456789" if c not in out.values()]
    for sid in catalogue.load().services:
        if sid not in out and free:
            out[sid] = free.pop(0)
    return out


@dataclass(frozen=True)
class ForReview:
    """The review a change is the outcome of: saving the change records it as changed."""

    review_id: int
    expected_version: int
    """The review row's version the review list read."""
    note: str = ""
    """What the review found, as typed on the review form (the change's reason if blank)."""


@dataclass(frozen=True)
class ChangeStart:
    """What the change form opens with: the person's zone, assessments, package and its current version."""

    person_id: int
    zone_id: str
    assessments: list[AssessmentRecord]
    chosen: int | None
    """The assessment the form opens on: the latest nurse's or therapist's (else the latest)."""
    package_id: int | None
    based_on: int
    current: VersionView | None


def read_start(engine: Engine, person_id: int) -> ChangeStart:
    """Read what the change form opens with (in a worker thread)."""
    with db.reading(engine) as session:
        person = session.get(Person, person_id)
        zone_id = person.zone_id if person else ""
        found = assessments.for_person(session, person_id)
        latest = assessments.latest(session, person_id, disciplines=AUTHORISING) or assessments.latest(
            session, person_id
        )
        pkg = arrange.package_of(session, person_id)
        current = arrange.current(session, pkg.id) if pkg is not None and pkg.id is not None else None
    return ChangeStart(
        person_id,
        zone_id,
        found,
        latest.id if latest else None,
        pkg.id if pkg else None,
        pkg.current_version if pkg else 0,
        current,
    )


def pounds(pence: int) -> str:
    """``24.50``: a unit cost as the form shows it."""
    return f"{pence / 100:.2f}"


def parse_pence(text: str) -> int | None:
    """``£24.50``, ``24.5`` or ``-3`` as pence; None if it is not an amount."""
    raw = text.strip().replace("£", "").replace(",", "")
    if not re.fullmatch(r"-?\d+(\.\d{1,2})?", raw):
        return None
    return round(float(raw) * 100)


def days_text(days: tuple[str, ...]) -> str:
    """``every day``, ``weekdays`` or ``mon, wed, fri``."""
    if tuple(days) == DAYS:
        return "every day"
    if tuple(days) == DAYS[:5]:
        return "weekdays"
    return ", ".join(days)


def parse_days(text: str) -> tuple[str, ...]:
    """Days as typed: every day (or blank), weekdays, weekends, or day names (mon tue ...)."""
    raw = text.strip().lower()
    if raw in ("", "every day", "daily", "all", "everyday"):
        return EVERY_DAY
    if raw == "weekdays":
        return DAYS[:5]
    if raw in ("weekends", "weekend"):
        return DAYS[5:]
    return tuple(w[:3] for w in re.split(r"[\s,]+", raw) if w)


def new_line(service: Service, zone_id: str, today: date) -> ServiceLine:
    """A service added with the desk's defaults: a morning visit of 30 minutes by one carer every day."""
    providers = catalogue.load().providers_of(service.id, zone_id)
    end = today + timedelta(days=service.max_days) if service.max_days is not None else None
    if service.form == "visits":
        return ServiceLine(
            service.id,
            providers[0].id if providers else "",
            today,
            end,
            times=(DEFAULT_TIME,),
            minutes=DEFAULT_MINUTES,
            carers=DEFAULT_CARERS,
        )
    return ServiceLine(service.id, providers[0].id if providers else "", today, end)


class LineEditor(Vertical):
    """One service of the package on the form: its provider, dates, cost, and visits or quantity."""

    DEFAULT_CSS = """
    LineEditor { height: auto; border: round $panel; padding: 0 1; margin-bottom: 0; }
    LineEditor.ended { border: round $error; }
    LineEditor .line-row { height: 3; }
    LineEditor .line-row Label { padding: 1 1 0 0; width: auto; }
    LineEditor .w-prov { width: 1fr; }
    LineEditor .w-date { width: 16; }
    LineEditor .w-cost { width: 12; }
    LineEditor .w-times { width: 1fr; }
    LineEditor .w-num { width: 9; }
    LineEditor .w-days { width: 22; }
    """

    def __init__(self, n: int, line: ServiceLine, zone_id: str, *, added: bool, found: LineView | None = None) -> None:
        super().__init__(id=f"line-{n}")
        self.n = n
        self.line = line
        self.zone_id = zone_id
        self.added = added
        self.ended = False
        self.found = found if found is not None and found.as_found else None
        """A service as arranged before versions: kept as it was (its dates and cost may change) or ended."""
        self.spec = catalogue.load().service(line.service) if self.found else catalogue.load().services[line.service]
        self.title_name = self.found.service_name if self.found else self.spec.name  # type: ignore[union-attr]

    def wid(self, field: str) -> str:
        """The id of one of this line's fields."""
        return f"s{self.n}-{field}"

    def _title(self) -> str:
        if self.ended:
            return f"{self.title_name} ENDS with this change (Ctrl+L keeps it)"
        if self.added:
            return f"{self.title_name} (new)"
        return f"{self.title_name} (line {self.line.line}" + (", as arranged before versions)" if self.found else ")")

    def _compose_found(self, found: LineView) -> ComposeResult:
        """A service as arranged before versions: its words as they were; its dates and cost a week may change."""
        s = self.line
        start = s.start_date if isinstance(s.start_date, str) else s.start_date.strftime("%d/%m/%Y")
        end = "" if s.end_date is None else s.end_date if isinstance(s.end_date, str) else f"{s.end_date:%d/%m/%Y}"
        yield Label(
            f"{found.found or 'No details recorded'}, {found.provider_name}. To put it in the catalogue's terms "
            "(visit times, how many), end it (Ctrl+L) and add it with F8.",
            classes="found",
        )
        with Horizontal(classes="line-row"):
            yield Label("Start")
            yield Input(start, placeholder="dd/mm/yyyy", id=self.wid("start_date"), classes="w-date")
            yield Label("End")
            yield Input(end, placeholder="none", id=self.wid("end_date"), classes="w-date")
            yield Label("£ a week")
            yield Input(pounds(s.unit_cost_pence or 0), id=self.wid("unit_cost_pence"), classes="w-cost")
        for key in ("service", "provider", "start_date", "end_date", "unit_cost_pence", "line"):
            yield FieldError(id=f"{self.wid(key)}-error")

    def compose(self) -> ComposeResult:
        self.border_title = self._title()
        if self.found is not None:
            yield from self._compose_found(self.found)
            return
        s, spec = self.line, self.spec
        assert spec is not None
        providers = catalogue.load().providers_of(spec.id, self.zone_id)
        options = [(p.name, p.id) for p in providers]
        if s.provider and s.provider not in {p.id for p in providers}:
            known = catalogue.load().provider(s.provider)
            options.append((known.name if known else s.provider, s.provider))
        cost = s.unit_cost_pence if s.unit_cost_pence is not None else spec.unit_cost_pence
        start = s.start_date if isinstance(s.start_date, str) else s.start_date.strftime("%d/%m/%Y")
        end = "" if s.end_date is None else s.end_date if isinstance(s.end_date, str) else f"{s.end_date:%d/%m/%Y}"
        with Horizontal(classes="line-row"):
            yield Label("Provider")
            yield Select[str](options, value=s.provider or Select.NULL, id=self.wid("provider"), classes="w-prov")
            yield Label("Start")
            yield Input(start, placeholder="dd/mm/yyyy", id=self.wid("start_date"), classes="w-date")
            yield Label("End")
            yield Input(end, placeholder="none", id=self.wid("end_date"), classes="w-date")
            yield Label(f"£ per {spec.unit}")
            yield Input(pounds(cost), id=self.wid("unit_cost_pence"), classes="w-cost")
        if spec.form == "visits":
            with Horizontal(classes="line-row"):
                yield Label("Times")
                yield Input(", ".join(s.times), placeholder="08:00, 17:00", id=self.wid("times"), classes="w-times")
                yield Label("Minutes")
                yield Input(str(s.minutes), id=self.wid("minutes"), classes="w-num")
                yield Label("Carers")
                yield Input(str(s.carers), id=self.wid("carers"), classes="w-num")
                yield Label("Days")
                yield Input(days_text(s.days), placeholder="every day", id=self.wid("days"), classes="w-days")
        else:
            with Horizontal(classes="line-row"):
                label = "How many a week" if spec.form == "weekly" else "How many"
                yield Label(label if spec.form != "stay" else "Nights: from start to end")
                yield Input(str(s.quantity), id=self.wid("quantity"), classes="w-num")
        for key in ("service", "provider", "start_date", "end_date", "unit_cost_pence", "line"):
            yield FieldError(id=f"{self.wid(key)}-error")
        for key in ("times", "minutes", "carers", "days", "quantity"):
            yield FieldError(id=f"{self.wid(key)}-error")

    def on_mount(self) -> None:
        for err in self.query(FieldError):
            err.show(None)

    def first_field(self) -> Input:
        """Where the cursor goes when the line is added: its times, or how many."""
        key = "end_date" if self.spec is None or self.found else "times" if self.spec.form == "visits" else "quantity"
        return self.query_one(f"#{self.wid(key)}", Input)

    def set_ended(self, ended: bool) -> None:
        """Mark the line as ending with this change (or not)."""
        self.ended = ended
        self.set_class(ended, "ended")
        self.border_title = self._title()

    def value(self, problems: dict[str, str]) -> ServiceLine:
        """The line as typed; numbers that are not numbers are problems beside their field."""

        def text(field: str) -> str:
            return self.query_one(f"#{self.wid(field)}", Input).value

        def number(field: str, what: str) -> int:
            raw = text(field).strip()
            if not re.fullmatch(r"-?\d+", raw):
                problems[self.wid(field)] = f"Give {what} as a whole number."
                return 0
            return int(raw)

        cost = parse_pence(text("unit_cost_pence"))
        if cost is None:
            problems[self.wid("unit_cost_pence")] = "Give the unit cost in pounds, e.g. 24.50."
        if self.found is not None or self.spec is None:
            return replace(
                self.line, start_date=text("start_date"), end_date=text("end_date") or None, unit_cost_pence=cost
            )
        assert self.spec is not None
        provider = self.query_one(f"#{self.wid('provider')}", Select).value
        line = replace(
            self.line,
            provider=provider if isinstance(provider, str) else "",
            start_date=text("start_date"),
            end_date=text("end_date") or None,
            unit_cost_pence=cost,
        )
        if self.spec.form == "visits":
            times = tuple(t for t in re.split(r"[\s,]+", text("times").strip()) if t)
            line = replace(
                line,
                times=times,
                minutes=number("minutes", "the minutes of each visit"),
                carers=number("carers", "how many carers come"),
                days=parse_days(text("days")),
            )
        else:
            line = replace(line, quantity=number("quantity", "how many"))
        return line


class ServicePicker(DeskModalScreen[str | None]):
    """Which service to add: a letter picks it."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel", tooltip="Add nothing")]

    DEFAULT_CSS = """
    ServicePicker { align: center middle; }
    #service-picker {
        width: 80; height: auto; max-height: 95%; border: thick $accent; background: $surface; padding: 0 1;
    }
    #service-picker KeyChoice { max-height: 30; }
    """

    def compose(self) -> ComposeResult:
        keys = service_keys()
        cat = catalogue.load()
        with Vertical(id="service-picker"):
            yield Label("Add a service (a letter)", classes="dialog-title")
            yield KeyChoice(
                [
                    (keys[sid], sid, f"{s.name} (£{pounds(s.unit_cost_pence)} per {s.unit})")
                    for sid, s in cat.services.items()
                ],
                id="service",
            )

    def on_mount(self) -> None:
        choice = self.query_one(KeyChoice)
        choice.then = self._picked

    def _picked(self, choice: KeyChoice, value: str) -> None:
        """Straight after the letter: the picker closes with the service, before the next key is read."""
        self.dismiss(value)
        choice.focus()

    @on(KeyChoice.Chosen)
    def _chosen(self, event: KeyChoice.Chosen) -> None:
        event.stop()

    def action_cancel(self) -> None:
        self.dismiss(None)


class PackageChangeForm(DeskModalScreen[Outcome | None]):
    """The package as it should be, on an assessment, with a reason: arranged, routed, refused or clashing."""

    BINDINGS = [
        Binding("f10", "save", "Save", id="save", tooltip="Arrange the change on the assessment"),
        Binding("f8", "add_service", "Add service", id="add_service", tooltip="Add a service from the catalogue"),
        Binding(
            "ctrl+l", "end_line", "End service", id="end_line", tooltip="End (or keep) the service the cursor is in"
        ),
        Binding(
            "ctrl+n",
            "ask_new",
            "Ask for new assessment",
            id="ask_new",
            tooltip="Refer for a new assessment to the assessor's discipline (when the assessment is refused)",
        ),
        Binding(
            "f9",
            "on_top",
            "Apply mine on top",
            id="on_top",
            tooltip="Lay this desk's change over the other desk's (after a clash)",
        ),
        Binding("escape", "cancel", "Cancel", id="cancel", tooltip="Close without changing the package"),
    ]

    DEFAULT_CSS = """
    PackageChangeForm { align: center middle; }
    #change { width: 156; max-width: 99%; height: 96%; border: thick $accent; background: $surface; padding: 0 1; }
    #change-body { height: 1fr; }
    #clash { border: round $warning; height: auto; padding: 0 1; }
    #change-authority { height: auto; }
    #lines { height: auto; }
    #change-cost { height: auto; }
    """

    def __init__(self, start: ChangeStart, review: ForReview | None = None) -> None:
        super().__init__()
        self.start = start
        self.review = review
        """The review this change records, when opened from the review list."""
        self.package_id = start.package_id
        self.based_on = start.based_on
        self.count = 0
        self.refused_id: int | None = None
        self.clash: PackageChanged | None = None
        self.sent: list[LineEditor] = []

    def compose(self) -> ComposeResult:
        s = self.start
        with Vertical(id="change"):
            title = "Arrange a package"
            if s.current is not None:
                title = f"Change the package (version {s.based_on})" if s.current.saved else "Change the package"
            if self.review is not None:
                title += " at its review: saving records the review as changed"
            yield Label(title, classes="dialog-title", id="change-title")
            yield Static("", id="form-message", classes="form-message")
            yield Static("", id="clash")
            with VerticalScroll(id="change-body"):
                with Horizontal(classes="field", id="change-authority"):
                    yield Label("On the assessment", classes="field-label")
                    yield Select[str](
                        [(assessment_line(a), str(a.id)) for a in s.assessments],
                        value=str(s.chosen) if s.chosen is not None else Select.NULL,
                        prompt="Choose the assessment that authorises it",
                        id="assessment",
                    )
                yield FieldError(id="assessment-error")
                yield FieldError(id="package-error")
                yield Static("", id="change-cost")
                yield Vertical(id="lines")
                yield FieldError(id="services-error")
                with Horizontal(classes="field"):
                    yield Label("Concerns", classes="field-label")
                    yield TickBox("Safeguarding concern raised", id="safeguarding")
                    yield TickBox("Capacity in doubt / best interests", id="capacity")
                with Horizontal(classes="field"):
                    yield Label("Why", classes="field-label")
                    yield Input(placeholder="What the assessment found (F10 saves)", id="why")
                yield FieldError(id="why-error")
            yield Label(
                "F8 adds a service (a letter picks it), Ctrl+L ends the one the cursor is in, "
                "Enter goes to Why, F10 saves.",
                classes="hint",
            )
        yield KeyFooter()

    def on_mount(self) -> None:
        for err in self.query(FieldError):
            err.show(None)
        self.query_one("#form-message").display = False
        self.query_one("#clash").display = False
        lines = self.query_one("#lines", Vertical)
        cur = self.start.current
        for ln, view in zip(arrange.as_lines(cur), cur.lines, strict=True) if cur else ():
            lines.mount(self._editor(ln, added=False, found=view))
        self.call_after_refresh(self._cost)
        self.query_one("#why", Input).focus()

    def _editor(self, line: ServiceLine, *, added: bool, found: LineView | None = None) -> LineEditor:
        self.count += 1
        return LineEditor(self.count, line, self.start.zone_id, added=added, found=found)

    def _cost(self) -> None:
        cur = self.start.current
        text = Text()
        if cur is not None and cur.as_found and not cur.saved:
            text.append(
                f"Arranged before the desk kept versions: {arrange.money(cur.cost_per_week_pence)} a week. "
                "Its services are below as found; saving keeps them as version 1 (no assessment authorised "
                "them) and this change as version 2.",
                style="yellow",
            )
        elif cur is not None:
            text.append(
                f"Now: {cur.hours_per_week:g} hours of care a week, {arrange.money(cur.cost_per_week_pence)} a week",
                style="bold",
            )
            if cur.one_off_pence:
                text.append(f", {arrange.money(cur.one_off_pence)} one-off")
        elif self.start.package_id is not None:
            text.append(
                "This package was arranged before the desk kept versions and has no current services: "
                "F8 adds services on this assessment, which starts its versions.",
                style="yellow",
            )
        else:
            text.append("No package arranged on an assessment yet: F8 adds its first service.", style="dim")
        self.query_one("#change-cost", Static).update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "ask_new":
            return self.refused_id is not None
        if action == "on_top":
            return self.clash is not None
        return super().check_action(action, parameters)

    # --- adding and ending services -------------------------------------------

    @work(exclusive=True, group="add-service")
    async def action_add_service(self) -> None:
        chosen = await self.app.push_screen_wait(ServicePicker())
        if chosen is None:
            return
        spec = catalogue.load().services[chosen]
        editor = self._editor(new_line(spec, self.start.zone_id, clock.today()), added=True)
        await self.query_one("#lines", Vertical).mount(editor)
        editor.first_field().focus()
        editor.scroll_visible()

    def _editor_of_focus(self) -> LineEditor | None:
        node = self.focused
        while node is not None and not isinstance(node, LineEditor):
            node = node.parent  # type: ignore[assignment]
        return node

    def action_end_line(self) -> None:
        editor = self._editor_of_focus()
        if editor is None:
            self.notify("Put the cursor in the service to end (Tab to it), then Ctrl+L.")
            return
        if editor.added:
            editor.remove()
            self.query_one("#why", Input).focus()
            return
        editor.set_ended(not editor.ended)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        """Enter in a service's field goes to the reason; Enter in the reason saves."""
        event.stop()
        if event.input.id == "why":
            self.action_save()
        else:
            self.query_one("#why", Input).focus()

    # --- saving ------------------------------------------------------------------

    def gather(self) -> tuple[PackageChange | None, dict[str, str]]:
        """The form as a change, or the problems the screen itself can see."""
        problems: dict[str, str] = {}
        self.sent = [e for e in self.query(LineEditor) if not e.ended]
        lines = [e.value(problems) for e in self.sent]
        chosen = self.query_one("#assessment", Select).value
        if not isinstance(chosen, str):
            problems["assessment"] = "Choose the assessment that authorises the change."
        if problems or not isinstance(chosen, str):
            return None, problems
        return (
            PackageChange(
                person_id=self.start.person_id,
                assessment_id=int(chosen),
                services=tuple(lines),
                why=self.query_one("#why", Input).value,
                package_id=self.package_id,
                based_on=self.based_on,
                concerns=Concerns(
                    safeguarding=self.query_one("#safeguarding", TickBox).value,
                    capacity_in_doubt=self.query_one("#capacity", TickBox).value,
                ),
            ),
            problems,
        )

    def action_save(self) -> None:
        data, problems = self.gather()
        if data is None:
            self.show_problems(problems)
            return
        self.save(data)

    @work(thread=True, exclusive=True, group="package-change", exit_on_error=False)
    def save(self, data: PackageChange) -> None:
        app = self.desk
        actor = app.actor
        review = self.review
        try:
            with db.writing(app.engine) as session:
                if review is None:
                    outcome: Outcome | None = arrange.change(session, actor, data)
                else:
                    note = review.note or data.why.strip()
                    done = reviews.record(
                        session,
                        actor,
                        reviews.ReviewInput(review.review_id, review.expected_version, "changed", note, data),
                    )
                    outcome = done.result
        except authority.AuthorityRefused as exc:
            app.call_from_thread(self._refused, exc)
            return
        except PackageChanged as exc:
            app.call_from_thread(self._clashed, exc)
            return
        except InvalidForm as exc:
            app.call_from_thread(self.show_problems, exc.problems)
            return
        except DeskError as exc:
            app.call_from_thread(self.show_problems, {"_form": exc.message})
            return
        app.call_from_thread(self.dismiss, outcome)

    def _refused(self, exc: authority.AuthorityRefused) -> None:
        self.refused_id = exc.assessment_id
        self.show_problems(exc.problems)
        self.query_one("#form-message", Static).update(
            "Not saved: this assessment cannot authorise the change (see beside it). "
            "Ctrl+N asks for a new assessment; nothing typed is lost."
        )
        self.refresh_bindings()

    def _clashed(self, exc: PackageChanged) -> None:
        self.clash = exc
        text = Text(exc.message + "\n", style="bold")
        for d in exc.differences:
            text.append(f"  {d}\n")
        text.append("F9 applies your change on top of theirs (nothing of theirs is lost).", style="bold")
        clash = self.query_one("#clash", Static)
        clash.update(text)
        clash.display = True
        self.query_one("#form-message", Static).display = False
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="package-change", exit_on_error=False)
    def action_on_top(self) -> None:
        """This desk's change laid over the other desk's, and saved."""
        data, problems = self.app.call_from_thread(self.gather)
        if data is None:
            self.app.call_from_thread(self.show_problems, problems)
            return
        with db.reading(self.desk.engine) as session:
            mine = arrange.on_top(session, data)
        self.app.call_from_thread(self._laid_on_top, mine)

    def _laid_on_top(self, mine: PackageChange) -> None:
        self.based_on = mine.based_on
        self.clash = None
        self.refresh_bindings()
        self.save(mine)

    @work(thread=True, exclusive=True, group="ask-new", exit_on_error=False)
    def action_ask_new(self) -> None:
        """Refer the person for a new assessment to the refused assessment's discipline."""
        if self.refused_id is None:
            return
        app = self.desk
        why = app.call_from_thread(lambda: self.query_one("#why", Input).value)
        with db.writing(app.engine) as session:
            rid = authority.ask_for_new_assessment(session, app.actor, self.refused_id, why)
            rec = assessments.get(session, self.refused_id)
        app.call_from_thread(self._asked, rid, rec)

    def _asked(self, referral_id: int, rec: AssessmentRecord) -> None:
        self.refused_id = None
        self.refresh_bindings()
        message = (
            f"New assessment asked for: referral {referral_id} to {rec.role_label.lower()}s "
            f"(the assessment of {dates.nhs_style(rec.assessed_on)})."
        )
        self.query_one("#form-message", Static).update(message)
        self.notify(message, timeout=8)

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each message beside its field (a service's beside that service's field); nothing typed is cleared."""
        shown: dict[str, str] = {}
        for key, message in problems.items():
            m = re.fullmatch(r"services\[(\d+)\]\.(\w+)", key)
            if m and int(m.group(1)) < len(self.sent):
                shown[self.sent[int(m.group(1))].wid(m.group(2))] = message
            else:
                shown[key] = message
        for err in self.query(FieldError):
            err.show(shown.get((err.id or "").removesuffix("-error")))
        line = self.query_one("#form-message", Static)
        line.update(
            shown.get("_form")
            or shown.get("person")
            or shown.get("review")
            or shown.get("change")
            or "Not saved: put right what is said below. Nothing has been written; nothing typed is lost."
        )
        line.display = True
        for err in self.query(FieldError):
            key = (err.id or "").removesuffix("-error")
            if key in shown:
                found = self.query(f"#{key}")
                if found and found.first().focusable:
                    found.first().focus()
                break

    def action_cancel(self) -> None:
        self.dismiss(None)
