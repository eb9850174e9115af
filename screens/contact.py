"""Add a carer, relative or neighbour to a person's record."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from desk import db, phones
from desk.errors import InvalidInput
from desk.models import saved_id
from desk.services import people
from desk.services.recognise import CallerMatch, matches_for
from screens.form import FormDialog, text_field
from screens.key_footer import KeyFooter
from screens.widgets import TickBox

FIELDS = [
    ("name", "Name", "e.g. Jean Pascoe"),
    ("relationship", "Relationship", "e.g. daughter, neighbour"),
    ("phone", "Phone", "e.g. 07700 900123"),
]


def shared_with(matches: list[CallerMatch]) -> str:
    """Who else has a number, in words: 'Carer of Bill BRIMBLE: Rob Brimble (son); Betty BRIMBLE: NHS ...'."""
    return "; ".join(m.summary for m in matches)


class ContactForm(FormDialog):
    """A small form: who they are, how they are related, their number, whether they care.

    A number already on someone else's record is allowed (a son who cares
    for both parents, a care home's office) and the form says whose it is.
    """

    def __init__(self, person_id: int) -> None:
        super().__init__()
        self.person_id = person_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form"):
            yield from self.form_header("Add a contact")
            for key, label, placeholder in FIELDS:
                yield from text_field(key, label, placeholder)
            yield Static("", id="phone-shared", classes="field-note")
            with Horizontal(classes="field"):
                yield Label("", classes="field-label")
                yield TickBox("Is their carer", id="is_carer")
            yield Label("F10 saves; Escape closes without saving.", classes="hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#phone-shared", Static).display = False
        self.query_one("#name", Input).focus()

    def values(self) -> dict[str, Any]:
        return {key: self.query_one(f"#{key}", Input).value for key, _, _ in FIELDS}

    def problems_in(self, session: Session, values: dict[str, Any]) -> dict[str, str]:
        """The checks people.add_contact makes on each field, without saving."""
        problems: dict[str, str] = {}
        if not str(values.get("name", "")).strip():
            problems["name"] = "Contact's name is required."
        if not str(values.get("relationship", "")).strip():
            problems["relationship"] = "Say who they are to the person (daughter, neighbour, ...)."
        phone = str(values.get("phone", "")).strip()
        if phone:
            try:
                phones.parse(phone, "phone")
            except InvalidInput as exc:
                problems["phone"] = exc.message
        return problems

    # --- a number someone else already has ---------------------------------------

    @on(Input.Changed, "#phone")
    def _phone_typed(self, event: Input.Changed) -> None:
        self.look_up_phone(event.value)

    @work(thread=True, exclusive=True, group="phone-shared", exit_on_error=False)
    def look_up_phone(self, text: str) -> None:
        """Whose records already hold this number (none if it is not a whole number yet)."""
        phone = phones.try_parse(text)
        found: list[CallerMatch] = []
        if phone is not None:
            with db.reading(self.desk.engine) as session:
                found = matches_for(session, phone.e164)
        self.app.call_from_thread(self._show_shared, text, found)

    def _show_shared(self, text: str, found: list[CallerMatch]) -> None:
        if self.query_one("#phone", Input).value != text:
            return  # a newer keystroke's look-up will answer
        note = self.query_one("#phone-shared", Static)
        note.update(f"Also the number of: {shared_with(found)}. You can still add it here." if found else "")
        note.display = bool(found)

    # --- saving ---------------------------------------------------------------------

    def action_save(self) -> None:
        self.save(people.ContactDetails(**self.values(), is_carer=self.query_one("#is_carer", TickBox).value))

    @work(thread=True, exclusive=True, exit_on_error=False)
    def save(self, details: people.ContactDetails) -> None:
        actor = self.desk.actor
        phone = phones.try_parse(details.phone)

        def change(session: Session) -> tuple[int, list[CallerMatch]]:
            others = matches_for(session, phone.e164) if phone else []
            contact = people.add_contact(session, actor, self.person_id, details)
            return saved_id(contact.id), others

        saved = self.attempt_save(change)
        if saved is not None:
            self.app.call_from_thread(self._saved, *saved)

    def _saved(self, contact_id: int, others: list[CallerMatch]) -> None:
        if others:
            self.app.notify(
                f"Contact added. Their number is also on record for: {shared_with(others)}. "
                "A call from it will ask which of them is calling.",
                title="Shared number",
                severity="warning",
                timeout=12,
            )
        self.dismiss(contact_id)
