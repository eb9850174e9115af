"""The duty roster: who is on duty in the zone, a week at a time, by day and discipline.

The zone manager moves between weeks ([ and ], or Left and Right), adds,
changes and removes shifts (a night shift ends the next morning) and marks
someone off sick or away. Every change goes through desk.crisis.roster, which
refuses bad input field by field and keeps who changed what in the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from rich.text import Text
from sqlmodel import Session, col, select
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Label, Select, Static

from desk import clock, dates, db
from desk.crisis import roster
from desk.crisis.roster import ABSENCE_KINDS, AbsenceInput, ShiftChange, ShiftInput, ShiftRemoval, ShiftRow
from desk.models import History, Staff
from desk.rows import StaffRow
from desk.services import reference
from desk.vocabulary import DISCIPLINES
from screens.base import DeskScreen
from screens.form import FormDialog, text_field
from screens.header import DeskHeader
from screens.key_footer import KeyFooter
from screens.widgets import FieldError, FullText, TickBox

ROLE_DISCIPLINE = {
    "nurse": "nursing",
    "physiotherapist": "physiotherapy",
    "occupational_therapist": "occupational_therapy",
    "social_worker": "social_work",
    "support_worker": "support",
}
"""The discipline a member of staff usually works in, proposed when none is chosen."""


def monday_of(day: date) -> date:
    """The Monday of the week ``day`` is in."""
    return day - timedelta(days=day.weekday())


def parse_clock(text: str) -> time | None:
    """A time of day as typed: 08:00, 8:00, 0800, 8; or None."""
    raw = text.strip().replace(".", ":")
    if not raw:
        return None
    if ":" not in raw:
        raw = f"{raw[:-2]}:{raw[-2:]}" if len(raw) > 2 else f"{raw}:00"
    hh, _, mm = raw.partition(":")
    if not (hh.isdigit() and mm.isdigit()) or not (0 <= int(hh) < 24 and 0 <= int(mm) < 60):
        return None
    return time(int(hh), int(mm))


def find_staff(team: list[StaffRow], typed: str) -> StaffRow | None:
    """The one member of the team a typed name means (whole name, or a part only one has), or None."""
    want = " ".join(typed.lower().split())
    if not want:
        return None
    exact = [s for s in team if s.name.lower() == want]
    if exact:
        return exact[0]
    partial = [s for s in team if want in s.name.lower()]
    return partial[0] if len(partial) == 1 else None


def shift_hours(row: ShiftRow) -> str:
    """From and to in local time, saying when a shift ends the next morning."""
    start, end = clock.local(row.starts_at), clock.local(row.ends_at)
    night = " (next day)" if end.date() != start.date() else ""
    return f"{start:%H:%M}-{end:%H:%M}{night}"


# --- the forms ------------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftTyped:
    """What the shift form holds, as typed."""

    who: str
    discipline: str
    day: str
    starts: str
    ends: str
    night: bool
    why: str = ""


class ShiftForm(FormDialog):
    """Add a shift, or change one (with why): who, discipline, day, from, to, and whether it ends next day."""

    def __init__(self, zone_id: str, team: list[StaffRow], day: date, shift: ShiftRow | None = None) -> None:
        super().__init__()
        self.zone_id = zone_id
        self.team = team
        self.day = day
        self.shift = shift

    def compose(self) -> ComposeResult:
        title = "Change a shift" if self.shift else "Add a shift"
        with Vertical(classes="dialog form"):
            yield from self.form_header(title)
            yield from text_field("staff_id", "Who", "a name from the team")
            yield Static("Team: " + ", ".join(f"{s.name} ({s.role_label})" for s in self.team), classes="field-note")
            with Horizontal(classes="field"):
                yield Label("Discipline", classes="field-label")
                yield Select(
                    [(label, key) for key, (label, _side) in DISCIPLINES.items()], id="discipline", prompt="Choose"
                )
            yield FieldError(id="discipline-error")
            yield from text_field("day", "Day", "e.g. 24/11/2026")
            yield from text_field("starts_at", "From", "e.g. 08:00")
            yield from text_field("ends_at", "To", "e.g. 16:00")
            with Horizontal(classes="field"):
                yield Label("", classes="field-label")
                yield TickBox("Night shift: ends the next morning", id="night")
            if self.shift is not None:
                yield from text_field("why", "Why", "e.g. swapped with Sam")
            yield Label("F10 saves; Escape closes without saving.", classes="hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        day = self.day
        if self.shift is not None:
            s = self.shift
            start, end = clock.local(s.starts_at), clock.local(s.ends_at)
            day = start.date()
            self.query_one("#staff_id", Input).value = s.staff_name
            self.query_one("#discipline", Select).value = s.discipline
            self.query_one("#starts_at", Input).value = f"{start:%H:%M}"
            self.query_one("#ends_at", Input).value = f"{end:%H:%M}"
            self.query_one("#night", TickBox).value = end.date() != start.date()
        self.query_one("#day", Input).value = f"{day:%d/%m/%Y}"
        self.query_one("#staff_id", Input).focus()

    def typed(self) -> ShiftTyped:
        """The form as it stands."""
        discipline = self.query_one("#discipline", Select).value
        return ShiftTyped(
            who=self.query_one("#staff_id", Input).value,
            discipline=discipline if isinstance(discipline, str) else "",
            day=self.query_one("#day", Input).value,
            starts=self.query_one("#starts_at", Input).value,
            ends=self.query_one("#ends_at", Input).value,
            night=self.query_one("#night", TickBox).value,
            why=self.query_one("#why", Input).value if self.shift is not None else "",
        )

    def values(self) -> dict[str, Any]:
        return {"typed": self.typed()}

    def problems_in(self, session: Session, values: dict[str, Any]) -> dict[str, str]:
        """What reading the form finds wrong (the roster's own checks run on save)."""
        return self.read(values["typed"])[1]

    def read(self, t: ShiftTyped) -> tuple[tuple[StaffRow, str, datetime, datetime] | None, dict[str, str]]:
        """The shift the form means, or what stops it being read, field by field."""
        problems: dict[str, str] = {}
        staff = find_staff(self.team, t.who)
        if staff is None:
            problems["staff_id"] = (
                f"Nobody called '{t.who.strip()}' in the zone's team: type a name from the list."
                if t.who.strip()
                else "Say who works the shift."
            )
        day = dates.parse(t.day)
        if day is None:
            problems["day"] = "Give the day as 24/11/2026."
        starts, ends = parse_clock(t.starts), parse_clock(t.ends)
        if starts is None:
            problems["starts_at"] = "Give the start as a time of day, e.g. 08:00."
        if ends is None:
            problems["ends_at"] = "Give the end as a time of day, e.g. 16:00."
        discipline = t.discipline or (ROLE_DISCIPLINE.get(staff.role, "") if staff else "")
        if not discipline:
            problems["discipline"] = "Choose the discipline they work in on this shift."
        if problems:
            return None, problems
        assert staff is not None and day is not None and starts is not None and ends is not None
        start_at = datetime.combine(day, starts, tzinfo=clock.LONDON)
        end_day = day + timedelta(days=1) if t.night else day
        return (staff, discipline, start_at, datetime.combine(end_day, ends, tzinfo=clock.LONDON)), {}

    def action_save(self) -> None:
        self.save(self.typed())

    @work(thread=True, exclusive=True, exit_on_error=False)
    def save(self, t: ShiftTyped) -> None:
        app = self.desk
        shift, problems = self.read(t)
        if shift is None:
            app.call_from_thread(self.show_problems, problems)
            return
        staff, discipline, start_at, end_at = shift
        actor = app.actor
        existing = self.shift

        def change(session: Session) -> ShiftRow:
            if existing is None:
                return roster.add_shift(
                    session, actor, ShiftInput(self.zone_id, staff.id, discipline, start_at, end_at)
                )
            return roster.change_shift(
                session,
                actor,
                ShiftChange(existing.id, existing.version, staff.id, discipline, start_at, end_at, t.why),
            )

        saved = self.attempt_save(change)
        if saved is not None:
            app.call_from_thread(self.dismiss, saved.id)


class RemoveShiftForm(FormDialog):
    """Take a shift off the roster, saying why."""

    def __init__(self, shift: ShiftRow) -> None:
        super().__init__()
        self.shift = shift

    def compose(self) -> ComposeResult:
        s = self.shift
        with Vertical(classes="dialog form"):
            yield from self.form_header("Remove a shift")
            yield Static(
                f"{s.staff_name}, {DISCIPLINES.get(s.discipline, (s.discipline, ''))[0].lower()}, "
                f"{clock.local(s.starts_at):%a %d-%b} {shift_hours(s)}",
                classes="field-note",
            )
            yield from text_field("why", "Why", "e.g. not needed: clinic cancelled")
            yield FieldError(id="shift-error")
            yield Label("F10 removes it; Escape keeps it.", classes="hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#why", Input).focus()

    def action_save(self) -> None:
        self.save(self.query_one("#why", Input).value)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def save(self, why: str) -> None:
        actor = self.desk.actor
        s = self.shift

        def change(session: Session) -> int:
            roster.remove_shift(session, actor, ShiftRemoval(s.id, s.version, why))
            return s.id

        if self.attempt_save(change) is not None:
            self.app.call_from_thread(self.dismiss, s.id)


@dataclass(frozen=True)
class AbsenceTyped:
    """What the absence form holds, as typed."""

    who: str
    kind: str
    first: str
    last: str
    note: str


class AbsenceForm(FormDialog):
    """Mark someone off sick, on leave or at training, from a first to a last day (whole days)."""

    def __init__(self, team: list[StaffRow], day: date, who: str = "") -> None:
        super().__init__()
        self.team = team
        self.day = day
        self.who = who

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form"):
            yield from self.form_header("Mark someone away")
            yield from text_field("staff_id", "Who", "a name from the team")
            yield Static("Team: " + ", ".join(s.name for s in self.team), classes="field-note")
            with Horizontal(classes="field"):
                yield Label("Why away", classes="field-label")
                yield Select([(label, key) for key, label in ABSENCE_KINDS.items()], id="kind", value="sick")
            yield FieldError(id="kind-error")
            yield from text_field("starts_at", "First day", "e.g. 24/11/2026")
            yield from text_field("ends_at", "Last day", "e.g. 25/11/2026")
            yield from text_field("note", "Note", "e.g. rang in at 07:10")
            yield Label("F10 saves; Escape closes without saving.", classes="hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#staff_id", Input).value = self.who
        self.query_one("#starts_at", Input).value = f"{self.day:%d/%m/%Y}"
        self.query_one("#ends_at", Input).value = f"{self.day:%d/%m/%Y}"
        self.query_one("#staff_id", Input).focus()

    def typed(self) -> AbsenceTyped:
        """The form as it stands."""
        kind = self.query_one("#kind", Select).value
        return AbsenceTyped(
            who=self.query_one("#staff_id", Input).value,
            kind=kind if isinstance(kind, str) else "",
            first=self.query_one("#starts_at", Input).value,
            last=self.query_one("#ends_at", Input).value,
            note=self.query_one("#note", Input).value,
        )

    def values(self) -> dict[str, Any]:
        return {"typed": self.typed()}

    def problems_in(self, session: Session, values: dict[str, Any]) -> dict[str, str]:
        return self.read(values["typed"])[1]

    def read(self, t: AbsenceTyped) -> tuple[AbsenceInput | None, dict[str, str]]:
        """The absence the form means, or what stops it being read."""
        problems: dict[str, str] = {}
        staff = find_staff(self.team, t.who)
        if staff is None:
            problems["staff_id"] = (
                f"Nobody called '{t.who.strip()}' in the zone's team: type a name from the list."
                if t.who.strip()
                else "Say who is away."
            )
        first, last = dates.parse(t.first), dates.parse(t.last)
        if first is None:
            problems["starts_at"] = "Give the first day as 24/11/2026."
        if last is None:
            problems["ends_at"] = "Give the last day as 25/11/2026."
        elif first is not None and last < first:
            problems["ends_at"] = "The last day cannot be before the first."
        if problems:
            return None, problems
        assert staff is not None and first is not None and last is not None
        start, _ = roster.day_bounds(first)
        _, end = roster.day_bounds(last)
        return AbsenceInput(staff.id, t.kind, start, end, t.note), {}

    def action_save(self) -> None:
        self.save(self.typed())

    @work(thread=True, exclusive=True, exit_on_error=False)
    def save(self, t: AbsenceTyped) -> None:
        absence, problems = self.read(t)
        if absence is None:
            self.app.call_from_thread(self.show_problems, problems)
            return
        actor = self.desk.actor
        saved = self.attempt_save(lambda session: roster.mark_absent(session, actor, absence))
        if saved is not None:
            self.app.call_from_thread(self.dismiss, saved.id)


# --- the screen -----------------------------------------------------------------------


@dataclass(frozen=True)
class RosterWeek:
    """One week of the zone's roster and the team it is drawn from."""

    monday: date
    shifts: list[ShiftRow]
    team: list[StaffRow]


COLUMNS = {"day": ("Day", 11), "discipline": ("Discipline", 22), "who": ("Who", 24), "hours": ("Hours", 24)}
AWAY_COLUMN = ("Away", 20)


class RosterScreen(DeskScreen[None]):
    """The zone's duty roster, a week at a time, by day and discipline."""

    CSS_PATH = "crisis.tcss"

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("left,[", "previous_week", "Last week", id="previous_week", key_display="[ or Left", priority=True),
        Binding("right,]", "next_week", "Next week", id="next_week", key_display="] or Right", priority=True),
        Binding("t", "this_week", "This week", id="this_week", tooltip="Back to the week with today in it"),
        Binding("a", "add_shift", "Add shift", id="add_shift", tooltip="Put someone on the roster for a shift"),
        Binding("c", "change_shift", "Change shift", id="change_shift", tooltip="Change the highlighted shift"),
        Binding("d", "remove_shift", "Remove shift", id="remove_shift", tooltip="Take the highlighted shift off"),
        Binding("s", "mark_absent", "Mark absent", id="mark_absent", tooltip="Mark someone off sick or away"),
        Binding("h", "history", "History", id="history", tooltip="Who changed the highlighted shift, when and why"),
        Binding("ctrl+r", "reload", "Refresh", id="reload"),
    ]

    def __init__(self, monday: date | None = None) -> None:
        super().__init__()
        self.monday = monday or monday_of(clock.today())
        self.week: RosterWeek | None = None
        self.rows: list[ShiftRow] = []

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("", id="roster-title", classes="screen-title")
        yield DataTable(id="roster", cursor_type="row", zebra_stripes=True)
        yield Static("", id="roster-note", classes="hint", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, (label, width) in (*COLUMNS.items(), ("away", AWAY_COLUMN)):
            table.add_column(label, key=key, width=width)
        table.focus()
        self.load()

    def action_reload(self) -> None:
        self.load()

    def action_previous_week(self) -> None:
        self.monday -= timedelta(days=7)
        self.load()

    def action_next_week(self) -> None:
        self.monday += timedelta(days=7)
        self.load()

    def action_this_week(self) -> None:
        self.monday = monday_of(clock.today())
        self.load()

    @work(thread=True, exclusive=True, group="roster", exit_on_error=False)
    def load(self) -> None:
        """The week's shifts and the zone's team, read together."""
        app = self.desk
        zone_id: str = app.zone_id
        monday = self.monday
        with db.reading(app.engine) as session:
            week = RosterWeek(monday, roster.week(session, zone_id, monday), reference.staff(session, zone_id))
        app.call_from_thread(self.show, week)

    def show(self, week: RosterWeek) -> None:
        """Draw the week: a row per shift, by day, then discipline, then start."""
        if week.monday != self.monday:
            return  # a newer week was asked for
        self.week = week
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        order = list(DISCIPLINES)
        shifts = sorted(
            week.shifts,
            key=lambda r: (
                clock.local(r.starts_at).date(),
                order.index(r.discipline) if r.discipline in order else 99,
                r.starts_at,
            ),
        )
        self.rows = shifts
        last_day: date | None = None
        for r in shifts:
            day = clock.local(r.starts_at).date()
            away = ABSENCE_KINDS.get(r.absence, "")
            table.add_row(
                f"{day:%a %d-%b}" if day != last_day else "",
                DISCIPLINES.get(r.discipline, (r.discipline, ""))[0],
                Text(r.staff_name, style="strike dim" if away else ""),
                shift_hours(r),
                Text(away.upper(), style="bold red") if away else "",
                key=str(r.id),
            )
            last_day = day
        if shifts:
            table.move_cursor(row=min(keep, len(shifts) - 1))
        sunday = week.monday + timedelta(days=6)
        this = " (this week)" if week.monday == monday_of(clock.today()) else ""
        away_count = sum(1 for r in shifts if r.absence)
        self.query_one("#roster-title", Static).update(
            f"Duty roster, zone {self.desk.zone_id}: week of {week.monday:%a %d-%b-%Y} to {sunday:%a %d-%b}{this}. "
            f"{len(shifts)} shifts" + (f", {away_count} with the person away" if away_count else "")
        )
        self.query_one("#roster-note", Static).update(
            "No shifts this week: A adds one." if not shifts else "[ and ] move a week; A adds, C changes, D removes."
        )

    def highlighted(self) -> ShiftRow | None:
        """The shift under the cursor, if any."""
        if not self.rows:
            return None
        row = self.query_one(DataTable).cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _day_for_new(self) -> date:
        """The day a new shift or absence starts on: the highlighted shift's, or today if in this week."""
        shift = self.highlighted()
        if shift is not None:
            return clock.local(shift.starts_at).date()
        today = clock.today()
        return today if monday_of(today) == self.monday else self.monday

    def _team(self) -> list[StaffRow]:
        return self.week.team if self.week else []

    def action_add_shift(self) -> None:
        self.desk.push_screen(ShiftForm(self.desk.zone_id, self._team(), self._day_for_new()), self._changed)

    def action_change_shift(self) -> None:
        shift = self.highlighted()
        if shift is None:
            self.notify("No shift highlighted: A adds one.")
            return
        self.app.push_screen(ShiftForm(shift.zone_id, self._team(), self._day_for_new(), shift), self._changed)

    def action_remove_shift(self) -> None:
        shift = self.highlighted()
        if shift is None:
            self.notify("No shift highlighted.")
            return
        self.app.push_screen(RemoveShiftForm(shift), self._changed)

    def action_mark_absent(self) -> None:
        shift = self.highlighted()
        who = shift.staff_name if shift else ""
        self.app.push_screen(AbsenceForm(self._team(), self._day_for_new(), who), self._changed)

    def _changed(self, saved: int | None) -> None:
        if saved is not None:
            self.load()

    def action_history(self) -> None:
        shift = self.highlighted()
        if shift is None:
            self.notify("No shift highlighted.")
            return
        self.show_history(shift)

    @work(thread=True, exclusive=True, group="roster-history", exit_on_error=False)
    def show_history(self, shift: ShiftRow) -> None:
        """The shift's history, and its person's absences, in words."""
        with db.reading(self.desk.engine) as session:
            text = shift_history(session, shift)
        self.app.call_from_thread(self.app.push_screen, FullText(f"History of {shift.staff_name}'s shift", text))

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_change_shift()


def shift_history(session: Session, shift: ShiftRow) -> str:
    """Who added and changed a shift, when and why, oldest first."""
    entries = session.exec(
        select(History, Staff.name)
        .join(Staff, col(Staff.id) == History.staff_id, isouter=True)
        .where(History.entity == "shift", History.entity_id == str(shift.id))
        .order_by(col(History.at), col(History.id))
    ).all()
    lines = []
    for h, name in entries:
        lines.append(f"{clock.local(h.at):%d-%b-%Y %H:%M}  {name or 'unknown'} at {h.desk}: {h.why}")
        lines += [f"    {change}" for change in _changes(h.before or {}, h.after or {})]
    return "\n".join(lines) or "No history recorded for this shift (it came with the roster as loaded)."


SHOWN_FIELDS = {"staff_id": "who (staff id)", "discipline": "discipline", "starts_at": "from", "ends_at": "to"}


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What a change altered, field by field, times as the office reads them."""
    out = []
    for key, label in SHOWN_FIELDS.items():
        was, now = before.get(key), after.get(key)
        if before and after and was != now:
            out.append(f"{label}: {_shown(was)} -> {_shown(now)}")
    return out


def _shown(value: Any) -> str:
    if isinstance(value, str) and len(value) >= 16 and value[10] == "T":
        return f"{clock.local(datetime.fromisoformat(value)):%a %d-%b %H:%M}"
    return str(value)
