"""The stay screen's dialogs: the plan, one task before the door, the delay reason, an assessment on the ward.

Each gathers what is typed, hands it to desk.discharge and closes on success.
What desk/ refuses (a discharge ready date before the admission or after
today, pathway 3 with no care home, a reason not in the national
categories) shows beside its field; nothing is written and nothing typed is
lost. A save another desk overtook says so in plain words.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, Select, Static

from desk import clock, dates
from desk.discharge import delays, stays
from desk.discharge.delays import DelayInput
from desk.discharge.stays import PlanInput, StayView, TaskInput, TaskRow
from desk.errors import StaleRecord
from desk.vocabulary import DELAY_REASONS, DISCHARGE_TASKS, PATHWAYS, TASK_STATES
from screens.admission import problems_beside
from screens.assessment import AssessmentForm
from screens.form import FormDialog
from screens.key_choice import KeyChoice
from screens.key_footer import KeyFooter
from screens.widgets import FieldError, TickBox

DATE_HINT = "dd/mm/yyyy, or blank"
STATE_KEYS = {"outstanding": "o", "in_hand": "i", "done": "d", "not_needed": "n"}
REASON_KEYS = dict(zip(DELAY_REASONS, "1234567890", strict=True))
"""A digit picks each of the ten national delay reasons."""
STALE = "Another desk changed this stay after you opened it: nothing was saved. Escape, and look again."


def date_field(raw: str, key: str, label: str, problems: dict[str, str]) -> date | None:
    """A typed date, or None when blank; a problem beside the field when it is not a date."""
    if not raw.strip():
        return None
    day = dates.parse(raw)
    if day is None:
        problems[key] = f"{label}: '{raw}' is not a date. Type it as {clock.today():%d/%m/%Y}."
    return day


def day_input(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


class StayForm(FormDialog):
    """A stay dialog: F10 saves through desk/, problems beside fields, a stale save in words."""

    def save_with(self, change: Any) -> None:
        """From a worker: write ``change`` and close with what it says, or show why not."""
        try:
            done = self.attempt_save(change)
        except StaleRecord:
            self.app.call_from_thread(self.show_problems, {"_form": STALE})
            return
        if done is not None:
            self.app.call_from_thread(self.dismiss, done)

    def attempt_save(self, change: Any) -> Any:
        """As FormDialog's, but a stale save is said as a stale save, not as a field's problem."""
        from desk import db
        from desk.errors import DeskError, InvalidForm

        app = self.desk
        try:
            with db.writing(app.engine) as session:
                return change(session) or True
        except InvalidForm as exc:
            app.call_from_thread(self.show_problems, exc.problems)
        except StaleRecord:
            raise
        except DeskError as exc:
            app.call_from_thread(self.show_problems, {"_form": exc.message})
        return None

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each message beside its field; nothing typed is cleared, nothing was saved."""
        problems_beside(self, problems, "Not saved: put right what is said below.")

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()


class PlanForm(StayForm):
    """The discharge plan from the ward's multidisciplinary meeting."""

    DEFAULT_CSS = """
    PlanForm #plan { width: 110; max-width: 98%; height: 95%; }
    PlanForm #plan-body { height: 1fr; }
    """

    def __init__(self, view: StayView, homes: list[tuple[int, str]]) -> None:
        super().__init__()
        self.view = view
        self.homes = homes

    def compose(self) -> ComposeResult:
        v = self.view
        with Vertical(id="plan", classes="dialog"):
            yield from self.form_header(f"The discharge plan: {v.name}, {v.ward}")
            with VerticalScroll(id="plan-body"):
                with Horizontal(classes="field"):
                    yield Label("Discharge ready date", classes="field-label")
                    yield Input(
                        day_input(v.ready_on),
                        placeholder=f"{DATE_HINT}: the day they no longer need the bed",
                        id="ready_on",
                    )
                yield FieldError(id="ready_on-error")
                yield Label("Pathway (a key)", classes="field-label-wide")
                yield KeyChoice([(k, k, label) for k, label in PATHWAYS.items()], value=v.pathway or None, id="pathway")
                yield FieldError(id="pathway-error")
                with Horizontal(classes="field"):
                    yield Label("", classes="field-label")
                    yield TickBox("Patient and family involved in the plan", v.involved, id="involved")
                with Horizontal(classes="field"):
                    yield Label("Involvement", classes="field-label")
                    yield Input(v.involved_note, placeholder="Who, and what they said (optional)", id="involved_note")
                yield FieldError(id="involved_note-error")
                with Horizontal(classes="field"):
                    yield Label("Package ready by", classes="field-label")
                    yield Input(day_input(v.going_home_on), placeholder=DATE_HINT, id="package_ready_by")
                yield FieldError(id="package_ready_by-error")
                with Horizontal(classes="field"):
                    yield Label("Care home (pathway 3)", classes="field-label")
                    yield Select[int](
                        [(name, oid) for oid, name in self.homes],
                        prompt="None: only pathway 3 places in a care home",
                        value=v.placement_id if v.placement_id else Select.NULL,
                        id="placement_id",
                    )
                yield FieldError(id="placement_id-error")
                with Horizontal(classes="field"):
                    yield Label("Placement note", classes="field-label")
                    yield Input(v.placement_note, placeholder="Optional", id="placement_note")
                yield FieldError(id="placement_note-error")
            yield Label("F10 saves the plan; Escape closes without saving.", classes="hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#form-message").display = False
        self.query_one("#pathway", KeyChoice).then = self._pathway_chosen
        self.query_one("#ready_on", Input).focus()

    def _pathway_chosen(self, choice: KeyChoice, value: str) -> None:
        self.query_one("#pathway-error", FieldError).show(None)
        self.set_focus(self.query_one("#placement_id" if value == "3" else "#involved"))

    def action_save(self) -> None:
        problems: dict[str, str] = {}
        ready_on = date_field(self.query_one("#ready_on", Input).value, "ready_on", "Discharge ready date", problems)
        ready_by = date_field(
            self.query_one("#package_ready_by", Input).value, "package_ready_by", "Package ready by", problems
        )
        if problems:
            self.show_problems(problems)
            return
        placement = self.query_one("#placement_id", Select).value
        data = PlanInput(
            admission_id=self.view.admission_id,
            expected_version=self.view.version,
            ready_on=ready_on,
            pathway=self.query_one("#pathway", KeyChoice).value or "",
            involved=self.query_one("#involved", TickBox).value,
            involved_note=self.query_one("#involved_note", Input).value.strip(),
            package_ready_by=ready_by,
            placement_id=placement if isinstance(placement, int) else None,
            placement_note=self.query_one("#placement_note", Input).value.strip(),
        )
        self.save(data)

    @work(thread=True, exclusive=True, group="plan", exit_on_error=False)
    def save(self, data: PlanInput) -> None:
        actor = self.desk.actor

        def change(session: Any) -> str:
            stays.plan(session, actor, data)
            drd = f"discharge ready {data.ready_on:%d-%b-%Y}" if data.ready_on else "no discharge ready date yet"
            path = f", pathway {data.pathway}" if data.pathway else ""
            return f"Plan saved: {drd}{path}."

        self.save_with(change)


class TaskForm(StayForm):
    """One thing before the door: its state (a key), who owns it, a note."""

    DEFAULT_CSS = """
    TaskForm #task { width: 90; max-width: 98%; height: auto; }
    """

    def __init__(self, task: TaskRow) -> None:
        super().__init__()
        self.row = task

    def compose(self) -> ComposeResult:
        t = self.row
        with Vertical(id="task", classes="dialog"):
            yield from self.form_header(f"Before the door: {t.label or DISCHARGE_TASKS.get(t.kind, t.kind)}")
            yield Label("State (a key)", classes="field-label-wide")
            yield KeyChoice(
                [(STATE_KEYS[k], k, label) for k, label in TASK_STATES.items()], value=t.state or None, id="state"
            )
            yield FieldError(id="state-error")
            with Horizontal(classes="field"):
                yield Label("Owner", classes="field-label")
                yield Input(t.owner or "", placeholder="Who is seeing to it", id="owner")
            yield FieldError(id="owner-error")
            with Horizontal(classes="field"):
                yield Label("Note", classes="field-label")
                yield Input(t.note or "", placeholder="Optional (Enter saves)", id="note")
            yield FieldError(id="note-error")
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#form-message").display = False
        self.query_one("#state", KeyChoice).then = lambda _c, _v: self.set_focus(self.query_one("#owner"))
        self.query_one("#state", KeyChoice).focus()

    @on(Input.Submitted, "#note")
    def _note_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        t = self.row
        data = TaskInput(
            task_id=t.task_id,
            expected_version=t.version,
            state=self.query_one("#state", KeyChoice).value or "",
            owner=self.query_one("#owner", Input).value.strip(),
            note=self.query_one("#note", Input).value.strip(),
        )
        self.save(data)

    @work(thread=True, exclusive=True, group="task", exit_on_error=False)
    def save(self, data: TaskInput) -> None:
        actor = self.desk.actor
        self.save_with(lambda session: stays.set_task(session, actor, data))


class DelayForm(StayForm):
    """Today's delay reason (a digit), who is acting, from which day."""

    DEFAULT_CSS = """
    DelayForm #delay { width: 100; max-width: 98%; height: 95%; }
    DelayForm #delay-body { height: 1fr; }
    """

    def __init__(self, view: StayView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        v = self.view
        with Vertical(id="delay", classes="dialog"):
            yield from self.form_header(f"Why {v.name} is still in hospital")
            with VerticalScroll(id="delay-body"):
                yield Label("Reason (a digit)", classes="field-label-wide")
                yield KeyChoice(
                    [(REASON_KEYS[k], k, label) for k, label in DELAY_REASONS.items()],
                    value=v.delay_reason_key or None,
                    id="reason",
                )
                yield FieldError(id="reason-error")
                with Horizontal(classes="field"):
                    yield Label("Who is acting", classes="field-label")
                    yield Input(v.delay_owner or "", placeholder="A name or a team", id="owner")
                yield FieldError(id="owner-error")
                with Horizontal(classes="field"):
                    yield Label("From day", classes="field-label")
                    yield Input(
                        f"{clock.today():%d/%m/%Y}",
                        placeholder="dd/mm/yyyy (today unless an earlier day)",
                        id="from_day",
                    )
                yield FieldError(id="from_day-error")
                with Horizontal(classes="field"):
                    yield Label("Note", classes="field-label")
                    yield Input(placeholder="Optional (Enter saves)", id="note")
                yield FieldError(id="note-error")
            yield Static(
                "Each day keeps the reason it had: an earlier day is changed only by giving it here.", classes="hint"
            )
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#form-message").display = False
        self.query_one("#reason", KeyChoice).then = lambda _c, _v: self.set_focus(self.query_one("#owner"))
        self.query_one("#reason", KeyChoice).focus()

    @on(Input.Submitted, "#note")
    def _note_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        problems: dict[str, str] = {}
        from_day = date_field(self.query_one("#from_day", Input).value, "from_day", "From day", problems)
        if problems:
            self.show_problems(problems)
            return
        data = DelayInput(
            admission_id=self.view.admission_id,
            reason=self.query_one("#reason", KeyChoice).value or "",
            owner=self.query_one("#owner", Input).value.strip(),
            from_day=from_day,
            note=self.query_one("#note", Input).value.strip(),
        )
        self.save(data)

    @work(thread=True, exclusive=True, group="delay", exit_on_error=False)
    def save(self, data: DelayInput) -> None:
        actor = self.desk.actor
        self.save_with(lambda session: delays.set_reason(session, actor, data))


class WardAssessmentForm(AssessmentForm):
    """The assessment form, opened on the ward: where it was made is already 'on a hospital ward'."""

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#place", KeyChoice).choose("ward", announce=False)
