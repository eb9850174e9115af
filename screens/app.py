"""The Zone Desk terminal app: the shell every screen lives in.

It knows which database, which desk and who is sitting at it; it polls the
zone line for rings; and it holds the keys that work everywhere (F1 to F7).
Screens are thin: they gather input, call desk/ in thread workers, and show
what comes back.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import Notification, Notify
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState, get_current_worker

from desk.errors import DeskError
from desk.first_look import FirstLook
from desk.rows import PAGE_SIZE, Page, StaffRow
from desk.settings import Settings
from screens.leak_fixes import release_closed_widgets

if TYPE_CHECKING:  # the ORM is loaded behind the first frame, never before it (see DeskApp.open_database)
    from sqlalchemy import Engine
    from sqlmodel import Session

    from desk.history import Actor
    from desk.services.rings import Incoming

RING_POLL_S = 1.0
GC_YOUNG_THRESHOLD = 10_000
GC_MIDDLE_THRESHOLD = 3
ENGINE_WAIT_S = 60.0
SWEEP_AFTER_S = 0.5
"""A full garbage collection this long after the screen changes: see DeskApp._screen_changed."""
QUIET_BEFORE_LOADING_S = 0.3
"""Behind a first look, the ORM starts loading once the caseload has had no key this long (or the engine is wanted)."""
log = logging.getLogger("zone-desk")


@dataclass(frozen=True)
class Opening:
    """What the first screen of a desk needs, fetched together."""

    zone_id: str
    zone_name: str
    zone_phone: str
    unfinished: int
    first_page: Page


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

    def __init__(
        self,
        engine: Engine | None = None,
        settings: Settings | None = None,
        staff_id: int | None = None,
        *,
        first_look: FirstLook | None = None,
    ) -> None:
        """Either an ``engine`` ready to use, or a ``first_look`` to show while the engine is made behind it."""
        super().__init__()
        if engine is None and first_look is None:
            raise ValueError("DeskApp needs an engine or a first look")
        self._engine = engine
        self._engine_ready = threading.Event()
        self._engine_problem = ""
        self._engine_wanted = threading.Event()
        self.orm_loading = threading.Event()
        self._last_driver_read = 0.0
        if engine is not None:
            self._engine_ready.set()
        self._first_look = first_look
        self.settings = settings or Settings()
        self.desk_name = self.settings.resolved_desk_name()
        self._wanted_staff_id = staff_id
        self.staff: StaffRow | None = None
        self.zone_id: str = self.settings.zone.upper()
        self.zone_name: str = ""
        self.zone_phone: str = ""
        self.last_ring_id = 0
        self.waiting_rings: list[Incoming] = []
        self._ring_toasts: dict[int, Notification] = {}
        self._heap_frozen = False
        self._sweep: Timer | None = None

    # --- the database -----------------------------------------------------

    @property
    def engine(self) -> Engine:
        """The database. Behind a first look it may still be opening: a worker that needs it waits here."""
        self._engine_wanted.set()
        if not self._engine_ready.wait(ENGINE_WAIT_S):
            raise DeskError("The database is taking a long time to open. Check the connection, then try again.")
        if self._engine is None:
            raise DeskError(self._engine_problem)
        return self._engine

    @property
    def engine_open(self) -> bool:
        """True once the engine is made, so a background poll can use it without hurrying the opening."""
        return self._engine_ready.is_set() and self._engine is not None

    def caseload_page(self, zone_id: str | None, **options: Any) -> Page:
        """A page of the caseload (from a worker): through the engine once it is open, until then the driver.

        The caseload is the first screen, so its keys answer from the first
        frame; both ways run the same SQL (desk.caseload_query).
        """
        if self._first_look is not None and not self._engine_ready.is_set():
            from desk import caseload_query, clock, driver

            self._last_driver_read = time.monotonic()
            reader = driver.connect(self._first_look.url)
            if reader is not None:
                try:
                    return caseload_query.page(reader.rows, reader.dialect, zone_id, today=clock.today(), **options)
                finally:
                    reader.close()
                    self._last_driver_read = time.monotonic()
        from desk import db
        from desk.services import caseload

        with db.reading(self.engine) as session:
            return caseload.page(session, zone_id, **options)

    @work(thread=True, exit_on_error=False, name="open-database")
    def open_database(self) -> None:
        """Load the ORM and make the engine, behind the first frame; then start listening to the line.

        Imports the services the next keys need before saying the engine is
        ready, so none of them pays for SQLAlchemy later.
        """
        assert self._first_look is not None
        # The loading takes a core for a second and the interpreter runs one thread at a time, so
        # the co-ordinator's first keys go first: wait for a quiet moment, unless the engine is wanted.
        while not self._engine_wanted.is_set() and time.monotonic() - self._last_driver_read < QUIET_BEFORE_LOADING_S:
            self._engine_wanted.wait(0.05)
        self.orm_loading.set()
        # What loads now lives all session, so no collection need sweep it meanwhile: a collection
        # stops every thread, and would stall the screen while it pages. (Launched by the desk
        # command, the collector has been off since the start; it comes on here, loaded.)
        gc.disable()
        try:
            from desk import db
            from desk.services import calls, caseload, people, rings, search, timeline  # noqa: F401  (warm)

            engine = db.make_engine(self._first_look.url)
            db.migrate(engine)  # the first look saw it at head: one query
        except Exception as exc:
            self._engine_problem = f"The database could not be opened: {exc}"
            self._engine_ready.set()
            raise
        finally:
            gc.enable()
        self._engine = engine
        self._engine_ready.set()
        # Opened onto the caseload: start listening here. Opened onto the staff picker: signing in
        # does it (open_zone), which may already be under way, so never both.
        staff = self._first_look.chosen
        with db.reading(engine) as session:
            self.last_ring_id = rings.latest_id(session)
            unfinished = len(calls.unfinished(session, self.zone_id, staff_id=staff.id)) if staff else 0
        if staff is not None:
            phone = _national(self._first_look.zone_phone_e164)
            self.call_from_thread(self._listen, unfinished, phone)

    # --- who is at the desk ----------------------------------------------

    @property
    def actor(self) -> Actor:
        """Who is making changes from this desk (for the history)."""
        from desk.history import Actor

        return Actor(self.staff.id if self.staff else None, self.desk_name)

    def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, self._screen_changed)
        look = self._first_look
        if look is None:
            self.load_staff()
            return
        if look.chosen is None:
            self._ask_staff(look.staff)
        else:
            assert look.first_page is not None
            # The line's number joins the header once open_database has loaded the phone rules.
            self._show_zone(look.chosen, look.zone_id, look.zone_name, "", look.first_page)
        self._last_driver_read = time.monotonic()  # the first frame counts as a key: a quiet moment after it
        self.call_after_refresh(self.open_database)  # after the first frame is on its way, not before

    @work(thread=True, exit_on_error=False)
    def load_staff(self) -> None:
        """Who may sit here; when the desk was opened for someone, everything their first screen needs."""
        from desk import db
        from desk.services import reference, rings

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
        from desk.services import calls, caseload, reference

        zone_id = self.zone_id or staff.zone_id
        zone = reference.zone(session, zone_id)
        if zone is None:
            return None
        unfinished = calls.unfinished(session, zone_id, staff_id=staff.id)
        scope = None if self.settings.all_zones else zone_id
        first = caseload.page(session, scope, staff_id=staff.id, limit=PAGE_SIZE)
        return Opening(zone_id, zone.name, _national(zone.phone_e164), len(unfinished), first)

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
        from desk import db

        with db.reading(self.engine) as session:
            opening = self._opening(session, staff)
        if opening is None:
            self.call_from_thread(self.notify, f"No zone '{self.zone_id or staff.zone_id}'.", severity="error")
            return
        self.call_from_thread(self._zone_opened, staff, opening)

    def _zone_opened(self, staff: StaffRow, opening: Opening) -> None:
        self._show_zone(staff, opening.zone_id, opening.zone_name, opening.zone_phone, opening.first_page)
        self._listen(opening.unfinished)

    def _show_zone(self, staff: StaffRow, zone_id: str, zone_name: str, zone_phone: str, first_page: Page) -> None:
        """Someone is at the desk: show their zone's caseload."""
        from screens.caseload import CaseloadScreen

        self.staff = staff
        self.zone_id = zone_id
        self.zone_name, self.zone_phone = zone_name, zone_phone
        self.refresh_title()
        self.push_screen(CaseloadScreen(first_page=first_page, all_zones=self.settings.all_zones))

    def _listen(self, unfinished: int, zone_phone: str = "") -> None:
        """Start answering the line, and say if this person left calls unfinished."""
        if zone_phone:
            self.zone_phone = zone_phone
            self.refresh_title()
        self.set_interval(RING_POLL_S, self.poll_rings, name="ring-poll")
        # What is alive now lives all session: keep it out of the collector's sweeps,
        # whose pauses at 40,000 rows were long enough to show as a stutter. A screen
        # switch makes tens of thousands of short-lived objects; a larger first
        # generation lets them die young instead of piling into full collections
        # (measured: longest pause on opening a busy record 155 ms -> about 50 ms).
        # The middle generation is swept every third young sweep, not every tenth:
        # at ten it grew to 100,000 objects and a sweep took 80-110 ms here.
        gc.freeze()
        gc.set_threshold(GC_YOUNG_THRESHOLD, GC_MIDDLE_THRESHOLD, 10)
        gc.enable()  # off while the desk opened (desk.cli._open); from here on, whichever way it opened
        self._heap_frozen = True
        if unfinished:
            self.notify(
                f"{unfinished} call(s) of yours were not finished (the desk closed mid-call). "
                "Press F7 to pick them up; the notes were kept.",
                title="Unfinished calls",
                severity="warning",
                timeout=15,
            )

    def _screen_changed(self, _screen: Screen[Any]) -> None:
        """Let go of the screen that closed: Textual's caches now, the screen itself half a second later.

        A screen's widgets refer to one another, so only a full collection frees
        a closed one, and Python runs those when it will: after forty records
        one swept 125,000 objects, a 180 ms pause in the middle of the next key
        (measured). Swept shortly after each change, a full collection finds
        about one screen's worth. Only once the heap is frozen (see _listen):
        before that a full collection would sweep the whole of the loading ORM.
        """
        release_closed_widgets()
        if self._heap_frozen and self._sweep is None:
            self._sweep = self.set_timer(SWEEP_AFTER_S, self._collect_garbage, name="sweep closed screens")

    def _collect_garbage(self) -> None:
        self._sweep = None
        gc.collect()

    def refresh_title(self) -> None:
        """The header says which line, who is at the desk, and whether it is ringing."""
        who = f"{self.staff.name} ({self.staff.role_label})" if self.staff else ""
        line = f" line {self.zone_phone}" if self.zone_phone else ""  # the number joins once phonenumbers loads
        self.title = f"Zone Desk: {self.zone_name}{line}"
        ring = ""
        if self.waiting_rings:
            ring = f"  |  RINGING: {self.waiting_rings[-1].recognition.headline}  (F6 answers)"
        self.sub_title = who + ring

    # --- the zone line ----------------------------------------------------

    @work(thread=True, exclusive=True, group="ring-poll", exit_on_error=False)
    def poll_rings(self) -> None:
        from desk import db
        from desk.services import rings

        with db.reading(self.engine) as session:
            waiting = rings.waiting(session, self.zone_id, 0)
        self.call_from_thread(self._rings_polled, waiting)

    def _rings_polled(self, waiting: list[Incoming]) -> None:
        from desk.services import rings

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
                f"Zone line ringing: {latest.number or 'withheld'}",
                "warning",
                rings.RING_FRESH_FOR.total_seconds(),
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
    def answer_ring(self, incoming: Incoming) -> None:
        from desk import db
        from desk.services import calls, rings

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
        """Show one person's record: read first, then a screen whose first frame already shows it.

        Building the screen while its record was read on another thread slowed
        both (one interpreter) and cost an extra 'Loading...' frame.
        """
        self._open_person(person_id)

    @work(thread=True, exclusive=True, group="open-person", exit_on_error=False)
    def _open_person(self, person_id: int) -> None:
        from screens.person import DETAILS_WIDTH, PersonScreen, fetch

        loaded = fetch(self.engine, person_id, max(20, self.size.width - DETAILS_WIDTH))
        if not get_current_worker().is_cancelled:  # Enter again, or another person: that one wins
            self.call_from_thread(lambda: self.push_screen(PersonScreen(person_id, loaded)))

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
            self.notify(
                f"Something went wrong ({err}); it is in the desk's log. Nothing typed was lost.",
                severity="error",
                timeout=10,
            )


def _national(e164: str) -> str:
    """A zone's number as the office says it."""
    from desk import phones

    return phones.national(e164)
