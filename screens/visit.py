"""Move a booked crisis visit on: on the way, arrived, assessed, or cancelled with a reason.

A letter picks the new state and, except for a cancellation, saves at once
(the time is now); a cancellation asks why first. The first arrival is the
referral's first contact, which stops its clock (the core does this).
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from desk import clock
from desk.crisis import escalation
from desk.crisis.escalation import BOOKING_STATES, BookingMove, BookingRow
from desk.vocabulary import DISCIPLINES
from screens.base import DeskModalScreen
from screens.form import show_beside_fields
from screens.key_choice import KeyChoice
from screens.widgets import FieldError

STATE_KEYS = {"on_the_way": "w", "arrived": "a", "assessed": "s", "cancelled": "x"}


class VisitMoveForm(DeskModalScreen[BookingRow | None]):
    """A visit's next state, now."""

    BINDINGS = [
        Binding("f10", "save", "Save", id="save", tooltip="Record the visit's new state"),
        Binding("escape", "cancel", "Cancel", id="cancel", tooltip="Close without changing the visit"),
    ]

    DEFAULT_CSS = """
    VisitMoveForm { align: center middle; }
    #visit { width: 80; height: auto; border: thick $accent; background: $surface; padding: 1 2; }
    """

    def __init__(self, booking: BookingRow) -> None:
        super().__init__()
        self.booking = booking

    def compose(self) -> ComposeResult:
        b = self.booking
        with Vertical(id="visit"):
            yield Label(
                f"Visit: {b.staff_name} ({DISCIPLINES.get(b.discipline, (b.discipline, ''))[0]}) "
                f"at {clock.local(b.visit_at):%H:%M}, {b.state_word.lower()}",
                classes="dialog-title",
            )
            yield Static("", id="form-message", classes="form-message")
            yield Label("Now it is (a letter)")
            yield KeyChoice([(key, state, BOOKING_STATES[state]) for state, key in STATE_KEYS.items()], id="state")
            yield FieldError(id="state-error")
            with Horizontal(classes="field"):
                yield Label("Why cancelled", classes="field-label")
                yield Input(placeholder="Only for a cancellation (Enter saves)", id="reason")
            yield FieldError(id="reason-error")
            yield FieldError(id="at-error")

    def on_mount(self) -> None:
        for err in self.query(FieldError):
            err.show(None)
        self.query_one("#form-message").display = False
        self.query_one("#state", KeyChoice).then = self._chosen
        self.query_one("#state").focus()

    def _chosen(self, choice: KeyChoice, value: str) -> None:
        """A cancellation asks why; any other state is saved at once."""
        if value == "cancelled":
            self.set_focus(self.query_one("#reason"))
        else:
            self.action_save()

    @on(Input.Submitted, "#reason")
    def _reason_done(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        state = self.query_one("#state", KeyChoice).value
        if state is None:
            self.show_problems({"state": "Choose what the visit is now: w, a, s or x."})
            return
        self.save(
            BookingMove(
                booking_id=self.booking.id,
                expected_version=self.booking.version,
                to_state=state,
                reason=self.query_one("#reason", Input).value,
            )
        )

    @work(thread=True, exclusive=True, group="visit", exit_on_error=False)
    def save(self, data: BookingMove) -> None:
        actor = self.desk.actor
        self.write_then_close(lambda session: escalation.move_booking(session, actor, data))

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each message beside its field; nothing typed is cleared."""
        show_beside_fields(self, problems, "Not changed: put right what is said below.")
        if "reason" in problems:
            self.query_one("#reason").focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
