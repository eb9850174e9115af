"""The discharge dialog (D on the ward screen or a stay): record that the patient left, and tell the zone.

It opens filled in: discharged now, and who the zone should ring (the
co-ordinator and the ward's number), so a discharge with the package
confirmed is D and F10. When the provider has not confirmed the package the
dialog says so at once and asks why the patient goes without it; the reason
is recorded with the discharge (desk.discharge.leaving.discharge refuses it
otherwise, and the dialog then shows the same question). What desk/ refuses
shows beside its field and nothing is written; a stay another desk changed
since it was read is said in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from desk import clock
from desk.discharge import leaving
from desk.discharge.leaving import Discharged, DischargeInput
from desk.errors import DeskError, InvalidForm, StaleRecord
from screens.admission import WHEN_HINT
from screens.assessment import parse_when
from screens.base import DeskModalScreen
from screens.key_footer import KeyFooter
from screens.widgets import FieldError

UNCONFIRMED = (
    "The provider has not confirmed the package. Give a reason to discharge without it "
    "(it is recorded with the discharge), or Escape and confirm the package first."
)
STALE = (
    "Another desk changed this stay after it was read: nothing was saved. "
    "Escape, and open it again to see what they changed."
)


@dataclass(frozen=True)
class DischargeStart:
    """What the dialog opens with, taken from the row or stay it was opened on."""

    admission_id: int
    version: int
    name: str
    ward: str
    who_to_ring: str
    package_unconfirmed: bool


def discharged_words(name: str, done: Discharged) -> str:
    """What the ward screen says once the discharge is recorded: what was put in place, the zone told."""
    words = f"{name} discharged; the zone is told (pick-up {done.pickup_id})"
    if done.put_in_place:
        words += f": {done.put_in_place}"
    if done.review_due_at is not None:
        words += f". Review due {clock.local(done.review_due_at):%d-%b-%Y}"
    return words + "."


class DischargeScreen(DeskModalScreen[str | None]):
    """Discharged at, who to ring, a note; why without the provider's confirmation when it is missing."""

    BINDINGS = [
        Binding("f10", "save", "Record", id="save", tooltip="Record the discharge and tell the zone"),
        Binding("ctrl+s", "save", "Record", id="save_alt", show=False),
        Binding("escape", "cancel", "Cancel", id="cancel", tooltip="Close without recording the discharge"),
    ]

    DEFAULT_CSS = """
    DischargeScreen #discharge { width: 100; max-width: 98%; height: auto; }
    DischargeScreen #unconfirmed-warning { color: $warning; text-style: bold; }
    """

    def __init__(self, start: DischargeStart) -> None:
        super().__init__()
        self.start = start
        self.asking_why = start.package_unconfirmed

    def compose(self) -> ComposeResult:
        s = self.start
        with Vertical(id="discharge", classes="dialog"):
            yield Label(f"Discharge: {s.name} from {s.ward}", classes="dialog-title")
            yield Static("", id="form-message", classes="form-message")
            yield Static(UNCONFIRMED, id="unconfirmed-warning")
            with Horizontal(classes="field", id="unconfirmed_why-field"):
                yield Label("Why without it", classes="field-label")
                yield Input(placeholder="e.g. family will cover the first evening", id="unconfirmed_why")
            yield FieldError(id="unconfirmed_why-error")
            with Horizontal(classes="field"):
                yield Label("Discharged at", classes="field-label")
                yield Input(f"{clock.local(clock.now()):%d/%m/%Y %H:%M}", placeholder=WHEN_HINT, id="discharged_at")
            yield FieldError(id="discharged_at-error")
            with Horizontal(classes="field"):
                yield Label("Who to ring", classes="field-label")
                yield Input(s.who_to_ring, placeholder="Name and number the zone rings", id="who_to_ring")
            yield FieldError(id="who_to_ring-error")
            with Horizontal(classes="field"):
                yield Label("Note", classes="field-label")
                yield Input(placeholder="Optional (Enter records)", id="note")
            yield FieldError(id="note-error")
            yield FieldError(id="general-error")
            yield Label("F10 records it and tells the zone; Escape closes.", classes="hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        for err in self.query(FieldError):
            err.show(None)
        self.query_one("#form-message").display = False
        self._ask_why(self.asking_why)
        self.query_one("#unconfirmed_why" if self.asking_why else "#note", Input).focus()

    def _ask_why(self, asking: bool) -> None:
        self.asking_why = asking
        self.query_one("#unconfirmed-warning").display = asking
        self.query_one("#unconfirmed_why-field").display = asking

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "note":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        raw = self.query_one("#discharged_at", Input).value
        at = parse_when(raw) if raw.strip() else clock.now()
        if at is None:
            self.show_problems({"discharged_at": f"'{raw}' is not a time: give {WHEN_HINT}, e.g. 01/12/2026 14:30."})
            return
        why = self.query_one("#unconfirmed_why", Input).value.strip() if self.asking_why else ""
        self.save(
            DischargeInput(
                admission_id=self.start.admission_id,
                expected_version=self.start.version,
                discharged_at=at,
                note=self.query_one("#note", Input).value.strip(),
                unconfirmed_why=why,
                who_to_ring=self.query_one("#who_to_ring", Input).value.strip(),
            )
        )

    @work(thread=True, exclusive=True, group="discharge", exit_on_error=False)
    def save(self, data: DischargeInput) -> None:
        from desk import db

        app = self.desk
        try:
            with db.writing(app.engine) as session:
                done = leaving.discharge(session, app.actor, data)
        except InvalidForm as exc:
            app.call_from_thread(self.show_problems, exc.problems)
            return
        except StaleRecord:
            app.call_from_thread(self.show_problems, {"_form": STALE})
            return
        except DeskError as exc:
            app.call_from_thread(self.show_problems, {"_form": exc.message})
            return
        app.call_from_thread(self.dismiss, discharged_words(self.start.name, done))

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each message beside its field (the package's question shown if it was asked); nothing typed is lost."""
        if "unconfirmed_why" in problems and not self.asking_why:
            self._ask_why(True)
        for err in self.query(FieldError):
            err.show(problems.get((err.id or "").removesuffix("-error")))
        fields = {"unconfirmed_why", "discharged_at", "who_to_ring", "note"}
        general = " ".join(m for k, m in problems.items() if k not in fields)
        self.query_one("#general-error", FieldError).show(general or None)
        message = self.query_one("#form-message", Static)
        message.update("Not recorded: put right what is said below. Nothing has been saved.")
        message.display = True
        for key in ("unconfirmed_why", "discharged_at", "who_to_ring", "note"):
            if key in problems:
                self.query_one(f"#{key}", Input).focus()
                break

    def action_cancel(self) -> None:
        self.dismiss(None)
