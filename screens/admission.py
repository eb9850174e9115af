"""Record an admission from the ward screen (N): who, which ward, admitted when, and why.

The person is found on the register as anywhere else on the desk (a name,
NHS number, date of birth, postcode or phone); the ward is a digit from the
list, the co-ordinator's own first (the first of them marked: Enter keeps
it); admitted at is now unless typed. F10
saves: the desk suspends the person's package from that day and lists the
providers to tell (desk.discharge.stays.admit). A problem shows beside its
field and nothing is written; nothing typed is lost.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, Static

from desk import clock
from desk.discharge import stays
from desk.discharge.stays import AdmissionInput
from screens.assessment import parse_when
from screens.form import FormDialog
from screens.key_choice import KeyChoice
from screens.key_footer import KeyFooter
from screens.widgets import FieldError, PersonFinder

WHEN_HINT = "dd/mm/yyyy HH:MM, or a time alone for today"


def ward_keys(wards: list[tuple[int, str]]) -> list[tuple[str, str, str]]:
    """Each ward with the key that picks it: 1 to 9, then letters."""
    keys = "123456789abcefghijklmopqrstuvxyz"
    return [(keys[i], str(ward_id), name) for i, (ward_id, name) in enumerate(wards[: len(keys)])]


def problems_beside(form: FormDialog, problems: dict[str, str], summary: str) -> None:
    """Each problem beside its field; any without a field of its own goes in the line at the top."""
    fields = {(e.id or "").removesuffix("-error") for e in form.query(FieldError)}
    for err in form.query(FieldError):
        err.show(problems.get((err.id or "").removesuffix("-error")))
    loose = [m for k, m in problems.items() if k not in fields]
    message = form.query_one("#form-message", Static)
    message.update(" ".join([summary, *loose]))
    message.display = True
    for key in problems:
        if key in fields:
            found = form.query(f"#{key}")
            if found and found.first().focusable:
                found.first().focus()
            break


class AdmissionForm(FormDialog):
    """An admission to a ward: the person, the ward, admitted at, why."""

    DEFAULT_CSS = """
    AdmissionForm #admission { width: 110; max-width: 98%; height: 95%; }
    AdmissionForm #admission-body { height: 1fr; }
    AdmissionForm PersonFinder { height: auto; }
    AdmissionForm #finder-results { height: auto; max-height: 8; }
    AdmissionForm #patient { padding: 0 1; text-style: bold; }
    """

    def __init__(self, wards: list[tuple[int, str]], *, ward_id: int | None = None) -> None:
        super().__init__()
        self.wards = wards
        self.ward_id = ward_id
        self.person_id: int | None = None
        self.person_name = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="admission", classes="dialog"):
            yield from self.form_header("Record an admission")
            with VerticalScroll(id="admission-body"):
                yield Label("Who (find them on the register; Enter picks)", classes="field-label-wide")
                yield PersonFinder(id="person_id")
                yield Static("Nobody chosen yet.", id="patient")
                yield FieldError(id="person_id-error")
                yield Label("Ward (a key)", classes="field-label-wide")
                yield KeyChoice(ward_keys(self.wards), value=str(self.ward_id) if self.ward_id else None, id="ward_id")
                yield FieldError(id="ward_id-error")
                with Horizontal(classes="field"):
                    yield Label("Admitted at", classes="field-label")
                    yield Input(f"{clock.local(clock.now()):%d/%m/%Y %H:%M}", placeholder=WHEN_HINT, id="admitted_at")
                yield FieldError(id="admitted_at-error")
                with Horizontal(classes="field"):
                    yield Label("Why", classes="field-label")
                    yield Input(placeholder="Why admitted, e.g. a fall at home (Enter saves)", id="reason")
                yield FieldError(id="reason-error")
            yield Label("F10 records it; Escape closes without recording.", classes="hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#form-message").display = False
        self.query_one("#ward_id", KeyChoice).then = self._ward_chosen
        self.query_one(PersonFinder).focus_input()

    @on(PersonFinder.Chosen)
    def _person_chosen(self, event: PersonFinder.Chosen) -> None:
        event.stop()
        self.person_id, self.person_name = event.person_id, event.name
        self.query_one("#patient", Static).update(f"Patient: {event.name}")
        self.query_one("#person_id-error", FieldError).show(None)
        self.set_focus(self.query_one("#ward_id", KeyChoice))  # its key, or Enter for the ward already marked

    def _ward_chosen(self, choice: KeyChoice, value: str) -> None:
        self.query_one("#ward_id-error", FieldError).show(None)
        self.set_focus(self.query_one("#reason"))

    @on(Input.Submitted, "#admitted_at, #reason")
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "reason":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        problems: dict[str, str] = {}
        if self.person_id is None:
            problems["person_id"] = "Find the patient on the register and pick them (Enter)."
        ward = self.query_one("#ward_id", KeyChoice).value
        if not ward:
            problems["ward_id"] = "Choose the ward (its key)."
        raw = self.query_one("#admitted_at", Input).value
        at = parse_when(raw) if raw.strip() else clock.now()
        if at is None:
            problems["admitted_at"] = f"'{raw}' is not a time: give {WHEN_HINT}, e.g. 01/12/2026 09:30."
        if problems or self.person_id is None or at is None or not ward:
            self.show_problems(problems)
            return
        self.save(AdmissionInput(self.person_id, int(ward), at, self.query_one("#reason", Input).value.strip()))

    @work(thread=True, exclusive=True, group="admission", exit_on_error=False)
    def save(self, data: AdmissionInput) -> None:
        actor = self.desk.actor
        done = self.attempt_save(lambda session: stays.admit(session, actor, data))
        if done is not None:
            self.app.call_from_thread(self.dismiss, done)

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each message beside its field; nothing typed is cleared, nothing was saved."""
        problems_beside(self, problems, "Not recorded: put right what is said below.")
