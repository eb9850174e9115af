"""The Zone Desk terminal app: the shell every screen lives in.

It knows which database, which desk and who is sitting at it; it polls the
zone line for rings; and it holds the keys that work everywhere (F1 to F7).
Screens are thin: they gather input, call desk/ in thread workers, and show
what comes back.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session
from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import Notification, Notify
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from desk import db, phones
from desk.errors import DeskError
from desk.history import Actor
from desk.services import calls, caseload, reference, rings
from desk.services.reference import StaffRow
from desk.settings import Settings

RING_POLL_S = 1.0
GC_YOUNG_THRESHOLD = 10_000
log = logging.getLogger("zone-desk")


@dataclass(frozen=True)
class Opening:
    """What the first screen of a desk needs, fetched together."""

    zone_id: str
    zone_name: str
    zone_phone: str
    unfinished: int
    first_page: caseload.Page


class DeskApp(App[None]):
    """One desk on the zone line."""

    TITLE = "Zone Desk"
    CSS_PATH = "desk.tcss"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("f1", "help", "Help", id="help", tooltip="Every key on this screen"),
        Binding("f2", "take_call", "Take call", id="take_call", tooltip="Start logging a call by hand"),
        Binding("f3", "find_person", "Find", id="find_person", tooltip="Find a person on the register"),
        Binding("f4", "register_person", "Register", id="register_person", tooltip="Register a new person"),
        Binding("f5", "call_log", "Call log", id="call_log", tooltip="Today's calls on the zone line"),
        Binding("f6", "answer", "Answer", id="answer", tooltip="Answer the ringing zone line"),
        Binding("f7", "unfinished", "Unfinished", id="unfinished", tooltip="Calls started but not finished"),
    ]

    def __init__(self, engine: Engine, settings: Settings | None = None, staff_id: int | None = None) -> None:
        super().__init__()
        self.engine = engine
        self.settings = settings or Settings()
        self.desk_name = self.settings.resolved_desk_name()
        self._wanted_staff_id = staff_id
        self.staff: StaffRow | None = None
        self.zone_id: str = self.settings.zone.upper()
        self.zone_name: str = ""
        self.zone_phone: str = ""
        self.last_ring_id = 0
        self.waiting_rings: list[rings.Incoming] = []
        self._ring_toasts: dict[int, Notification] = {}

    # --- who is at the desk ----------------------------------------------

    @property
    def actor(self) -> Actor:
        """Who is making changes from this desk (for the history)."""
        return Actor(self.staff.id if self.staff else None, self.desk_name)

    def on_mount(self) -> None:
        self.load_staff()

    @work(thread=True, exit_on_error=False)
    def load_staff(self) -> None:
        """Who may sit here; when the desk was opened for someone, everything their first screen needs."""
        with db.reading(self.engine) as session:
            staff = reference.staff(session, self.zone_id or None)
            self.last_ring_id = rings.latest_id(session)
            chosen = next((s for s in staff if s.id == self._wanted_staff_id), None)
            opening = self._opening(session, chosen) if chosen else None
        if chosen is None or opening is None:
            self.call_from_thread(self._ask_staff, staff)
        else:
            self.call_from_thread(self._zone_opened, chosen, opening)

    def _opening(self, session: Session, staff: StaffRow) -> Opening | None:
        """The zone, the unfinished calls and the first caseload page, in one worker, one session."""
        from screens.caseload import PAGE_SIZE

        zone_id = self.zone_id or staff.zone_id
        zone = reference.zone(session, zone_id)
        if zone is None:
            return None
        unfinished = calls.unfinished(session, zone_id, staff_id=staff.id)
        scope = None if self.settings.all_zones else zone_id
        first = caseload.page(session, scope, staff_id=staff.id, limit=PAGE_SIZE)
        return Opening(zone_id, zone.name, phones.national(zone.phone_e164), len(unfinished), first)

    def _ask_staff(self, staff: list[StaffRow]) -> None:
        from screens.staff_picker import StaffPicker

        self.push_screen(StaffPicker(staff), self.sign_in)

    def sign_in(self, staff: StaffRow | None) -> None:
        """Someone sat down at the desk: open the caseload and start listening to the line."""
        if staff is None:
            self.exit()
            return
        self.open_zone(staff)

    @work(thread=True, exit_on_error=False)
    def open_zone(self, staff: StaffRow) -> None:
        with db.reading(self.engine) as session:
            opening = self._opening(session, staff)
        if opening is None:
            self.call_from_thread(self.notify, f"No zone '{self.zone_id or staff.zone_id}'.", severity="error")
            return
        self.call_from_thread(self._zone_opened, staff, opening)

    def _zone_opened(self, staff: StaffRow, opening: Opening) -> None:
        from screens.caseload import CaseloadScreen

        self.staff = staff
        self.zone_id = opening.zone_id
        self.zone_name, self.zone_phone = opening.zone_name, opening.zone_phone
        self.refresh_title()
        self.push_screen(CaseloadScreen(first_page=opening.first_page, all_zones=self.settings.all_zones))
        self.set_interval(RING_POLL_S, self.poll_rings, name="ring-poll")
        # What is alive now lives all session: keep it out of the collector's sweeps,
        # whose pauses at 40,000 rows were long enough to show as a stutter. A screen
        # switch makes tens of thousands of short-lived objects; a larger first
        # generation lets them die young instead of piling into full collections
        # (measured: longest pause on opening a busy record 155 ms -> about 50 ms).
        gc.freeze()
        gc.set_threshold(GC_YOUNG_THRESHOLD, 10, 10)
        if opening.unfinished:
            self.notify(
                f"{opening.unfinished} call(s) of yours were not finished (the desk closed mid-call). "
                "Press F7 to pick them up; the notes were kept.",
                title="Unfinished calls", severity="warning", timeout=15,
            )

    def refresh_title(self) -> None:
        """The header says which line, who is at the desk, and whether it is ringing."""
        who = f"{self.staff.name} ({self.staff.role_label})" if self.staff else ""
        self.title = f"Zone Desk: {self.zone_name} line {self.zone_phone}"
        ring = ""
        if self.waiting_rings:
            ring = f"  |  RINGING: {self.waiting_rings[-1].recognition.headline}  (F6 answers)"
        self.sub_title = who + ring

    # --- the zone line ----------------------------------------------------

    @work(thread=True, exclusive=True, group="ring-poll", exit_on_error=False)
    def poll_rings(self) -> None:
        with db.reading(self.engine) as session:
            waiting = rings.waiting(session, self.zone_id, 0)
        self.call_from_thread(self._rings_polled, waiting)

    def _rings_polled(self, waiting: list[rings.Incoming]) -> None:
        new = [r for r in waiting if r.ring_id > self.last_ring_id]
        self.waiting_rings = waiting
        still = {r.ring_id for r in waiting}
        for ring_id in [i for i in self._ring_toasts if i not in still]:
            self._withdraw_ring_toast(ring_id)  # answered at another desk, or rang off
        if new:
            self.last_ring_id = max(r.ring_id for r in new)
            latest = new[-1]
            self.bell()
            toast = Notification(
                f"{latest.recognition.headline}\nPress F6 to answer.",
                f"Zone line ringing: {latest.number or 'withheld'}", "warning", rings.RING_FRESH_FOR.total_seconds(),
            )
            self._ring_toasts[latest.ring_id] = toast
            self.post_message(Notify(toast))
        self.refresh_title()

    def _withdraw_ring_toast(self, ring_id: int) -> None:
        """Take down one ring's toast: it is no longer true. Other messages stay."""
        toast = self._ring_toasts.pop(ring_id, None)
        if toast is not None and toast in self._notifications:
            self._unnotify(toast)

    def action_answer(self) -> None:
        if not self.waiting_rings:
            self.notify("The zone line is not ringing. F2 takes a call by hand.", severity="information")
            return
        self.answer_ring(self.waiting_rings[-1])

    @work(thread=True, exit_on_error=False)
    def answer_ring(self, incoming: rings.Incoming) -> None:
        with db.writing(self.engine) as session:
            if not rings.claim(session, incoming.ring_id, self.desk_name):
                self.call_from_thread(self.notify, "Another desk answered that call.", severity="warning")
                return
            call = calls.start(session, self.actor, self.zone_id, number=incoming.number, typed=False)
            rings.attach_call(session, incoming.ring_id, call.id)  # type: ignore[arg-type]
            call_id = call.id
        self.waiting_rings = [r for r in self.waiting_rings if r.ring_id != incoming.ring_id]
        self.call_from_thread(self._answered, call_id)

    def _answered(self, call_id: int) -> None:
        for ring_id in list(self._ring_toasts):
            if ring_id not in {r.ring_id for r in self.waiting_rings}:
                self._withdraw_ring_toast(ring_id)
        self.open_call(call_id)

    def open_call(self, call_id: int) -> None:
        """Show a call on the call screen."""
        from screens.call import CallScreen

        self.refresh_title()
        self.push_screen(CallScreen(call_id))

    # --- the keys that work everywhere -----------------------------------

    def action_help(self) -> None:
        from screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))

    def action_take_call(self, person_id: int | None = None) -> None:
        from screens.start_call import StartCallScreen

        def started(call_id: int | None) -> None:
            if call_id is not None:
                self.open_call(call_id)

        self.push_screen(StartCallScreen(person_id=person_id), started)

    def action_find_person(self) -> None:
        from screens.find import FindScreen

        self.push_screen(FindScreen())

    def action_register_person(self) -> None:
        from screens.register import PersonForm

        self.push_screen(PersonForm(), self._registered)

    def _registered(self, person_id: int | None) -> None:
        if person_id is not None:
            self.open_person(person_id)

    def open_person(self, person_id: int) -> None:
        """Show one person's record."""
        from screens.person import PersonScreen

        self.push_screen(PersonScreen(person_id))

    def action_call_log(self) -> None:
        from screens.call_log import CallLogScreen

        self.push_screen(CallLogScreen())

    def action_unfinished(self) -> None:
        from screens.unfinished import UnfinishedScreen

        def chosen(call_id: int | None) -> None:
            if call_id is not None:
                self.open_call(call_id)

        self.push_screen(UnfinishedScreen(), chosen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Nothing but the staff picker until someone is at the desk.
        if self.staff is None and action in {b.action for b in self.BINDINGS}:  # type: ignore[union-attr]
            return False
        return True

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every action, for the command palette (Ctrl+P), named noun: verb."""
        yield from super().get_system_commands(screen)
        if self.staff is None:
            return
        yield SystemCommand("Call: take a call", "Log a call by hand (F2)", self.action_take_call)
        yield SystemCommand("Call: answer the ringing line", "Answer the zone line (F6)", self.action_answer)
        yield SystemCommand("Calls: today's log", "The zone's calls today (F5)", self.action_call_log)
        yield SystemCommand("Calls: unfinished", "Calls started but not finished (F7)", self.action_unfinished)
        yield SystemCommand("Person: find", "Find a person on the register (F3)", self.action_find_person)
        yield SystemCommand("Person: register", "Register a new person (F4)", self.action_register_person)
        yield SystemCommand("Help: keys", "Every key on this screen (F1)", self.action_help)
        for binding in screen.BINDINGS:
            if isinstance(binding, Binding) and binding.show and binding.description:
                yield SystemCommand(
                    f"{screen.__class__.__name__.replace('Screen', '')}: {binding.description}",
                    binding.tooltip or binding.description,
                    lambda action=binding.action: self.run_action(action, screen),  # type: ignore[misc]
                )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One place where a failed worker becomes a message instead of a crash."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            err = event.worker.error
            if isinstance(err, DeskError):
                self.notify(err.message, severity="error", timeout=10)
                return
            log.error("worker %s failed", event.worker.name, exc_info=err)
            self.notify(f"Something went wrong ({err}); it is in the desk's log. Nothing typed was lost.",
                        severity="error", timeout=10)
