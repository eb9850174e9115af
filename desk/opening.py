"""The desk's database from the first frame on: a first look now, the ORM's engine behind it.

A desk opened by the ``desk`` command shows a first look read with the bare
driver (desk.first_look) while SQLAlchemy loads; a desk opened for a test or a
script is handed an engine ready to use. :class:`DeskDatabase` hides which:
screens ask it for a caseload page or for the engine, and it answers from the
driver until the engine is open, then from the engine.
"""

from __future__ import annotations

import importlib
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Unpack

from desk.errors import DeskError, classify
from desk.first_look import FirstLook
from desk.kept_notes import Draft, KeptNotes
from desk.rows import PAGE_SIZE, Page, PageOptions, StaffRow

if TYPE_CHECKING:  # the ORM loads behind the first frame, never before it
    from sqlalchemy import Engine
    from sqlmodel import Session

ENGINE_WAIT_S = 60.0
"""How long a worker that needs the engine waits for it to open before saying so."""
WARM_SERVICES = ("calls", "caseload", "people", "rings", "search", "timeline")
"""The services the first keys after the caseload need, imported while the engine opens so none waits for them."""
QUIET_BEFORE_LOADING_S = 0.3
"""Behind a first look, the ORM starts loading once the caseload has had no key this long (or the engine is wanted)."""


class DeskDatabase:
    """The database one desk works on: either an engine ready to use, or a first look with the engine made behind it.

    Thread-safe: workers wait on it, the loading worker opens it.
    """

    def __init__(
        self, engine: Engine | None = None, *, first_look: FirstLook | None = None, kept: KeptNotes | None = None
    ) -> None:
        if engine is None and first_look is None:
            raise ValueError("a desk's database needs an engine or a first look")
        self.first_look = first_look
        self.opened = threading.Event()
        """Set once the engine is open (or could not be: see :attr:`problem`)."""
        self.loading = threading.Event()
        """Set once the ORM has started loading (behind a first look)."""
        self.problem = ""
        """Why the engine could not be opened, in plain words ("" when it could)."""
        self._engine = engine
        self._kept = kept
        self._wanted = threading.Event()
        self._last_driver_read = 0.0
        if engine is not None:
            self.opened.set()

    @property
    def ready(self) -> bool:
        """True once the engine is open; until then the caseload reads through the driver."""
        return self.opened.is_set() and self._engine is not None

    @property
    def engine(self) -> Engine:
        """The engine. Behind a first look it may still be opening: a worker that needs it waits here."""
        self._wanted.set()
        if not self.opened.wait(ENGINE_WAIT_S):
            raise DeskError("The database is taking a long time to open. Check the connection, then try again.")
        if self._engine is None:
            raise DeskError(self.problem)
        return self._engine

    @property
    def kept(self) -> KeptNotes:
        """Call notes this desk holds while the database cannot take them (see desk.kept_notes)."""
        if self._kept is None:
            url = self.first_look.url if self.first_look else self.engine.url.render_as_string(hide_password=False)
            self._kept = KeptNotes.for_database(url)
        return self._kept

    def save_draft(self, draft: Draft) -> None:
        """Save what is typed on a call; while the database is away it is kept on this desk (and this raises)."""
        self.kept.save(self.engine, draft)

    def save_kept(self) -> int:
        """Save the notes kept on this desk while the database was away; how many calls' notes were saved."""
        return self.kept.save_kept(self.engine)

    def caseload_page(self, zone_id: str | None, **options: Unpack[PageOptions]) -> Page:
        """A page of the caseload: through the engine once it is open, until then through the driver.

        The caseload is the first screen, so its keys answer from the first
        frame; both ways run the same SQL (desk.caseload_query).
        """
        if self.first_look is not None and not self.opened.is_set():
            from desk import caseload_query, clock, driver

            self.note_activity()
            reader = driver.connect(self.first_look.url)
            if reader is not None:
                try:
                    return caseload_query.page(reader.rows, reader.dialect, zone_id, today=clock.today(), **options)
                finally:
                    reader.close()
                    self.note_activity()
        from desk import db
        from desk.services import caseload

        with db.reading(self.engine) as session:
            return caseload.page(session, zone_id, **options)

    def note_activity(self) -> None:
        """The co-ordinator just did something: the loading waits for the next quiet moment."""
        self._last_driver_read = time.monotonic()

    def wait_for_quiet(self) -> None:
        """Block until the co-ordinator's keys pause, or something needs the engine now.

        Loading the ORM takes a core for a second and the interpreter runs one
        thread at a time, so the first keys on the caseload go first.
        """
        while not self._wanted.is_set() and time.monotonic() - self._last_driver_read < QUIET_BEFORE_LOADING_S:
            self._wanted.wait(0.05)

    def open(self) -> Engine:
        """Load the ORM and make the engine behind the first look (from a worker); raises with a plain message.

        Imports the services the next keys need before saying the engine is
        ready, so none of them pays for SQLAlchemy later.
        """
        if self._engine is not None:
            return self._engine
        assert self.first_look is not None
        self.loading.set()
        try:
            from desk import db

            for service in WARM_SERVICES:
                importlib.import_module(f"desk.services.{service}")
            engine = db.make_engine(self.first_look.url)
            db.migrate(engine)  # the first look saw it at head: one query
        except Exception as exc:
            self.problem = f"The database could not be opened. {classify(exc).message}"
            self.opened.set()
            raise DeskError(self.problem) from exc
        self._engine = engine
        self.opened.set()
        return engine


@dataclass(frozen=True)
class Opening:
    """What the first screen of a desk needs once someone sits at it, fetched together in one session."""

    zone_id: str
    zone_name: str
    zone_phone: str
    """The zone line's number as the office says it."""
    unfinished: int
    """Calls this person left unfinished (the desk closed mid-call)."""
    first_page: Page
    last_ring_id: int
    """The newest ring already on the line: the desk announces only rings after it."""


def open_zone(session: Session, zone_id: str, staff: StaffRow, *, all_zones: bool = False) -> Opening | None:
    """The zone, the unfinished calls, the first caseload page and the line's last ring; None if no such zone."""
    from desk import phones
    from desk.services import calls, caseload, reference, rings

    zone = reference.zone(session, zone_id)
    if zone is None:
        return None
    unfinished = calls.unfinished(session, zone_id, staff_id=staff.id)
    first = caseload.page(session, None if all_zones else zone_id, staff_id=staff.id, limit=PAGE_SIZE)
    return Opening(
        zone_id, zone.name, phones.national(zone.phone_e164), len(unfinished), first, rings.latest_id(session)
    )
