"""Add a carer, relative or neighbour to a person's record."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Label

from desk.services import people
from screens.form import FormDialog, text_field
from screens.key_footer import KeyFooter

FIELDS = [
    ("name", "Name", "Jean Pascoe"),
    ("relationship", "Relationship", "daughter"),
    ("phone", "Phone", "07700 900123"),
]


class ContactForm(FormDialog):
    """A small form: who they are, how they are related, their number, whether they care."""

    def __init__(self, person_id: int) -> None:
        super().__init__()
        self.person_id = person_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form"):
            yield from self.form_header("Add a contact")
            for key, label, placeholder in FIELDS:
                yield from text_field(key, label, placeholder)
            with Horizontal(classes="field"):
                yield Label("", classes="field-label")
                yield Checkbox("Is their carer", id="is_carer")
            yield Label("F10 saves; Escape closes without saving.", classes="hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#name", Input).focus()

    def action_save(self) -> None:
        values = {key: self.query_one(f"#{key}", Input).value for key, _, _ in FIELDS}
        self.save(values, self.query_one("#is_carer", Checkbox).value)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def save(self, values: dict[str, str], is_carer: bool) -> None:
        actor = self.desk.actor
        contact_id = self.attempt_save(
            lambda session: people.add_contact(session, actor, self.person_id, is_carer=is_carer, **values).id
        )
        if contact_id is not None:
            self.app.call_from_thread(self.dismiss, contact_id)
