"""A typed way for screens and widgets to reach the desk they run in.

Textual types ``self.app`` as a plain ``App``, which knows nothing of the
engine, who is at the desk or which zone it answers. Screens subclass
:class:`DeskScreen` (or :class:`DeskModalScreen`) and use ``self.desk``;
widgets call :func:`desk_of`. Either way the checker sees a :class:`DeskApp`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen

if TYPE_CHECKING:
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
