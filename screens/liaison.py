"""Log a contact with a party about a crisis: who, who there, what was agreed (now, by whoever is at the desk).

One key opens it; a letter picks the party, Enter moves on through the
fields and saves. With no party chosen the message is beside the party list
and nothing is written; what was typed stays.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from desk.crisis import liaison
from desk.crisis.liaison import PARTIES, LiaisonInput, LiaisonRow
from screens.base import DeskModalScreen
from screens.form import show_beside_fields
from screens.key_choice import KeyChoice
from screens.widgets import FieldError

PARTY_KEYS = {
    "ambulance": "a",
    "gp": "g",
    "care_home": "c",
    "family": "f",
    "ward": "w",
    "police": "p",
    "out_of_hours": "o",
    "other": "x",
}
FIELDS = ("party", "contact", "agreed", "at")


class LiaisonForm(DeskModalScreen[LiaisonRow | None]):
    """One liaison entry on a crisis."""

    BINDINGS = [
        Binding("f10", "save", "Save", id="save", tooltip="Log the contact"),
        Binding("escape", "cancel", "Cancel", id="cancel", tooltip="Close without logging"),
    ]

    DEFAULT_CSS = """
    LiaisonForm { align: center middle; }
    #liaison { width: 90; height: auto; border: thick $accent; background: $surface; padding: 1 2; }
    """

    def __init__(self, crisis_id: int) -> None:
        super().__init__()
        self.crisis_id = crisis_id

    def compose(self) -> ComposeResult:
        with Vertical(id="liaison"):
            yield Label("Liaison log: a contact about this crisis", classes="dialog-title")
            yield Static("", id="form-message", classes="form-message")
            yield Label("Party (a letter)")
            yield KeyChoice([(PARTY_KEYS[k], k, label) for k, label in PARTIES.items()], id="party")
            yield FieldError(id="party-error")
            with Horizontal(classes="field"):
                yield Label("Who there", classes="field-label")
                yield Input(placeholder="e.g. crew 412, Dr Shah (Enter moves on)", id="contact")
            yield FieldError(id="contact-error")
            with Horizontal(classes="field"):
                yield Label("What was agreed", classes="field-label")
                yield Input(placeholder="e.g. crew stays until the nurse arrives (Enter saves)", id="agreed")
            yield FieldError(id="agreed-error")
            yield FieldError(id="at-error")

    def on_mount(self) -> None:
        for err in self.query(FieldError):
            err.show(None)
        self.query_one("#form-message").display = False
        self.query_one("#party", KeyChoice).then = self._party
        self.query_one("#party").focus()

    def _party(self, choice: KeyChoice, value: str) -> None:
        """Straight after the party is chosen (before the next key is read): on to who was there."""
        self.query_one("#party-error", FieldError).show(None)
        self.set_focus(self.query_one("#contact"))

    @on(Input.Submitted, "#contact")
    def _contact_done(self) -> None:
        self.query_one("#agreed").focus()

    @on(Input.Submitted, "#agreed")
    def _agreed_done(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        self.save(
            LiaisonInput(
                crisis_id=self.crisis_id,
                party=self.query_one("#party", KeyChoice).value or "",
                contact=self.query_one("#contact", Input).value,
                agreed=self.query_one("#agreed", Input).value,
            )
        )

    @work(thread=True, exclusive=True, group="liaison", exit_on_error=False)
    def save(self, data: LiaisonInput) -> None:
        actor = self.desk.actor
        self.write_then_close(lambda session: liaison.add_entry(session, actor, data))

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each message beside its field; the first bad field gets the focus; nothing typed is cleared."""
        show_beside_fields(self, problems, problems.get("crisis") or "Not logged: put right what is said below.")
        for key in FIELDS:
            if key in problems and key != "at":
                self.query_one(f"#{key}").focus()
                break

    def action_cancel(self) -> None:
        self.dismiss(None)
