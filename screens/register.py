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
from textual.widgets import Input, Label, Select

from desk import dates, db, phones
from desk.errors import InvalidForm
from desk.models import saved_id
from desk.services import people, reference
from desk.services.people import PersonChanges, PersonRecord
from desk.vocabulary import SEXES
from screens.form import FormDialog, text_field
from screens.key_footer import KeyFooter
from screens.widgets import FieldError, TickBox

TEXT_FIELDS: list[tuple[str, str, str]] = [
    # key, label, example (shown in an empty field on a new registration, always as "e.g. ...")
    ("nhs_number", "NHS number", "e.g. 999 123 4560"),
    ("family_name", "Family name", "e.g. Pascoe"),
    ("given_name", "Given name", "e.g. Doris"),
    ("date_of_birth", "Date of birth", "e.g. 23/11/1944"),
    ("address", "Address", "e.g. 12 Harbour View, Brixham"),
    ("postcode", "Postcode", "e.g. TQ5 9AB"),
    ("phone", "Phone", "e.g. 0117 496 0123"),
    ("conditions", "Long-term conditions", "e.g. COPD, type 2 diabetes"),
]
NONE_RECORDED = "none recorded"  # an empty field on an edit: the person has none, no example to mistake for theirs


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
                for key, label, example in TEXT_FIELDS:
                    yield from text_field(key, label, NONE_RECORDED if self.editing else example)
                with Horizontal(classes="field"):
                    yield Label("Sex", classes="field-label")
                    yield Select([(s, s) for s in SEXES], id="sex", prompt="Choose")
                with Horizontal(classes="field"):
                    yield Label("GP practice", classes="field-label")
                    yield Select([], id="practice_id", prompt="Choose the GP practice (it decides the zone)")
                yield FieldError(id="practice_id-error")
                with Horizontal(classes="field"):
                    yield Label("", classes="field-label")
                    yield TickBox("Lives alone", id="lives_alone")
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
            self.query_one("#lives_alone", TickBox).value = r.lives_alone
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

    def form(self) -> people.PersonDetails:
        """What is on the form now, as typed."""
        typed = {key: self.query_one(f"#{key}", Input).value for key, _, _ in TEXT_FIELDS}
        sex = self.query_one("#sex", Select).value
        practice = self.query_one("#practice_id", Select).value
        return people.PersonDetails(
            **typed,
            sex="" if sex is Select.NULL else str(sex),
            practice_id="" if practice is Select.NULL else str(practice),
            lives_alone=self.query_one("#lives_alone", TickBox).value,
        )

    def values(self) -> dict[str, Any]:
        """The form and, on an edit, why it is changing."""
        return {"form": self.form(), "why": self.query_one("#why", Input).value if self.editing else ""}

    def problems_in(self, session: Session, values: dict[str, Any]) -> dict[str, str]:
        """desk/'s own checks of a person form (people.validate_person), nothing saved."""
        problems: dict[str, str] = {}
        try:
            people.validate_person(session, values["form"], person_id=self.record.id if self.record else None)
        except InvalidForm as exc:
            problems.update(exc.problems)
        if self.editing and not str(values.get("why", "")).strip():
            problems["why"] = "Say why the record is changing (e.g. 'moved house, told by daughter')."
        return problems

    def action_save(self) -> None:
        why = self.query_one("#why", Input).value if self.editing else ""
        self.save(self.form(), why)

    @work(thread=True, exclusive=True, group="save-person", exit_on_error=False)
    def save(self, form: people.PersonDetails, why: str) -> None:
        actor, record = self.desk.actor, self.record

        def change(session: Session) -> int:
            if record is None:
                return saved_id(people.register(session, actor, form).id)
            changes = PersonChanges.every_field(form)
            people.update(session, actor, record.id, changes, expected_version=record.version, why=why)
            return record.id

        person_id = self.attempt_save(change)
        if person_id is None:
            return
        phone = phones.try_parse(form.phone) if form.phone else None
        self.app.call_from_thread(self._saved, person_id, phone.warning if phone else None)

    def _saved(self, person_id: int, warning: str | None) -> None:
        self.app.notify("Saved." if self.editing else "Registered.", timeout=3)
        if warning:
            self.app.notify(f"Saved, but: {warning}", severity="warning", timeout=12)
        self.dismiss(person_id)
