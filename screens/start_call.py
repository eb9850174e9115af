"""Take a call by hand: type the caller's number, see who it is, start logging."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from desk import db
from desk.errors import DeskError
from desk.models import saved_id
from desk.services import calls
from desk.services.recognise import Recognition, recognise
from screens.base import DeskModalScreen
from screens.key_footer import KeyFooter


class StartCallScreen(DeskModalScreen[int | None]):
    """Ask for the number (blank when withheld), recognise it as it is typed, then start."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
    ]

    def __init__(self, person_id: int | None = None) -> None:
        super().__init__()
        self.person_id = person_id
        self.recognition: Recognition | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Take a call", classes="dialog-title")
            yield Static("Caller's number as the phone shows it (any UK form); blank if withheld.", classes="hint")
            yield Input(placeholder="e.g. 0117 496 0123, or 999 for ambulance control", id="number")
            yield Static("", id="recognition")
            yield Label("Enter starts the call; Escape closes.", classes="hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#number", Input).focus()

    @on(Input.Changed, "#number")
    def _typed(self, event: Input.Changed) -> None:
        self.look_up(event.value)

    @work(thread=True, exclusive=True, group="recognise", exit_on_error=False)
    def look_up(self, number: str) -> None:
        with db.reading(self.desk.engine) as session:
            found = recognise(session, number)
        self.app.call_from_thread(self._show, number, found)

    def _show(self, number: str, found: Recognition) -> None:
        if self.query_one("#number", Input).value != number:
            return
        self.recognition = found
        widget = self.query_one("#recognition", Static)
        if not number.strip():
            widget.update("Withheld number.")
            widget.set_classes("")
            return
        text = found.headline
        if found.warning:
            text += f"\n{found.warning}"
        widget.update(text)
        widget.set_classes("error" if found.problem else ("known" if found.known else ""))

    @on(Input.Submitted, "#number")
    def _submitted(self, event: Input.Submitted) -> None:
        self.start(event.value.strip())

    @work(thread=True, exclusive=True, group="start-call", exit_on_error=False)
    def start(self, number: str) -> None:
        app = self.desk
        try:
            with db.writing(app.engine) as session:
                call = calls.start(session, app.actor, app.zone_id, number=number)
                if self.person_id is not None and call.person_id is None:
                    calls.save_draft(session, saved_id(call.id), calls.CallDetails(person_id=self.person_id))
                call_id = call.id
        except DeskError as exc:
            app.call_from_thread(self._refused, exc.message)
            return
        app.call_from_thread(self.dismiss, call_id)

    def _refused(self, message: str) -> None:
        widget = self.query_one("#recognition", Static)
        widget.update(f"{message}\nCorrect it, or clear it if the number was withheld.")
        widget.set_classes("error")

    def action_cancel(self) -> None:
        self.dismiss(None)
