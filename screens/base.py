"""A typed way for screens and widgets to reach the desk they run in.

Textual types ``self.app`` as a plain ``App``, which knows nothing of the
engine, who is at the desk or which zone it answers. Screens subclass
:class:`DeskScreen` (or :class:`DeskModalScreen`) and use ``self.desk``;
widgets call :func:`desk_of`. Either way the checker sees a :class:`DeskApp`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, cast

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
    """A dialog over a desk screen."""

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
