"""The desk's first screen, read with the database driver alone.

Loading SQLAlchemy, SQLModel and the tables takes longer than drawing a whole
Textual screen; a co-ordinator opening the desk should not wait for it. So
what the first screen needs (who may sit at the desk, their zone, the first
page of its caseload in the default order) is read here with ``sqlite3`` or
``psycopg`` directly, and the ORM loads behind the first frame.

The caseload page is the very query the services run (desk.caseload_query);
the staff and zone look-ups mirror ``reference.staff`` and ``reference.zone``,
and a test on both databases holds them to the same answers. Anything out of
the ordinary (a
schema not at head, a file that is not there, a zone that is not known, a demo
not yet seeded, a driver error) gives None, and the desk goes the ordinary
way in, where the ORM migrates, seeds and explains.
"""

from __future__ import annotations

import logging
import os
import pickle
from dataclasses import dataclass
from typing import Any

from desk import caseload_query, clock, driver
from desk.rows import PAGE_SIZE, Page, StaffRow

HEAD_REVISION = "0010"
"""The newest migration; a test checks it against Alembic's own idea of head."""

log = logging.getLogger("zone-desk")


@dataclass(frozen=True)
class FirstLook:
    """Everything the desk's first screen shows, fetched before the ORM is loaded."""

    url: str
    staff: list[StaffRow]
    """Who may sit at this desk: the staff picker's list."""
    chosen: StaffRow | None
    """Who the desk was opened for (``--staff``), when they are on that list."""
    zone_id: str = ""
    zone_name: str = ""
    zone_phone_e164: str = ""
    first_page: Page | None = None
    """The caseload's first page (None until someone is at the desk)."""


_STAFF = "SELECT id, name, role, zone_id FROM staff WHERE active = :yes{zone} ORDER BY name"
_ZONE = "SELECT id, name, phone_e164 FROM zone WHERE id = :zone"


def first_look(
    url: str,
    *,
    zone: str = "",
    staff_id: int | None = None,
    all_zones: bool = False,
    page_size: int = PAGE_SIZE,
    seeded: bool = False,
) -> FirstLook | None:
    """What the first screen shows, or None when the desk must go the ordinary way in.

    ``zone`` is the line this desk answers (empty: the chosen person's own
    zone); ``seeded`` asks that somebody be registered already (the demo,
    which the ordinary way in would seed first).
    """
    try:
        reader = driver.connect(url)
    except Exception as exc:  # either driver's errors: the ordinary way in will report them
        log.info("first look: could not connect (%s); opening the ordinary way", exc)
        return None
    if reader is None:
        return None
    try:
        return _look(reader, url, zone.upper(), staff_id, all_zones, page_size, seeded)
    except Exception as exc:  # a table missing, a column renamed: the ORM's path will tell
        log.info("first look: %s; opening the ordinary way", exc)
        return None
    finally:
        reader.close()


def _look(
    reader: driver.Reader,
    url: str,
    zone: str,
    staff_id: int | None,
    all_zones: bool,
    page_size: int,
    seeded: bool,
) -> FirstLook | None:
    if [r[0] for r in reader.rows("SELECT version_num FROM alembic_version")] != [HEAD_REVISION]:
        return None  # the schema needs migrating first
    if seeded and not reader.rows("SELECT 1 FROM person LIMIT 1"):
        return None
    staff_sql, params = (
        (_STAFF.format(zone=" AND zone_id = :zone"), {"zone": zone}) if zone else (_STAFF.format(zone=""), {})
    )
    staff = [StaffRow(*r) for r in reader.rows(staff_sql, {"yes": True, **params})]
    chosen = next((s for s in staff if s.id == staff_id), None)
    if chosen is None:
        return FirstLook(url, staff, None)
    zone_id = zone or chosen.zone_id
    found = reader.rows(_ZONE, {"zone": zone_id})
    if not found:
        return None  # the ordinary way in says which zone is missing
    zone_id, zone_name, phone = found[0]
    page = caseload_query.page(
        reader.rows,
        reader.dialect,
        None if all_zones else zone_id,
        today=clock.today(),
        staff_id=chosen.id,
        limit=page_size,
    )
    return FirstLook(url, staff, chosen, zone_id, zone_name, phone, page)


class Prefetch:
    """The first look, read in a forked child while this process loads the user interface.

    Importing Textual takes a core for a third of a second, and PostgreSQL's
    driver another tenth before the first query; on a machine with a second
    core the two can happen side by side. Fork only from a process with no
    threads yet (the ``desk`` command, before Textual starts). Where there is
    no fork, or the child fails, :meth:`result` looks in this process instead.
    """

    def __init__(self, url: str, **options: Any) -> None:
        self.url, self.options = url, options
        self._pid = 0
        self._pipe = -1
        if not hasattr(os, "fork"):
            return
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: look, hand the answer over, leave without running the parent's exit handlers
            status = 1
            try:
                os.close(read_end)
                data = pickle.dumps(first_look(url, **options))
                with os.fdopen(write_end, "wb") as out:
                    out.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        self._pid, self._pipe = pid, read_end

    def result(self) -> FirstLook | None:
        """The child's answer (waiting for it if need be), or one looked up here."""
        if not self._pid:
            return first_look(self.url, **self.options)
        with os.fdopen(self._pipe, "rb") as answer:
            data = answer.read()
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        if status != 0 or not data:
            log.info("first look: the child process failed (status %s); looking here", status)
            return first_look(self.url, **self.options)
        look: FirstLook | None = pickle.loads(data)
        return look
