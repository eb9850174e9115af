"""Widgets several screens share."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Checkbox, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from desk import db
from desk.services import search as search_service
from desk.services.search import PersonHit
from screens.base import DeskModalScreen, desk_of
from screens.caseload_table import fit
from screens.key_footer import KeyFooter


def hit_line(hit: PersonHit) -> Text:
    """A search result as one scannable line; a long name ends in an ellipsis and never pushes the rest along."""
    line = Text()
    line.append(fit(hit.name, 28), style="bold")
    line.append(f" {hit.nhs_display}  ")
    line.append(f"{hit.date_of_birth:%d-%b-%Y} ({hit.age})  ")
    line.append(f"{hit.postcode:<9}", style="dim")
    line.append(f" {hit.practice}", style="dim")
    return line


class PersonFinder(Vertical):
    """A search box over the whole register with its results beneath.

    Searches run in a worker as you type; Down moves into the results and
    Enter chooses one, which posts :class:`PersonFinder.Chosen`.
    """

    BINDINGS = [Binding("down", "focus_results", "Results", show=False)]

    @dataclass
    class Chosen(Message):
        """A person was picked from the results."""

        person_id: int
        name: str

    def __init__(
        self,
        placeholder: str = "Name, NHS number, date of birth, postcode or phone",
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.placeholder = placeholder
        self.hits: list[PersonHit] = []

    def compose(self) -> ComposeResult:
        yield Input(placeholder=self.placeholder, id="finder-input")
        yield Static("", id="finder-status", classes="hint")
        yield OptionList(id="finder-results")

    def focus_input(self) -> None:
        self.query_one("#finder-input", Input).focus()

    def action_focus_results(self) -> None:
        results = self.query_one("#finder-results", OptionList)
        if results.option_count:
            results.focus()
            results.highlighted = results.highlighted or 0

    @on(Input.Changed, "#finder-input")
    def _typed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    @on(Input.Submitted, "#finder-input")
    def _submitted(self, event: Input.Submitted) -> None:
        if len(self.hits) == 1:
            self._choose(0)
        else:
            self.action_focus_results()

    @work(thread=True, exclusive=True, group="person-search", exit_on_error=False)
    def run_search(self, text: str) -> None:
        with db.reading(desk_of(self).engine) as session:
            hits = search_service.search(session, text, limit=30)
        self.app.call_from_thread(self._show, text, hits)

    def _show(self, text: str, hits: list[PersonHit]) -> None:
        if self.query_one("#finder-input", Input).value != text:
            return  # a newer keystroke's search will answer
        self.hits = hits
        results = self.query_one("#finder-results", OptionList)
        results.clear_options()
        results.add_options([Option(hit_line(h), id=str(h.person_id)) for h in hits])
        status = self.query_one("#finder-status", Static)
        if not text.strip():
            status.update("")
        elif not hits:
            kind = search_service.classify(text)
            status.update(f"Nobody found by {kind}. F4 registers a new person.")
        else:
            more = " (first 30: type more to narrow)" if len(hits) == 30 else ""
            status.update(f"{len(hits)} found{more}. Down to choose, Enter to pick.")

    @on(OptionList.OptionSelected, "#finder-results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option_index)

    def _choose(self, index: int) -> None:
        hit = self.hits[index]
        self.post_message(self.Chosen(hit.person_id, hit.name))


ELLIPSIS = "…"


def shorten(text: str, width: int) -> str:
    """``text`` on one line in ``width`` characters, ending with an ellipsis when anything was cut."""
    line = " ".join(text.split())
    if len(line) <= width:
        return line
    return line[: max(0, width - 1)].rstrip() + ELLIPSIS


class FullText(DeskModalScreen[None]):
    """The whole of a text a list or header could only show the start of; Escape closes."""

    BINDINGS = [Binding("escape", "close", "Close", id="close", tooltip="Back to where you were")]

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll(id="full-text-body"):
                yield Static(self.body, id="full-text", markup=False)
            yield Label("Escape closes.", classes="hint")
        yield KeyFooter()

    def action_close(self) -> None:
        self.dismiss(None)


class FieldError(Static):
    """The message under a form field that says what is wrong with it."""

    DEFAULT_CLASSES = "field-error"

    def show(self, message: str | None) -> None:
        self.update(message or "")
        self.display = bool(message)


class NotesArea(TextArea):
    """A text area that leaves the desk's own keys to the desk.

    TextArea binds F6 (select line) and F7 (select all) itself, hidden, so
    with the notes focused F6 would not answer the ringing line nor F7 show
    the unfinished calls, and the footer would leave them out. Any of its
    bindings on a key the app binds is turned off here, so the app's works.
    """

    _shadowing: frozenset[str] | None = None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self._actions_on_desk_keys():
            return False  # the key falls through to the app's binding, which the footer then shows
        return super().check_action(action, parameters)

    def _actions_on_desk_keys(self) -> frozenset[str]:
        if self._shadowing is None:
            desk_keys = {key for b in self.app.BINDINGS if isinstance(b, Binding) for key in _keys(b)}
            self._shadowing = frozenset(
                b.action for b in TextArea.BINDINGS if isinstance(b, Binding) and desk_keys & _keys(b)
            )
        return self._shadowing


def _keys(binding: Binding) -> set[str]:
    return {key.strip() for key in binding.key.split(",")}


class TickBox(Checkbox):
    """A checkbox that says its state in characters, ``[x]`` or ``[ ]``.

    Textual's draws the same X whether ticked or not and tells them apart by
    colour alone, which a plain text terminal (or a colour-blind reader) loses.
    """

    @property
    def _button(self) -> Content:
        return Content.styled("[x]" if self.value else "[ ]", "bold")
