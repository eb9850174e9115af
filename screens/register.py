"""Register a new person, or change a person's details, on one form.

Every problem is shown beside its field at once; nothing is saved until the
whole form is right, and nothing typed is cleared by an error.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Checkbox, Input, Label, Select

from desk import dates, db, phones
from desk.services import people, reference
from desk.services.people import PersonRecord
from desk.vocabulary import SEXES
from screens.form import FormDialog, text_field
from screens.key_footer import KeyFooter
from screens.widgets import FieldError

TEXT_FIELDS: list[tuple[str, str, str]] = [
    # key, label, placeholder
    ("nhs_number", "NHS number", "999 123 4560"),
    ("family_name", "Family name", ""),
    ("given_name", "Given name", ""),
    ("date_of_birth", "Date of birth", "23/11/1944"),
    ("address", "Address", "12 Harbour View, Brixham"),
    ("postcode", "Postcode", "TQ5 9AB"),
    ("phone", "Phone", "0117 496 0123"),
    ("conditions", "Long-term conditions", "COPD, type 2 diabetes"),
]


class PersonForm(FormDialog):
    """The person form: new when given nothing, an edit when given a record."""

    def __init__(self, record: PersonRecord | None = None) -> None:
        super().__init__()
        self.record = record

    @property
    def editing(self) -> bool:
        return self.record is not None

    def compose(self) -> ComposeResult:
        title = f"Change details: {self.record.banner_name}" if self.record else "Register a new person"
        with Vertical(classes="dialog form"):
            yield from self.form_header(title)
            with VerticalScroll():
                for key, label, placeholder in TEXT_FIELDS:
                    yield from text_field(key, label, placeholder)
                with Horizontal(classes="field"):
                    yield Label("Sex", classes="field-label")
                    yield Select([(s, s) for s in SEXES], id="sex", prompt="Choose")
                with Horizontal(classes="field"):
                    yield Label("GP practice", classes="field-label")
                    yield Select([], id="practice_id", prompt="Choose the GP practice (it decides the zone)")
                yield FieldError(id="practice_id-error")
                with Horizontal(classes="field"):
                    yield Label("", classes="field-label")
                    yield Checkbox("Lives alone", id="lives_alone")
                if self.editing:
                    yield from text_field("why", "Why the change", "e.g. moved house, told by daughter")
            yield Label("F10 saves; Escape closes without saving.", classes="hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        if self.record is not None:
            r = self.record
            values = dict(
                nhs_number=r.nhs_display,
                family_name=r.family_name,
                given_name=r.given_name,
                date_of_birth=dates.nhs_style(r.date_of_birth),
                address=r.address,
                postcode=r.postcode,
                phone=r.phone,
                conditions=r.conditions,
            )
            for key, value in values.items():
                self.query_one(f"#{key}", Input).value = value
            if r.sex:
                self.query_one("#sex", Select).value = r.sex
            self.query_one("#lives_alone", Checkbox).value = r.lives_alone
        self.query_one("#nhs_number", Input).focus()
        self.load_practices()

    @work(thread=True, exit_on_error=False)
    def load_practices(self) -> None:
        with db.reading(self.desk.engine) as session:
            options = [(f"{p.name} ({p.ods_code}, {p.zone_id})", p.ods_code) for p in reference.practices(session)]
        self.app.call_from_thread(self._set_practices, options)

    def _set_practices(self, options: list[tuple[str, str]]) -> None:
        select = self.query_one("#practice_id", Select)
        select.set_options(options)
        if self.record is not None:
            select.value = self.record.practice_id

    def form(self) -> dict[str, Any]:
        """What is on the form now, as typed."""
        values: dict[str, Any] = {key: self.query_one(f"#{key}", Input).value for key, _, _ in TEXT_FIELDS}
        sex = self.query_one("#sex", Select).value
        practice = self.query_one("#practice_id", Select).value
        values["sex"] = "" if sex is Select.NULL else sex
        values["practice_id"] = "" if practice is Select.NULL else practice
        values["lives_alone"] = self.query_one("#lives_alone", Checkbox).value
        return values

    def action_save(self) -> None:
        why = self.query_one("#why", Input).value if self.editing else ""
        self.save(self.form(), why)

    @work(thread=True, exclusive=True, group="save-person", exit_on_error=False)
    def save(self, form: dict[str, Any], why: str) -> None:
        actor, record = self.desk.actor, self.record

        def change(session: Session) -> int:
            if record is None:
                return people.register(session, actor, form).id  # type: ignore[return-value]
            people.update(session, actor, record.id, form, expected_version=record.version, why=why)
            return record.id

        person_id = self.attempt_save(change)
        if person_id is None:
            return
        phone = phones.try_parse(str(form.get("phone", ""))) if form.get("phone") else None
        self.app.call_from_thread(self._saved, person_id, phone.warning if phone else None)

    def _saved(self, person_id: int, warning: str | None) -> None:
        self.app.notify("Saved." if self.editing else "Registered.", timeout=3)
        if warning:
            self.app.notify(f"Saved, but: {warning}", severity="warning", timeout=12)
        self.dismiss(person_id)
