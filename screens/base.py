"""A typed way for screens and widgets to reach the desk they run in.

Textual types ``self.app`` as a plain ``App``, which knows nothing of the
engine, who is at the desk or which zone it answers. Screens subclass
:class:`DeskScreen` (or :class:`DeskModalScreen`) and use ``self.desk``;
widgets call :func:`desk_of`. Either way the checker sees a :class:`DeskApp`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from textual.app import App
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen

if TYPE_CHECKING:
    from sqlmodel import Session

    from screens.app import DeskApp

ResultT = TypeVar("ResultT")


def desk_of(node: DOMNode) -> DeskApp:
    """The desk ``node`` runs in (every node of this front end runs in a DeskApp)."""
    return cast("DeskApp", node.app)


class DeskScreen(Screen[ResultT]):
    """A full screen of the desk."""

    @property
    def desk(self) -> DeskApp:
        """The desk this screen runs in: its database, who is at it, its zone."""
        return desk_of(self)


class DeskModalScreen(ModalScreen[ResultT]):
    """A dialog over a desk screen.

    A dialog keeps the app's keys from the screens below it (Textual's modal
    binding chain), so F6 is bound again here: the zone line can be answered
    from any dialog, which waits under the call with everything typed in it.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f6", "answer", "Answer", id="answer", tooltip="Answer the ringing zone line; this dialog waits")
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "answer":  # shown only while the line rings (the app refreshes the keys on each ring)
            return self.desk.staff is not None and self.desk.rings.ringing is not None
        return super().check_action(action, parameters)

    def action_answer(self) -> None:
        self.desk.action_answer()

    @property
    def desk(self) -> DeskApp:
        """The desk this dialog runs in: its database, who is at it, its zone."""
        return desk_of(self)

    def show_problems(self, problems: dict[str, str]) -> None:
        """What desk/ refused, beside each field (dialogs with fields say it their own way)."""
        self.notify(" ".join(problems.values()), severity="error", timeout=10)

    def write_then_close(self, change: Callable[[Session], ResultT]) -> None:
        """From a worker: run ``change`` in one write transaction and close the dialog with what it gave.

        What desk/ refuses is shown by :meth:`show_problems` and the dialog stays
        open with everything typed; nothing was written.
        """
        from desk import db
        from desk.errors import DeskError, InvalidForm

        app = self.desk
        try:
            with db.writing(app.engine) as session:
                result = change(session)
        except InvalidForm as exc:
            app.call_from_thread(self.show_problems, exc.problems)
            return
        except DeskError as exc:
            app.call_from_thread(self.notify, exc.message, severity="error", timeout=10)
            return
        app.call_from_thread(self.dismiss, result)


OPEN_WAIT_S = 0.15
"""A screen that reads what it shows before it opens waits for its read this long at most (a busy database)."""


class ReadsFirst:
    """A screen whose first reading starts when it is made (or opened again), so the desk can open it once read.

    Opening it when its rows are in gives one frame with everything: building,
    styling and drawing the screen once, with nothing competing with the read
    for the interpreter. :func:`open_when_read` opens it.
    """

    _read_waiters: list[Callable[[], None]] | None = None

    def when_read(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (on the event loop) once the first reading is in; at once if it is."""
        if self._read_waiters is None:
            callback()
        else:
            self._read_waiters.append(callback)

    def reading(self) -> None:
        """A first reading has started: :meth:`when_read` waits for :meth:`read_in`."""
        self._read_waiters = []

    def read_in(self) -> None:
        """The first reading is in (on the event loop): whoever waits for it goes on."""
        waiters, self._read_waiters = self._read_waiters or [], None
        for callback in waiters:
            callback()


def open_when_read(app: App[Any], screen: Screen[Any]) -> None:
    """Push ``screen`` once its first reading is in, or after OPEN_WAIT_S with it still being read.

    Only if the co-ordinator is still where they pressed the key: a key that
    moved them on meanwhile leaves the screen unopened.
    """
    origin = app.screen
    pushed = False

    def push() -> None:
        nonlocal pushed
        if pushed:
            return
        pushed = True
        if app.screen is origin:
            app.push_screen(screen)

    if isinstance(screen, ReadsFirst):
        screen.when_read(push)
    app.set_timer(OPEN_WAIT_S, push, name="open when read")
