"""Record a professional's assessment of a person: who, when, where, what they found, what they recommend.

The person record's key (A) opens it. The co-ordinator usually records an
assessment a nurse or therapist reported by phone: the form says it is
recorded on their behalf, and the record keeps both names. An assessment is
never edited: a mistake is put right by a new one that names the one it
corrects. It can close the assessment interval of one of the person's open
referrals. F10 saves; a problem shows beside its field and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, Select, Static

from desk import clock, dates, db
from desk.crisis import referrals
from desk.packages import assessments
from desk.packages.assessments import AssessmentInput, AssessmentRecord, FindingInput
from desk.rows import StaffRow
from desk.services import reference
from desk.vocabulary import AREAS_OF_NEED, ASSESSMENT_PLACES, ASSESSOR_ROLES
from screens.base import DeskModalScreen
from screens.form import show_beside_fields
from screens.intervals import parse_time
from screens.key_choice import KeyChoice
from screens.key_footer import KeyFooter
from screens.widgets import FieldError

PLACE_KEYS = {"home": "h", "ward": "w", "care_home": "c", "phone": "p"}
LEVEL_KEYS = {"n": "none", "l": "low", "m": "moderate", "h": "high", "c": "critical"}
"""A finding's level is typed as its first letter."""
AREA_IDS = {area: f"area-{i}" for i, area in enumerate(AREAS_OF_NEED)}


@dataclass(frozen=True)
class AssessmentStart:
    """What the form offers: the zone's assessors, the person's earlier assessments and open referrals."""

    person_id: int
    assessors: list[tuple[StaffRow, str]]
    """Each member of staff with each role they may assess in."""
    earlier: list[AssessmentRecord]
    open_referrals: list[referrals.OpenReferral]


def read_start(engine: object, person_id: int, zone_id: str) -> AssessmentStart:
    """Read what the form offers (in a worker thread)."""
    with db.reading(engine) as session:  # type: ignore[arg-type]
        staff = reference.staff(session, zone_id)
        earlier = assessments.for_person(session, person_id, limit=20)
        found = referrals.open_referrals(session, person_id)
    pairs = [(s, role) for s in staff for role, (_l, _d, holders) in ASSESSOR_ROLES.items() if s.role in holders]
    return AssessmentStart(person_id, pairs, earlier, found)


def assessment_line(rec: AssessmentRecord) -> str:
    """``01-Dec-2026 District nurse Debbie Aggett: personal care, medicines``."""
    areas = ", ".join(AREAS_OF_NEED[f.area].lower() for f in rec.findings) or "no areas of need recorded"
    mark = " (corrected)" if rec.corrected_by_id is not None else ""
    return f"{dates.nhs_style(rec.assessed_on)} {rec.role_label} {rec.assessor_name}{mark}: {areas}"


def parse_when(text: str) -> datetime | None:
    """``01/12/2026 09:30`` (or a time alone, today) on the office clock, as UTC; None if it is not one."""
    parts = text.strip().split()
    if not parts:
        return None
    day = clock.local(clock.now()).date()
    if len(parts) >= 2:
        parsed = dates.parse(" ".join(parts[:-1]))
        if parsed is None:
            return None
        day = parsed
    at = parse_time(parts[-1])
    if at is None:
        return None
    return datetime.combine(day, at, tzinfo=clock.LONDON).astimezone(UTC)


class AssessmentForm(DeskModalScreen[AssessmentRecord | None]):
    """An assessment recorded once, on the assessor's behalf, perhaps correcting an earlier one."""

    BINDINGS = [
        Binding("f10", "save", "Save", id="save", tooltip="Record the assessment (it is never edited after)"),
        Binding("escape", "cancel", "Cancel", id="cancel", tooltip="Close without recording anything"),
    ]

    DEFAULT_CSS = """
    AssessmentForm { align: center middle; }
    #assessment { width: 120; max-width: 98%; height: 95%; border: thick $accent; background: $surface; padding: 0 1; }
    #assessment-body { height: 1fr; }
    .finding { height: 1; margin-bottom: 1; }
    .finding Input { border: none; height: 1; padding: 0 1; background: $boost; }
    .finding Input:focus { background: $accent 40%; }
    .finding .finding-level { width: 5; margin-right: 1; }
    .finding .finding-note { width: 1fr; }
    .finding Label { width: 34; padding: 0 1 0 0; text-align: right; }
    """

    def __init__(self, start: AssessmentStart, *, recorder: str) -> None:
        super().__init__()
        self.start = start
        self.recorder = recorder

    def compose(self) -> ComposeResult:
        s = self.start
        with Vertical(id="assessment"):
            yield Label("Record an assessment", classes="dialog-title")
            yield Static(
                f"Recorded by {self.recorder} on the assessor's behalf: the record keeps whose assessment it is. "
                "Once saved it is never edited; a mistake is put right by a correction.",
                classes="hint",
                id="on-behalf",
            )
            yield Static("", id="form-message", classes="form-message")
            with VerticalScroll(id="assessment-body"):
                with Horizontal(classes="field"):
                    yield Label("Who assessed", classes="field-label")
                    yield Select[str](
                        [
                            (f"{staff.name}, {ASSESSOR_ROLES[role][0]}", f"{staff.id}:{role}")
                            for staff, role in s.assessors
                        ],
                        prompt="Choose the member of staff and their role",
                        id="assessor",
                    )
                yield FieldError(id="assessor-error")
                with Horizontal(classes="field"):
                    yield Label("When", classes="field-label")
                    yield Input(f"{clock.local(clock.now()):%d/%m/%Y %H:%M}", placeholder="dd/mm/yyyy HH:MM", id="at")
                yield FieldError(id="at-error")
                yield Label("Where (a letter)")
                yield KeyChoice([(PLACE_KEYS[k], k, label) for k, label in ASSESSMENT_PLACES.items()], id="place")
                yield FieldError(id="place-error")
                yield Label(
                    "What they found, by area of need: the level as a letter (n none, l low, m moderate, "
                    "h high, c critical); leave an area not assessed blank.",
                    classes="field-label-wide",
                )
                for area, label in AREAS_OF_NEED.items():
                    key = AREA_IDS[area]
                    with Horizontal(classes="finding"):
                        yield Label(label)
                        yield Input(placeholder="-", id=key, classes="finding-level", max_length=1)
                        yield Input(placeholder="What they found (optional)", id=f"{key}-note", classes="finding-note")
                    yield FieldError(id=f"{key}-error")
                yield FieldError(id="findings-error")
                with Horizontal(classes="field"):
                    yield Label("Recommendations", classes="field-label")
                    yield Input(placeholder="What they recommend, e.g. a morning call", id="recommendations")
                yield FieldError(id="recommendations-error")
                with Horizontal(classes="field"):
                    yield Label("Summary", classes="field-label")
                    yield Input(placeholder="In a line (optional)", id="summary")
                yield FieldError(id="summary-error")
                with Horizontal(classes="field"):
                    yield Label("Closes referral", classes="field-label")
                    yield Select[str](
                        [(r.label, str(r.intervals.referral_id)) for r in s.open_referrals],
                        prompt="None: no referral's assessment interval closed",
                        id="referral",
                    )
                yield FieldError(id="referral-error")
                with Horizontal(classes="field"):
                    yield Label("Corrects", classes="field-label")
                    yield Select[str](
                        [(assessment_line(a), str(a.id)) for a in s.earlier if a.corrected_by_id is None],
                        prompt="None: a new assessment",
                        id="corrects",
                    )
                yield FieldError(id="corrects-error")
                with Horizontal(classes="field"):
                    yield Label("What it corrects", classes="field-label")
                    yield Input(placeholder="A correction says what was wrong in the earlier one", id="correction_why")
                yield FieldError(id="correction_why-error")
            yield Label("F10 records it; Escape closes without recording.", classes="hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        for err in self.query(FieldError):
            err.show(None)
        self.query_one("#form-message").display = False
        self.query_one("#place", KeyChoice).then = self._place_chosen
        self.query_one("#assessor", Select).focus()

    def _place_chosen(self, choice: KeyChoice, value: str) -> None:
        """Straight after the place is chosen (before the next key is read): on to the first area of need."""
        self.query_one("#place-error", FieldError).show(None)
        self.set_focus(self.query_one(f"#{AREA_IDS['personal_care']}"))

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        """Enter moves on to the next field, as Tab does (F10 saves)."""
        event.stop()
        self.focus_next()

    def gather(self) -> tuple[AssessmentInput | None, dict[str, str], list[str]]:
        """The form as the desk's input, the problems the screen can see, and the areas in the order sent."""
        problems: dict[str, str] = {}
        chosen = self.query_one("#assessor", Select).value
        staff_id, role = 0, ""
        if isinstance(chosen, str) and ":" in chosen:
            sid, role = chosen.split(":", 1)
            staff_id = int(sid)
        else:
            problems["assessor"] = "Choose the member of staff who assessed, and their role."
        at = parse_when(self.query_one("#at", Input).value)
        if at is None:
            problems["at"] = "Give when they assessed as dd/mm/yyyy HH:MM, e.g. 01/12/2026 09:30."
        findings: list[FindingInput] = []
        order: list[str] = []
        for area in AREAS_OF_NEED:
            key = AREA_IDS[area]
            raw = self.query_one(f"#{key}", Input).value.strip().lower()
            note = self.query_one(f"#{key}-note", Input).value
            if not raw:
                if note.strip():
                    problems[key] = "Give the level for this area (n, l, m, h or c), or clear the note."
                continue
            level = LEVEL_KEYS.get(raw[0])
            if level is None:
                problems[key] = "The level is one letter: n none, l low, m moderate, h high, c critical."
                continue
            findings.append(FindingInput(area, level, note))
            order.append(area)
        referral_id: int | None = None
        referral_version: int | None = None
        ref = self.query_one("#referral", Select).value
        if isinstance(ref, str):
            referral_id = int(ref)
            referral_version = next(
                r.intervals.version for r in self.start.open_referrals if r.intervals.referral_id == referral_id
            )
        corrects = self.query_one("#corrects", Select).value
        if problems or at is None:
            return None, problems, order
        data = AssessmentInput(
            person_id=self.start.person_id,
            assessor_id=staff_id,
            assessor_role=role,
            at=at,
            place=self.query_one("#place", KeyChoice).value or "",
            findings=tuple(findings),
            recommendations=self.query_one("#recommendations", Input).value,
            summary=self.query_one("#summary", Input).value,
            corrects_id=int(corrects) if isinstance(corrects, str) else None,
            correction_why=self.query_one("#correction_why", Input).value,
            referral_id=referral_id,
            referral_version=referral_version,
        )
        return data, problems, order

    def action_save(self) -> None:
        data, problems, order = self.gather()
        self._order = order
        if data is None:
            self.show_problems(problems)
            return
        self.save(data)

    _order: list[str] = []

    @work(thread=True, exclusive=True, group="assessment", exit_on_error=False)
    def save(self, data: AssessmentInput) -> None:
        actor = self.desk.actor
        self.write_then_close(lambda session: assessments.record(session, actor, data))

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each message beside its field (a finding's beside its area); nothing typed is cleared."""
        shown: dict[str, str] = {}
        for key, message in problems.items():
            if key.startswith("findings[") and "]" in key:
                i = int(key[len("findings[") : key.index("]")])
                if i < len(self._order):
                    shown[AREA_IDS[self._order[i]]] = message
                    continue
            target = {"assessor_role": "assessor", "correction_why": "correction_why"}.get(key, key)
            shown[target] = f"{shown[target]} {message}" if target in shown else message
        show_beside_fields(self, shown, "Not recorded: put right what is said below. Nothing has been saved.")
        for err in self.query(FieldError):
            key = (err.id or "").removesuffix("-error")
            if key in shown:
                found = self.query(f"#{key}")
                if found and found.first().focusable:
                    found.first().focus()
                break

    def action_cancel(self) -> None:
        self.dismiss(None)
