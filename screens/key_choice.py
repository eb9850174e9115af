"""A short list where one key picks an option: the crisis line is answered at speed.

Each option carries its key, shown before it ("1  A fall with no serious
injury"); pressing that key with the list focused chooses it, as does moving to
it and pressing Enter. The chosen option is marked, and the list says so with
a message, so the form can move the focus on.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class KeyChoice(OptionList):
    """An option list chosen from by a key per option; ``value`` is the chosen option's id."""

    DEFAULT_CSS = """
    KeyChoice { height: auto; max-height: 12; border: none; padding: 0 1; }
    """

    class Chosen(Message):
        """An option was chosen (by its key or by Enter)."""

        def __init__(self, choice: KeyChoice, value: str) -> None:
            super().__init__()
            self.choice = choice
            self.value = value

        @property
        def control(self) -> KeyChoice:
            """The list the choice was made in."""
            return self.choice

    def __init__(self, options: list[tuple[str, str, str]], *, value: str | None = None, id: str | None = None) -> None:
        """``options`` are (key, id, label) triples; ``value`` the id chosen at first, if any."""
        self._keys = {key: oid for key, oid, _ in options}
        self._labels = {oid: (key, label) for key, oid, label in options}
        self.value: str | None = value
        super().__init__(*[Option(self._prompt(oid), id=oid) for _, oid, _ in options], id=id)
        for key in self._keys:
            # Priority bindings run as the key is read, so the choice (and where the focus goes
            # next) is made before the next key typed ahead is handed to a widget.
            self._bindings.bind(key, f"pick({key!r})", show=False, priority=True)

    def _prompt(self, oid: str) -> str:
        key, label = self._labels[oid]
        mark = ">" if oid == self.value else " "
        return f"{mark} {key}  {label}"

    def on_mount(self) -> None:
        if self.value is not None:
            self.highlighted = self.get_option_index(self.value)

    then: Callable[[KeyChoice, str], None] | None = None
    """Called at once when an option is chosen, to move the focus on (see :meth:`action_pick`)."""

    def action_pick(self, key: str) -> None:
        """The option of this key chosen, and whatever follows done before the next key is read."""
        oid = self._keys.get(key)
        if oid is not None:
            self.choose(oid)

    def choose(self, value: str | None, *, announce: bool = True) -> None:
        """Make ``value`` the chosen option (None: nothing chosen), and say so unless told not to."""
        self.value = value
        for oid in self._labels:
            self.replace_option_prompt(oid, self._prompt(oid))
        if value is not None:
            self.highlighted = self.get_option_index(value)
            if announce:
                if self.then is not None:
                    self.then(self, value)
                self.post_message(self.Chosen(self, value))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list is self and event.option_id is not None:
            event.stop()
            self.choose(event.option_id)
