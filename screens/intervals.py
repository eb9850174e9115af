"""Record one of a referral's three moments: first contact, assessment, services in place.

The person record's key (I) opens this for the person's open referrals. A
letter picks the moment (f, a, s) and the time, now unless changed, is saved
with Enter: who recorded it and when are kept with the referral. A time later
than now is taken as yesterday's (a moment is recorded after it happens).
"""

from __future__ import annotations

from datetime import time

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from desk import clock
from desk.crisis import referrals
from desk.crisis.referrals import MOMENT_LABELS, IntervalInput, Intervals, OpenReferral
from screens.base import DeskModalScreen
from screens.form import show_beside_fields
from screens.key_choice import KeyChoice
from screens.key_footer import KeyFooter
from screens.widgets import FieldError

MOMENT_KEYS = {"first_contact": "f", "assessment": "a", "services": "s"}


def referral_prompt(ref: OpenReferral) -> str:
    """One open referral with its clock and what has been recorded of it."""
    due = f", due {clock.local(ref.due_at):%d-%b %H:%M}" if ref.due_at else ""
    done = [
        f"{MOMENT_LABELS[m].lower()} {clock.local(at):%d-%b %H:%M}"
        for m in MOMENT_KEYS
        if (at := ref.recorded(m)) is not None
    ]
    return f"{ref.label}{due}; " + ("; ".join(done) if done else "nothing recorded yet")


def parse_time(text: str) -> time | None:
    """'14:30', '1430' or '14.30' as a time of day; None if it is not one."""
    raw = text.strip().replace(".", ":")
    if ":" not in raw and len(raw) in (3, 4) and raw.isdigit():
        raw = f"{raw[:-2]}:{raw[-2:]}"
    try:
        hh, mm = (int(x) for x in raw.split(":"))
        return time(hh, mm)
    except ValueError:
        return None


class IntervalsForm(DeskModalScreen[Intervals | None]):
    """Which referral, which moment, when: saved with who recorded it."""

    BINDINGS = [
        Binding("f10", "save", "Save", id="save", tooltip="Record the moment on the referral"),
        Binding("escape", "cancel", "Cancel", id="cancel", tooltip="Close without recording anything"),
    ]

    DEFAULT_CSS = """
    IntervalsForm { align: center middle; }
    #intervals { width: 110; height: auto; border: thick $accent; background: $surface; padding: 1 2; }
    """

    def __init__(self, open_referrals: list[OpenReferral]) -> None:
        super().__init__()
        self.open_referrals = open_referrals

    def compose(self) -> ComposeResult:
        with Vertical(id="intervals"):
            yield Label("Record a moment on a referral", classes="dialog-title")
            yield Static("", id="form-message", classes="form-message")
            yield Label("The referral (a digit)")
            yield KeyChoice(
                [(str(i), str(i), referral_prompt(r)) for i, r in enumerate(self.open_referrals[:9], start=1)],
                value="1" if len(self.open_referrals) == 1 else None,
                id="referral",
            )
            yield FieldError(id="referral-error")
            yield Label("What happened (a letter)")
            yield KeyChoice([(key, m, MOMENT_LABELS[m]) for m, key in MOMENT_KEYS.items()], id="moment")
            yield FieldError(id="moment-error")
            with Horizontal(classes="field"):
                yield Label("At", classes="field-label")
                yield Input(f"{clock.local(clock.now()):%H:%M}", placeholder="HH:MM (Enter saves)", id="at")
            yield FieldError(id="at-error")
            yield Label("F10 saves (Enter on the time too); Escape closes without saving.", classes="hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        for err in self.query(FieldError):
            err.show(None)
        self.query_one("#form-message").display = False
        for choice in self.query(KeyChoice):
            choice.then = self._chosen
        self.query_one("#moment" if len(self.open_referrals) == 1 else "#referral").focus()

    def _chosen(self, choice: KeyChoice, value: str) -> None:
        """Straight after a choice: its message goes and the focus moves on, before the next key is read."""
        self.query_one(f"#{choice.id}-error", FieldError).show(None)
        self.set_focus(self.query_one("#moment" if choice.id == "referral" else "#at"))

    @on(Input.Submitted, "#at")
    def _at_done(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        problems: dict[str, str] = {}
        chosen = self.query_one("#referral", KeyChoice).value
        moment = self.query_one("#moment", KeyChoice).value
        wall = parse_time(self.query_one("#at", Input).value)
        if chosen is None:
            problems["referral"] = "Choose the referral: its digit."
        if moment is None:
            problems["moment"] = "Choose what happened: f first contact, a assessment, s services in place."
        if wall is None:
            problems["at"] = "Give the time as HH:MM, e.g. 14:30."
        if problems or chosen is None or moment is None or wall is None:
            self.show_problems(problems)
            return
        ref = self.open_referrals[int(chosen) - 1].intervals
        data = IntervalInput(ref.referral_id, referrals.last_time_it_was(wall), ref.version)
        self.save(data, moment)

    @work(thread=True, exclusive=True, group="intervals", exit_on_error=False)
    def save(self, data: IntervalInput, moment: str) -> None:
        actor = self.desk.actor
        self.write_then_close(lambda session: referrals.record_moment(session, actor, data, moment))

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each message beside its field, the focus on the first; nothing typed is cleared."""
        show_beside_fields(self, problems, "Not recorded: put right what is said below. Nothing has been saved.")
        for key in ("referral", "moment", "at"):
            if key in problems:
                self.query_one(f"#{key}").focus()
                break

    def action_cancel(self) -> None:
        self.dismiss(None)
