"""The Zone Desk terminal app: the shell every screen lives in.

It holds who is at the desk and the actions that need the app's own state
(the keys that work everywhere, and the screens they open, are screens.global_keys);
everything else has a home of its own: the database (desk.opening), the
way in (screens.sign_in), the zone line (screens.ring_watch), failures in
plain words (screens.trouble), the garbage collector (screens.collector)
and the palette (screens.palette).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Unpack

from textual import work
from textual.app import SystemCommand
from textual.binding import BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from desk.first_look import FirstLook
from desk.opening import DeskDatabase
from desk.plurals import counted
from desk.rows import Page, PageOptions, StaffRow
from desk.settings import Settings
from screens.collector import Collector
from screens.global_keys import GLOBAL_ACTIONS, GLOBAL_KEYS, GlobalActions
from screens.leak_fixes import release_closed_widgets
from screens.palette import desk_commands
from screens.ring_watch import RingAnswered, RingsPolled, RingWatch
from screens.sign_in import SignIn
from screens.trouble import DatabaseBack, KeptNotesSaved, TroubleDesk

if TYPE_CHECKING:  # the ORM is loaded behind the first frame, never before it (see screens.sign_in)
    from sqlalchemy import Engine

    from desk.history import Actor
    from screens.person import Loaded


class DeskApp(GlobalActions):
    """One desk on the zone line."""

    TITLE = "Zone Desk"
    CSS_PATH = "desk.tcss"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [*GLOBAL_KEYS]

    def __init__(
        self,
        database: DeskDatabase | None = None,
        settings: Settings | None = None,
        staff_id: int | None = None,
        *,
        engine: Engine | None = None,
        first_look: FirstLook | None = None,
    ) -> None:
        """The desk on ``database``; or, for short, on an ``engine`` ready to use or a ``first_look`` to open behind."""
        super().__init__()
        self.database = database or DeskDatabase(engine, first_look=first_look)
        self.settings = settings or Settings()
        self.desk_name = self.settings.resolved_desk_name()
        self.wanted_staff_id = staff_id
        self.staff: StaffRow | None = None
        self.zone_id: str = self.settings.zone.upper()
        self.zone_name = self.zone_phone = ""
        self.rings = RingWatch(self)
        self.trouble = TroubleDesk(self)
        self.collector = Collector(self)
        self.sign_in = SignIn(self)

    @property
    def engine(self) -> Engine:
        """The database's engine; behind a first look a worker that needs it waits for it here."""
        return self.database.engine

    def caseload_page(self, zone_id: str | None, **options: Unpack[PageOptions]) -> Page:
        """A page of the caseload (from a worker), answered from the first frame on (see DeskDatabase)."""
        return self.database.caseload_page(zone_id, **options)

    @property
    def actor(self) -> Actor:
        """Who is making changes from this desk (for the history)."""
        from desk.history import Actor

        return Actor(self.staff.id if self.staff else None, self.desk_name)

    def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, self._screen_changed)
        self.sign_in.start()

    def _screen_changed(self, _screen: Screen[Any]) -> None:
        """Let go of the screen that closed: Textual's caches now, the screen itself shortly (screens.collector)."""
        release_closed_widgets()
        self.collector.sweep_soon()

    def refresh_title(self) -> None:
        """The header says which line, who is at the desk, whether it is ringing and whether the database is away."""
        who = f"{self.staff.name} ({self.staff.role_label})" if self.staff else ""
        line = f" line {self.zone_phone}" if self.zone_phone else ""  # the number joins once phonenumbers loads
        self.title = f"Zone Desk: {self.zone_name}{line}"
        ringing = self.rings.ringing
        away = "  |  DATABASE AWAY: notes kept on this desk" if self.trouble.away else ""
        if ringing:  # the ring first: the header cuts what does not fit (F12 shows it all)
            self.sub_title = f"RINGING: {ringing.recognition.headline} (F6 answers)  |  {who}{away}"
        else:
            self.sub_title = who + away
        if self.screen_stack:  # a last poll can land while the desk closes, its screens gone
            self.refresh_bindings()  # F12 is there only while the line rings

    # --- messages from workers ------------------------------------------------------

    def on_rings_polled(self, message: RingsPolled) -> None:
        self.rings.polled(message.waiting)

    def on_ring_answered(self, message: RingAnswered) -> None:
        self.rings.answered(message.ring_id)
        self.open_call(message.call_id)

    def on_database_back(self, message: DatabaseBack) -> None:
        self.trouble.back(message.saved)

    def on_kept_notes_saved(self, message: KeptNotesSaved) -> None:
        self.notify(
            f"Notes of {counted(message.saved, 'call')} kept on this desk while the database was away are saved."
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One place where a failed worker becomes a plain message instead of a crash (screens.trouble)."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.trouble.report(event.worker.name, event.worker.error)

    # --- the keys that work everywhere ------------------------------------------------

    def action_answer(self) -> None:
        ringing = self.rings.ringing
        if ringing is None:
            self.notify("The zone line is not ringing. F2 takes a call by hand.", severity="information")
            return
        self.rings.answer(ringing)

    def open_call(self, call_id: int) -> None:
        """Show a call on the call screen; a call already on a screen here is gone back to, never opened twice.

        Two screens on one call would each hold their own copy of its notes,
        and leaving the one underneath would save what it showed over what
        was typed on the other (F7 or the call log's Enter during the call).
        """
        from screens.call import CallScreen

        self.refresh_title()
        stack = self.screen_stack
        open_on = next((s for s in stack if isinstance(s, CallScreen) and s.call_id == call_id), None)
        if open_on is None:
            self.push_screen(CallScreen(call_id))
            return
        above = stack[stack.index(open_on) + 1 :]
        if any(isinstance(s, CallScreen) for s in above):
            self.notify(
                "That call is already open behind the call on screen: Escape leaves this one open and goes back to it.",
                severity="warning",
            )
            return
        if above:
            open_on.pop_until_active()

    def open_person(self, person_id: int) -> None:
        """Show one person's record: read first, then a screen whose first frame already shows it.

        Building the screen while its record was read on another thread slowed
        both (one interpreter) and cost an extra 'Loading...' frame.
        """
        self._open_person(person_id)

    @work(thread=True, exclusive=True, group="open-person", exit_on_error=False)
    def _open_person(self, person_id: int) -> None:
        from screens.person import DETAILS_WIDTH, fetch

        loaded = fetch(self.engine, person_id, max(20, self.size.width - DETAILS_WIDTH))
        if not get_current_worker().is_cancelled:  # Enter again, or another person: that one wins
            self.call_from_thread(self._show_person, person_id, loaded)

    def _show_person(self, person_id: int, loaded: Loaded) -> None:
        from screens.person import PersonScreen

        self.push_screen(PersonScreen(person_id, loaded))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Nothing but the staff picker until someone is at the desk; F12 only while the line rings.
        if self.staff is None and action in GLOBAL_ACTIONS:
            return False
        return not (action == "show_ringing" and self.rings.ringing is None)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands, then (once someone is at the desk) every action, for the palette (Ctrl+P)."""
        yield from super().get_system_commands(screen)
        if self.staff is not None:
            yield from desk_commands(self, screen)
