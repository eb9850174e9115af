"""Who sits at the desk: the roles that answer the zone line, and the order the staff picker offers them."""

from __future__ import annotations

from desk.rows import StaffRow

DESK_ROLES: dict[str, int] = {"coordinator": 0, "crisis_worker": 1, "discharge_coordinator": 2}
"""The roles that sit at the desk, in the order they are offered; everyone else follows."""


def seating_order(staff: list[StaffRow]) -> list[StaffRow]:
    """Zone by zone, the people who sit at the desk first (by role, then name), then the rest by name."""
    return sorted(staff, key=lambda s: (s.zone_id, s.role not in DESK_ROLES, DESK_ROLES.get(s.role, 9), s.name))
