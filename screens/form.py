"""What every form on the desk does the same way: fields, problems, save and cancel."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.dom import DOMNode
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from desk import db
from desk.errors import DeskError, InvalidForm
from desk.plurals import counted
from screens.base import DeskModalScreen
from screens.widgets import FieldError

_T = TypeVar("_T")


def text_field(key: str, label: str, placeholder: str = "") -> Iterator[Widget]:
    """A labelled input with the line beneath it where its problem is shown."""
    with Horizontal(classes="field"):
        yield Label(label, classes="field-label")
        yield Input(placeholder=placeholder, id=key)
    yield FieldError(id=f"{key}-error")


def show_beside_fields(screen: DOMNode, problems: dict[str, str], summary: str) -> None:
    """Each problem beside its field and ``summary`` at the top (``#form-message``); nothing typed is cleared."""
    for err in screen.query(FieldError):
        err.show(problems.get(_field_of(err)))
    message = screen.query_one("#form-message", Static)
    message.update(summary)
    message.display = True


class FormDialog(DeskModalScreen[int | None]):
    """A modal form: F10 saves, Escape cancels, problems show beside their fields.

    Subclasses compose their fields (with :func:`text_field`) and implement
    ``action_save``; a save that fails calls :meth:`show_problems` with the
    messages from desk/, and nothing typed is cleared. A field whose problem
    is shown is checked again as it is corrected (:meth:`values` and
    :meth:`problems_in`), and its message goes as soon as it is right.
    """

    BINDINGS = [
        Binding("f10", "save", "Save", id="save", tooltip="Check and save the form"),
        Binding("ctrl+s", "save", "Save", id="save_alt", show=False),
        Binding("escape", "cancel", "Cancel", id="cancel", tooltip="Close without saving"),
    ]

    def form_header(self, title: str) -> ComposeResult:
        """The title and the line where a problem with the whole form is shown."""
        yield Label(title, classes="dialog-title")
        yield Static("", id="form-message", classes="form-message")

    def on_mount(self) -> None:
        for err in self.query(FieldError):
            err.show(None)

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each message beside its field; the first bad field gets the focus; nothing is cleared."""
        for err in self.query(FieldError):
            err.show(problems.get(_field_of(err)))
        self._summarise(problems)
        for key in problems:
            try:
                self.query_one(f"#{key}").focus()
                break
            except NoMatches:
                continue

    def _summarise(self, problems: dict[str, str]) -> None:
        """The line at the top: what is wrong with the whole form, or how many fields need putting right."""
        general = problems.get("_form") or problems.get("person")
        count = len([k for k in problems if k != "_form"])
        summary = general or (f"Not saved: {counted(count, 'thing')} to put right below." if count else "")
        self.query_one("#form-message", Static).update(summary)

    # --- an error goes as soon as its field is right ---------------------------

    def values(self) -> dict[str, Any]:
        """What is on the form now (read on the screen's thread, checked in a worker)."""
        return {}

    def problems_in(self, session: Session, values: dict[str, Any]) -> dict[str, str]:
        """Every problem with ``values`` by desk/'s rules, without saving anything."""
        return {}

    @on(Input.Changed)
    @on(Select.Changed)
    def _field_changed(self, event: Input.Changed | Select.Changed) -> None:
        key = event.control.id or ""
        try:
            shown = self.query_one(f"#{key}-error", FieldError).display
        except NoMatches:
            return
        if shown:
            self.recheck(self.values())

    @work(thread=True, exclusive=True, group="recheck", exit_on_error=False)
    def recheck(self, values: dict[str, Any]) -> None:
        """Check the form again for the fields whose problems are on screen."""
        with db.reading(self.desk.engine) as session:
            problems = self.problems_in(session, values)
        self.app.call_from_thread(self._rechecked, problems)

    def _rechecked(self, problems: dict[str, str]) -> None:
        still: dict[str, str] = {}
        for err in self.query(FieldError):
            if err.display:
                message = problems.get(_field_of(err))
                err.show(message)
                if message:
                    still[_field_of(err)] = message
        self._summarise(still)

    def attempt_save(self, change: Callable[[Session], _T]) -> _T | None:
        """Run ``change`` in one write transaction (call from a worker thread).

        What desk/ refuses is shown beside the fields and None returned;
        nothing was written and nothing typed is touched.
        """
        app = self.desk
        try:
            with db.writing(app.engine) as session:
                return change(session)
        except InvalidForm as exc:
            app.call_from_thread(self.show_problems, exc.problems)
        except DeskError as exc:
            app.call_from_thread(self.show_problems, {"_form": exc.message})
        return None

    def action_cancel(self) -> None:
        self.dismiss(None)


def _field_of(err: FieldError) -> str:
    return (err.id or "").removesuffix("-error")
