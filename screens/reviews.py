"""The review list: the zone's package reviews overdue, due and done, and recording one.

Overdue first, then due (today, or raised by the reminder watch and not yet
done), then the recently done. Each row says its state in a word as well as
a colour. Enter opens the person; R records the highlighted review: no
change, or end the package, in the dialog; a change opens the package change
form on the person's latest nurse or therapist assessment, carrying the
review, and saving it records the review as changed, naming the version it
made, and sets the next. A review recorded at any desk leaves every open list within
two seconds (the history's change mark).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Label, Static

from desk import clock
from desk.crisis.reminders import ReviewRow
from desk.packages import reviews
from desk.packages.reviews import ReviewDecision
from screens.base import DeskModalScreen

if TYPE_CHECKING:
    from screens.package_change import ChangeStart
from screens.form import show_beside_fields
from screens.header import DeskHeader
from screens.key_choice import KeyChoice
from screens.key_footer import KeyFooter
from screens.widgets import FieldError, shorten
from screens.zone_list import Line, ListTable, ZoneListScreen

STATE_STYLES = {"OVERDUE": "bold white on red", "DUE": "bold black on dark_orange", "DONE": "dim"}
"""A colour for each state; the word says the same for anyone who cannot see the colour."""
LABELS = {"state": "State", "due": "Due", "person": "Person", "kind": "Review", "zone": "Zone", "what": "Raised / done"}
FIXED = {"state": 8, "due": 17, "kind": 15, "zone": 5}
CELL_PADDING = 2
SCROLLBAR = 2
KINDS = {"first": "First review", "yearly": "Yearly review", "discharge": "After discharge"}
"""The review in a word or two: the first four weeks after a package starts or changes, then yearly;
and the review four weeks after a hospital discharge (desk.crisis.reminders.REVIEW_KINDS says it in full)."""


def column_widths(total: int) -> dict[str, int]:
    """Every column's width for a terminal ``total`` wide: the person and what happened share what is left."""
    room = total - len(LABELS) * CELL_PADDING - SCROLLBAR - sum(FIXED.values())
    widths = {**FIXED, "person": max(16, int(room * 0.4)), "what": max(16, room - max(16, int(room * 0.4)))}
    return {key: widths[key] for key in LABELS}


@dataclass(frozen=True)
class Listed:
    """One line of the list: the review, its state word, and what was decided if it is done."""

    row: ReviewRow
    state: str
    decision: ReviewDecision | None = None


def read_list(session: Session, zone_ids: list[str]) -> tuple[list[Listed], int]:
    """Overdue, due and done reviews of the zones, in that order, and how many more are upcoming."""
    out: list[Listed] = []
    upcoming = 0
    done: list[ReviewRow] = []
    for zone_id in zone_ids:
        listed = reviews.review_list(session, zone_id)
        out += [Listed(r, "OVERDUE") for r in listed.overdue]
        out += [Listed(r, "DUE") for r in listed.due]
        done += listed.done
        upcoming += len(listed.upcoming)
    out.sort(key=lambda item: (item.state != "OVERDUE", item.row.due_at))
    decided = reviews.decisions(session, [r.id for r in done])
    done.sort(key=lambda r: r.due_at, reverse=True)
    return out + [Listed(r, "DONE", decided.get(r.id)) for r in done], upcoming


class ReviewListScreen(ZoneListScreen[tuple[list[Listed], int]]):
    """The zone's package reviews; A for every zone of the trust."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("enter", "open", "Open", id="open", tooltip="Open the person's record"),
        Binding("r", "record", "Record review", id="record", tooltip="Record the highlighted review"),
        Binding("a", "all_zones", "All zones", id="all_zones", tooltip="This zone's reviews, or every zone's"),
        Binding("ctrl+r", "reload", "Refresh", id="reload"),
    ]
    LABELS = LABELS
    LOAD_GROUP = "review-list"

    def __init__(self, *, all_zones: bool = False) -> None:
        super().__init__(all_zones=all_zones)
        self.items: list[Listed] = []
        self.upcoming = 0

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Reading the reviews...", id="review-status")
        yield ListTable(id="reviews", cursor_type="row", zebra_stripes=True)
        yield self.live
        yield KeyFooter()

    def widths_for(self, total: int) -> dict[str, int]:
        return column_widths(total)

    def read(self, session: Session) -> tuple[list[Listed], int]:
        return read_list(session, self.zone_ids(session))

    def redraw(self) -> None:
        self.show((self.items, self.upcoming))

    def show(self, read: tuple[list[Listed], int]) -> None:
        """Draw the list (the reviews, and how many more are upcoming); the highlighted review stays highlighted."""
        items, upcoming = read
        self.items, self.upcoming = items, upcoming
        self.loaded += 1
        w = self._widths
        lines: list[Line] = []
        for item in items:
            r = item.row
            if item.decision is not None:
                at = f"{clock.local(item.decision.done_at):%d-%b} " if item.decision.done_at else ""
                what = f"{at}{item.decision.words}"
            elif r.raised_at is not None:
                what = f"Raised {clock.local(r.raised_at):%d-%b %H:%M} by {r.raised_by_desk}"
            else:
                what = "Not yet raised"
            cells: list[str | Text] = [
                Text(item.state, style=STATE_STYLES[item.state]),
                f"{clock.local(r.due_at):%a %d-%b-%Y}",
                shorten(r.person, w["person"]),
                KINDS.get(r.kind, r.kind),
                r.zone_id,
                shorten(what, w["what"]),
            ]
            lines.append((str(r.id), cells))
        self.fill(lines)
        overdue = sum(1 for i in items if i.state == "OVERDUE")
        due = sum(1 for i in items if i.state == "DUE")
        self.query_one("#review-status", Static).update(
            f"Package reviews, {self.where()}: {overdue} overdue, {due} due, {upcoming:,} more to come"
            + ("" if items else ". Nothing due or done yet.")
        )

    def _highlighted(self) -> Listed | None:
        table = self.query_one(DataTable)
        if not self.items or table.cursor_row >= len(self.items):
            return None
        return self.items[table.cursor_row]

    def action_open(self) -> None:
        item = self._highlighted()
        if item is not None:
            self.desk.open_person(item.row.person_id)

    def action_record(self) -> None:
        item = self._highlighted()
        if item is None:
            return
        if item.state == "DONE":
            self.notify("That review is already recorded.", severity="information")
            return
        self.app.push_screen(RecordReviewForm(item.row), self._recorded)

    def _recorded(self, result: reviews.ReviewDone | HandOver | None) -> None:
        if isinstance(result, HandOver):
            self.hand_over(result)
        elif result is not None:
            due = f" Next review {clock.local(result.next_due_at):%d-%b-%Y}." if result.next_due_at else ""
            self.notify(f"Review recorded: {reviews.outcome_words(result.outcome)}.{due}")
            self.load()

    @work(thread=True, exclusive=True, group="review-change", exit_on_error=False)
    def hand_over(self, handed: HandOver) -> None:
        """The person's assessments and package read now, then the change form carrying the review."""
        from screens.package_change import read_start

        start = read_start(self.desk.engine, handed.person_id)
        self.app.call_from_thread(self._ask_change, handed, start)

    def _ask_change(self, handed: HandOver, start: ChangeStart) -> None:
        from desk.packages.arrange import Arranged, Outcome, Routed
        from screens.package import OutcomeDialog, PackageScreen
        from screens.package_change import ForReview, PackageChangeForm

        if not start.assessments or start.package_id is None:
            self.desk.open_person(handed.person_id)
            self.notify(
                "No assessment to change the package on: A on the record records one, then R here again.",
                title="Review: change the package",
                severity="warning",
                timeout=12,
            )
            return

        def done(outcome: Outcome | None) -> None:
            self.load()
            if isinstance(outcome, Arranged):
                due = f"{clock.local(outcome.review_due_at):%d-%b-%Y}"
                self.notify(
                    f"Review recorded: {reviews.outcome_words('changed', outcome.version.number)}. Next review {due}."
                )
                self.app.push_screen(PackageScreen(handed.person_id, arranged=outcome))
            elif isinstance(outcome, Routed):
                self.app.push_screen(
                    OutcomeDialog(
                        "Review recorded: the change is referred to a social worker",
                        outcome.message + f" (referral {outcome.referral_id}, the assessment attached)",
                    )
                )

        review = ForReview(handed.review_id, handed.review_version, handed.note)
        self.app.push_screen(PackageChangeForm(start, review=review), done)


@dataclass(frozen=True)
class HandOver:
    """The review decided on a change: made on the package change form, which records the review when saved."""

    person_id: int
    review_id: int
    review_version: int
    """The review row's version, as the list read it: the change form records the review against it."""
    note: str = ""


OUTCOME_KEYS = {"no_change": "n", "changed": "c", "ended": "e"}


class RecordReviewForm(DeskModalScreen[reviews.ReviewDone | HandOver | None]):
    """Record one review: no change, a change on a new assessment, or end the package."""

    BINDINGS = [
        Binding("f10", "save", "Save", id="save", tooltip="Record the review"),
        Binding("escape", "cancel", "Cancel", id="cancel", tooltip="Close without recording"),
    ]

    DEFAULT_CSS = """
    RecordReviewForm { align: center middle; }
    #record-review { width: 90; height: auto; border: thick $accent; background: $surface; padding: 1 2; }
    """

    def __init__(self, row: ReviewRow) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        with Vertical(id="record-review"):
            yield Label(
                f"Review: {self.row.person}, due {clock.local(self.row.due_at):%d-%b-%Y}", classes="dialog-title"
            )
            yield Static("", id="form-message", classes="form-message")
            yield Label("Outcome (a letter)")
            yield KeyChoice([(OUTCOME_KEYS[k], k, label) for k, label in reviews.OUTCOMES.items()], id="outcome")
            yield FieldError(id="outcome-error")
            with Horizontal(classes="field"):
                yield Label("Note", classes="field-label")
                yield Input(placeholder="what was found; why, if it ends (Enter saves)", id="note")
            yield FieldError(id="note-error")
            yield FieldError(id="review-error")

    def on_mount(self) -> None:
        for err in self.query(FieldError):
            err.show(None)
        self.query_one("#form-message").display = False
        self.query_one("#outcome", KeyChoice).then = self._chosen
        self.query_one("#outcome").focus()

    def _chosen(self, choice: KeyChoice, value: str) -> None:
        self.query_one("#outcome-error", FieldError).show(None)
        self.set_focus(self.query_one("#note"))

    @on(Input.Submitted, "#note")
    def _note_done(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        outcome = self.query_one("#outcome", KeyChoice).value or ""
        if outcome == "changed":  # the change is made on the package form, which records this review
            note = self.query_one("#note", Input).value.strip()
            self.dismiss(HandOver(self.row.person_id, self.row.id, self.row.version, note))
            return
        self.save(
            reviews.ReviewInput(
                self.row.id, self.row.version, outcome, note=self.query_one("#note", Input).value.strip()
            )
        )

    @work(thread=True, exclusive=True, group="record-review", exit_on_error=False)
    def save(self, data: reviews.ReviewInput) -> None:
        actor = self.desk.actor
        self.write_then_close(lambda session: reviews.record(session, actor, data))

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each message beside its field; the first bad field gets the focus; nothing typed is cleared."""
        show_beside_fields(self, problems, problems.get("review") or "Not recorded: put right what is said below.")
        for key in ("outcome", "note"):
            if key in problems:
                self.query_one(f"#{key}").focus()
                break

    def action_cancel(self) -> None:
        self.dismiss(None)
