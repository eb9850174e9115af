"""Opening the desk and signing in: the first screen, the database behind it, and the zone of whoever sits down.

Opened by the ``desk`` command the desk shows its first look at once (the
caseload, or the staff picker) and loads the ORM behind it; opened with an
engine ready it reads who may sit here first. Either way, once someone is at
the desk it shows their zone's caseload and starts listening to the line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desk.opening import Opening
from desk.plurals import counted, were
from desk.rows import Page, StaffRow
from screens import collector

if TYPE_CHECKING:
    from screens.app import DeskApp


class SignIn:
    """The desk's way in, from the first frame to listening to the line (workers answer by call_from_thread)."""

    def __init__(self, app: DeskApp) -> None:
        self.app = app

    def start(self) -> None:
        """Show the first screen: from the first look at once, or once who may sit here is read."""
        app, database = self.app, self.app.database
        look = database.first_look
        if look is None:
            app.run_worker(self._load_staff, thread=True, exit_on_error=False, name="load-staff")
            return
        if look.chosen is None:
            self._ask_staff(look.staff)
        else:
            assert look.first_page is not None
            # The line's number joins the header once the ORM has loaded the phone rules.
            self._show_zone(look.chosen, look.zone_id, look.zone_name, "", look.first_page)
        database.note_activity()  # the first frame counts as a key: the ORM waits for a quiet moment after it
        app.call_after_refresh(self.open_database)  # after the first frame is on its way, not before

    def open_database(self) -> None:
        """Load the ORM and make the engine behind the first frame, in a worker."""
        self.app.run_worker(self._open_database, thread=True, exit_on_error=False, name="open-database")

    def _open_database(self) -> None:
        app, database = self.app, self.app.database
        database.wait_for_quiet()
        with collector.paused():  # what loads now lives all session: no collection need sweep it meanwhile
            engine = database.open()
        look = database.first_look
        # Opened onto the staff picker, signing in listens to the line (_open_zone), so never both.
        if look is None or look.chosen is None:
            return
        from desk import db, phones
        from desk.services import calls, rings

        with db.reading(engine) as session:
            last_ring_id = rings.latest_id(session)
            unfinished = len(calls.unfinished(session, app.zone_id, staff_id=look.chosen.id))
        app.call_from_thread(self._listen, unfinished, last_ring_id, phones.national(look.zone_phone_e164))

    def _load_staff(self) -> None:
        """Who may sit here; when the desk was opened for someone, everything their first screen needs."""
        from desk import db
        from desk.opening import open_zone
        from desk.services import reference

        app = self.app
        with db.reading(app.engine) as session:
            staff = reference.staff(session, app.zone_id or None)
            chosen = next((s for s in staff if s.id == app.wanted_staff_id), None)
            zone_id = app.zone_id or (chosen.zone_id if chosen else "")
            opening = open_zone(session, zone_id, chosen, all_zones=app.settings.all_zones) if chosen else None
        if chosen is None or opening is None:
            app.call_from_thread(self._ask_staff, staff)
        else:
            app.call_from_thread(self._zone_opened, chosen, opening)

    def _ask_staff(self, staff: list[StaffRow]) -> None:
        from screens.staff_picker import StaffPicker

        self.app.push_screen(StaffPicker(staff), self.sign_in)

    def sign_in(self, staff: StaffRow | None) -> None:
        """Someone sat down at the desk (None: they closed it): open their zone and listen to the line."""
        if staff is None:
            self.app.exit()
            return
        self.app.run_worker(lambda: self._open_zone(staff), thread=True, exit_on_error=False, name="open-zone")

    def _open_zone(self, staff: StaffRow) -> None:
        from desk import db
        from desk.opening import open_zone

        app = self.app
        zone_id = app.zone_id or staff.zone_id
        with db.reading(app.engine) as session:
            opening = open_zone(session, zone_id, staff, all_zones=app.settings.all_zones)
        if opening is None:
            app.notify(f"No zone '{zone_id}'.", severity="error")  # thread-safe
            return
        app.call_from_thread(self._zone_opened, staff, opening)

    def _zone_opened(self, staff: StaffRow, opening: Opening) -> None:
        self._show_zone(staff, opening.zone_id, opening.zone_name, opening.zone_phone, opening.first_page)
        self._listen(opening.unfinished, opening.last_ring_id)

    def _show_zone(self, staff: StaffRow, zone_id: str, zone_name: str, zone_phone: str, first_page: Page) -> None:
        """Someone is at the desk: show their zone's caseload."""
        from screens.caseload import CaseloadScreen

        app = self.app
        app.staff, app.zone_id, app.zone_name, app.zone_phone = staff, zone_id, zone_name, zone_phone
        app.refresh_title()
        app.push_screen(CaseloadScreen(first_page=first_page, all_zones=app.settings.all_zones))

    def _listen(self, unfinished: int, last_ring_id: int, zone_phone: str = "") -> None:
        """Start answering the line, settle the collector, and say if this person left calls unfinished."""
        app = self.app
        if zone_phone:
            app.zone_phone = zone_phone
            app.refresh_title()
        app.rings.listen(last_ring_id)
        from screens import reminder_watch  # APScheduler loads once the desk listens, not before its first frame

        reminder_watch.start(app)
        app.collector.settle()
        app.trouble.save_left_over()
        if unfinished:
            app.notify(
                f"{counted(unfinished, 'call')} of yours {were(unfinished)} not finished (the desk closed mid-call). "
                "Press F7 to pick them up; the notes were kept.",
                title="Unfinished calls",
                severity="warning",
                timeout=15,
            )
