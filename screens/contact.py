"""Add a carer, relative or neighbour to a person's record."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Footer, Input, Label, Static

from desk import db
from desk.errors import DeskError, InvalidForm
from desk.services import people
from screens.widgets import FieldError

FIELDS = [("name", "Name", "Jean Pascoe"), ("relationship", "Relationship", "daughter"), ("phone", "Phone", "07700 900123")]


class ContactForm(ModalScreen[int | None]):
    """A small form: who they are, how they are related, their number, whether they care."""

    BINDINGS = [
        Binding("f10", "save", "Save", id="save"),
        Binding("escape", "cancel", "Cancel", id="cancel"),
    ]

    def __init__(self, person_id: int) -> None:
        super().__init__()
        self.person_id = person_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form"):
            yield Label("Add a contact", classes="dialog-title")
            yield Static("", id="form-message", classes="form-message")
            for key, label, placeholder in FIELDS:
                with Horizontal(classes="field"):
                    yield Label(label, classes="field-label")
                    yield Input(placeholder=placeholder, id=key)
                yield FieldError(id=f"{key}-error")
            with Horizontal(classes="field"):
                yield Label("", classes="field-label")
                yield Checkbox("Is their carer", id="is_carer")
            yield Label("F10 saves; Escape closes without saving.", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        for err in self.query(FieldError):
            err.show(None)
        self.query_one("#name", Input).focus()

    def action_save(self) -> None:
        values = {key: self.query_one(f"#{key}", Input).value for key, _, _ in FIELDS}
        self.save(values, self.query_one("#is_carer", Checkbox).value)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def save(self, values: dict[str, str], is_carer: bool) -> None:
        app = self.app
        try:
            with db.writing(app.engine) as session:  # type: ignore[attr-defined]
                contact = people.add_contact(session, app.actor, self.person_id, is_carer=is_carer, **values)  # type: ignore[attr-defined]
                contact_id = contact.id
        except InvalidForm as exc:
            app.call_from_thread(self.show_problems, exc.problems)
            return
        except DeskError as exc:
            app.call_from_thread(self.show_problems, {"_form": exc.message})
            return
        app.call_from_thread(self.dismiss, contact_id)

    def show_problems(self, problems: dict[str, str]) -> None:
        for err in self.query(FieldError):
            err.show(problems.get((err.id or "").removesuffix("-error")))
        self.query_one("#form-message", Static).update(problems.get("_form") or problems.get("person") or "Not saved: put right what is marked below.")

    def action_cancel(self) -> None:
        self.dismiss(None)
