"""What every form on the desk does the same way: fields, problems, save and cancel."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from sqlmodel import Session
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from desk import db
from desk.errors import DeskError, InvalidForm
from screens.base import DeskModalScreen
from screens.widgets import FieldError

_T = TypeVar("_T")


def text_field(key: str, label: str, placeholder: str = "") -> Iterator[Widget]:
    """A labelled input with the line beneath it where its problem is shown."""
    with Horizontal(classes="field"):
        yield Label(label, classes="field-label")
        yield Input(placeholder=placeholder, id=key)
    yield FieldError(id=f"{key}-error")


class FormDialog(DeskModalScreen[int | None]):
    """A modal form: F10 saves, Escape cancels, problems show beside their fields.

    Subclasses compose their fields (with :func:`text_field`) and implement
    ``action_save``; a save that fails calls :meth:`show_problems` with the
    messages from desk/, and nothing typed is cleared.
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
            err.show(problems.get((err.id or "").removesuffix("-error")))
        general = problems.get("_form") or problems.get("person")
        count = len([k for k in problems if k != "_form"])
        self.query_one("#form-message", Static).update(general or f"Not saved: {count} thing(s) to put right below.")
        for key in problems:
            try:
                self.query_one(f"#{key}").focus()
                break
            except NoMatches:
                continue

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
