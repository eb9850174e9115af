"""The plain rows the first screens show: who is at the desk and a page of the caseload.

Frozen dataclasses with no ORM behind them, so the desk can draw its first
screen from the database driver alone (desk.first_look) while SQLAlchemy is
still loading, and the services can hand the same shapes to every later screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypedDict

from desk import clock, nhs
from desk.vocabulary import ROLES

PAGE_SIZE = 100
"""People per caseload page: a screenful or two, never the whole caseload."""

FILTERS: dict[str, str] = {
    "zone": "Whole zone",
    "mine": "My caseload",
    "hospital": "In hospital",
    "due": "Due today",
    "crisis": "Open crisis",
}

SORTS: dict[str, tuple[str, str]] = {
    # key: (label, column)
    "name": ("Name", "sort_name"),
    "age": ("Age", "date_of_birth"),
    "due": ("Next due", "next_due_on"),
    "practice": ("GP practice", "practice_name"),
    "key_worker": ("Key worker", "key_worker_name"),
}

DUE_RANK = {"rapid": 0, "fast": 1, "normal": 2, "review": 3}
"""Among things due the same day, the most urgent is 'next': a rapid referral before a review."""


class PageOptions(TypedDict, total=False):
    """Which page of the caseload to fetch, beyond the zone: what the caseload screen's keys choose."""

    filter_key: str
    """A key of :data:`FILTERS`."""
    staff_id: int | None
    """Whose caseload 'mine' means."""
    sort: str
    """A key of :data:`SORTS`."""
    descending: bool
    search: str
    """Name, NHS number or phone, however typed."""
    offset: int
    limit: int


@dataclass(frozen=True)
class StaffRow:
    """A member of staff as a picker shows them."""

    id: int
    name: str
    role: str
    zone_id: str

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)


@dataclass(frozen=True)
class CaseloadRow:
    """One line of the caseload screen."""

    person_id: int
    name: str
    nhs_number: str
    date_of_birth: date
    practice: str
    key_worker: str
    health: str
    social: str
    next_due_on: date | None
    next_due_what: str
    lives_alone: bool
    in_hospital: bool
    crisis: bool
    wait_flag_from: date | None = None
    """From this day a package or equipment still waiting will miss (or has missed) its target."""
    pickup: bool = False
    """Discharged from hospital, and nobody in the zone has yet acknowledged the pick-up."""

    @property
    def age(self) -> int:
        return clock.age_on(self.date_of_birth, clock.today())

    @property
    def nhs_display(self) -> str:
        return nhs.display(self.nhs_number)

    @property
    def waiting_at_risk(self) -> bool:
        """A package that will miss 28 days, or equipment that will miss 7, as of today."""
        return self.wait_flag_from is not None and clock.today() >= self.wait_flag_from

    @property
    def flags(self) -> str:
        """Short flags a co-ordinator scans for: CRISIS, HOSP, PICKUP (home, not yet picked up), ALONE, WAIT.

        WAIT is a target at risk or missed.
        """
        out = []
        if self.crisis:
            out.append("CRISIS")
        if self.in_hospital:
            out.append("HOSP")
        if self.pickup:
            out.append("PICKUP")
        if self.lives_alone:
            out.append("ALONE")
        if self.waiting_at_risk:
            out.append("WAIT")
        return " ".join(out)


@dataclass(frozen=True)
class Page:
    """A window of the caseload and where it sits in the whole."""

    rows: list[CaseloadRow]
    offset: int
    total: int
