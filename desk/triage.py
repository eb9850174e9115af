"""Triage clocks: how soon each urgency must be seen.

From the single point of referral model: Rapid within 3 hours, Fast within
1 day, Normal within 3 days. One place, so the caseload, the demo data and
(later) the crisis clock agree.
"""

from __future__ import annotations

from datetime import datetime, timedelta

URGENCY_WITHIN: dict[str, timedelta] = {
    "rapid": timedelta(hours=3),
    "fast": timedelta(days=1),
    "normal": timedelta(days=3),
}


def due_at(received_at: datetime, urgency: str) -> datetime:
    """When a referral of this urgency, received then, must have been responded to."""
    return received_at + URGENCY_WITHIN[urgency]
