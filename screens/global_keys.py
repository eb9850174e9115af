"""The keys that work everywhere on the desk, and the actions behind them that only open a screen.

The app (screens.app) binds :data:`GLOBAL_KEYS` and takes its key actions
from :class:`GlobalActions`, so the shell stays small: each action here
imports its screen when pressed (never at start-up, behind the first frame)
and pushes it. Help (F1) lists these keys; the palette (screens.palette)
names each as "Noun: verb".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding

if TYPE_CHECKING:
    from desk.settings import Settings
    from screens.ring_watch import RingWatch

GLOBAL_KEYS = [
    Binding("f1", "help", "Help", id="help", tooltip="Every key on this screen"),
    Binding("f2", "take_call", "Take call", id="take_call", tooltip="Start logging a call by hand"),
    Binding("f3", "find_person", "Find", id="find_person", tooltip="Find a person on the register"),
    Binding("f4", "register_person", "Register", id="register_person", tooltip="Register a new person"),
    Binding("f5", "call_log", "Call log", id="call_log", tooltip="Today's calls on the zone line"),
    Binding("f6", "answer", "Answer", id="answer", tooltip="Answer the ringing zone line"),
    Binding("f7", "unfinished", "Unfinished", id="unfinished", tooltip="Calls started but not finished"),
    Binding("f9", "ward", "Ward", id="ward", tooltip="The patients on your wards, for discharge"),
    Binding("ctrl+o", "roster", "Roster", id="roster", tooltip="The zone's duty roster, a week at a time"),
    Binding("ctrl+t", "handover", "Handover", id="handover", tooltip="The crisis handover list for the meeting"),
    Binding("ctrl+n", "reviews", "Reviews", id="reviews", tooltip="Package reviews overdue, due and done"),
    Binding("ctrl+l", "waiting_list", "Waiting", id="waiting_list", tooltip="Packages and equipment waiting"),
    Binding("ctrl+y", "pickups", "Pick-ups", id="pickups", tooltip="Discharges for the zone to pick up"),
    Binding("ctrl+f", "delays", "Delays", id="delays", tooltip="Patients delayed in hospital; delayed days counted"),
    Binding("f11", "crisis_board", "Crisis board", id="crisis_board", tooltip="Open crises by time left"),
    Binding("f12", "show_ringing", "Who is ringing", id="show_ringing", tooltip="The ringing caller in full"),
]
"""F1 to F7, F9, F11, F12 and Ctrl keys free in a text field (Ctrl+O, T, N, L, Y, F; Ctrl+P is the palette)."""

GLOBAL_ACTIONS = frozenset(b.action for b in GLOBAL_KEYS)
"""The actions of :data:`GLOBAL_KEYS`: none works until someone is at the desk."""


class GlobalActions(App[None]):
    """The desk-wide key actions that open a screen (the app's own state stays in screens.app)."""

    if TYPE_CHECKING:
        settings: Settings
        rings: RingWatch

        def open_call(self, call_id: int) -> None: ...

        def open_person(self, person_id: int) -> None: ...

    def _open_call_if_chosen(self, call_id: int | None) -> None:
        if call_id is not None:
            self.open_call(call_id)

    def _open_person_if_chosen(self, person_id: int | None) -> None:
        if person_id is not None:
            self.open_person(person_id)

    def action_help(self) -> None:
        from screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))

    def action_take_call(self, person_id: int | None = None) -> None:
        from screens.start_call import StartCallScreen

        self.push_screen(StartCallScreen(person_id=person_id), self._open_call_if_chosen)

    def action_find_person(self) -> None:
        from screens.find import FindScreen

        self.push_screen(FindScreen())

    def action_register_person(self) -> None:
        from screens.register import PersonForm

        self.push_screen(PersonForm(), self._open_person_if_chosen)

    def action_call_log(self) -> None:
        from screens.call_log import CallLogScreen

        self.push_screen(CallLogScreen())

    def action_unfinished(self) -> None:
        from screens.unfinished import UnfinishedScreen

        self.push_screen(UnfinishedScreen(), self._open_call_if_chosen)

    def action_roster(self) -> None:
        from screens.roster import RosterScreen

        self.push_screen(RosterScreen())

    def action_handover(self) -> None:
        from screens.handover import HandoverScreen

        self.push_screen(HandoverScreen())

    def action_reviews(self) -> None:
        from screens.reviews import ReviewListScreen

        if not isinstance(self.screen, ReviewListScreen):
            self.push_screen(ReviewListScreen(all_zones=self.settings.all_zones))

    def action_waiting_list(self) -> None:
        from screens.base import open_when_read
        from screens.waiting_list import WaitingListScreen, opened

        if not isinstance(self.screen, WaitingListScreen):
            open_when_read(self, opened(self, all_zones=self.settings.all_zones))

    def action_crisis_board(self) -> None:
        from screens.base import open_when_read
        from screens.crisis_board import CrisisBoardScreen, opened

        if not isinstance(self.screen, CrisisBoardScreen):
            open_when_read(self, opened(self, all_zones=self.settings.all_zones))

    def action_ward(self) -> None:
        from screens.ward import WardScreen

        if not isinstance(self.screen, WardScreen):
            self.push_screen(WardScreen())

    def action_show_ringing(self) -> None:
        from screens.header import ringing_text
        from screens.widgets import FullText

        self.push_screen(FullText("Zone line ringing", ringing_text(self.rings.waiting)))

    def action_pickups(self, acknowledge: bool = False) -> None:
        from screens.pickups import PickupListScreen

        if isinstance(self.screen, PickupListScreen):
            if acknowledge:
                self.screen.action_acknowledge()
            return
        self.push_screen(PickupListScreen(all_zones=self.settings.all_zones))
        if acknowledge:
            self.notify("Highlight the pick-up and press K to acknowledge it.", title="Pick-up")

    def action_delays(self, export: bool = False) -> None:
        from screens.delays import DelaysScreen

        if isinstance(self.screen, DelaysScreen):
            if export:
                self.screen.action_export()
            return
        self.push_screen(DelaysScreen(all_zones=self.settings.all_zones, export=export))
