"""Each person's crisis plan: who to ring, what has worked before, what the person wants.

On screen while the crisis worker escalates; editable on the person record,
every change kept in the history with who, when and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from desk import clock, history
from desk.crisis_models import CrisisPlan
from desk.errors import InvalidForm, StaleRecord
from desk.history import Actor
from desk.models import Person

_FIELDS = ("who_to_ring", "what_has_worked", "what_they_want")


@dataclass(frozen=True)
class CrisisPlanInput:
    """The plan as edited; ``expected_version`` is 0 for a plan not yet written."""

    person_id: int
    who_to_ring: str
    what_has_worked: str
    what_they_want: str
    expected_version: int
    why: str


@dataclass(frozen=True)
class CrisisPlanView:
    """The plan as shown; version 0 and no ``updated_at`` when none is written yet."""

    person_id: int
    version: int
    who_to_ring: str
    what_has_worked: str
    what_they_want: str
    updated_at: datetime | None

    @property
    def is_empty(self) -> bool:
        """True when nothing is written yet."""
        return not (self.who_to_ring or self.what_has_worked or self.what_they_want)


def plan_for(session: Session, person_id: int) -> CrisisPlanView:
    """The person's crisis plan (an empty one if none is written)."""
    plan = session.get(CrisisPlan, person_id)
    if plan is None:
        return CrisisPlanView(person_id, 0, "", "", "", None)
    return CrisisPlanView(
        person_id, plan.version, plan.who_to_ring, plan.what_has_worked, plan.what_they_want, plan.updated_at
    )


def save_plan(session: Session, actor: Actor, data: CrisisPlanInput) -> CrisisPlanView:
    """Write or change the plan; refused if another desk saved it since it was read."""
    problems: dict[str, str] = {}
    if session.get(Person, data.person_id) is None:
        problems["person"] = "That person is no longer on the register."
    values = {k: str(getattr(data, k)).strip() for k in _FIELDS}
    if not any(values.values()):
        problems["who_to_ring"] = "Write at least who to ring in a crisis."
    if not data.why.strip():
        problems["why"] = "Say why the plan is changing (e.g. 'agreed with Doris and her daughter')."
    if problems:
        raise InvalidForm(problems)
    plan = session.get(CrisisPlan, data.person_id)
    if plan is None:
        if data.expected_version != 0:
            raise StaleRecord("This crisis plan was removed at another desk: reopen the record.")
        plan = CrisisPlan(
            person_id=data.person_id,
            updated_at=clock.now(),
            who_to_ring=values["who_to_ring"],
            what_has_worked=values["what_has_worked"],
            what_they_want=values["what_they_want"],
        )
        history.create(session, actor, plan, data.why.strip(), person_id=data.person_id)
    else:
        if data.expected_version == 0:
            raise StaleRecord(
                "Someone wrote this crisis plan at another desk while you were writing yours. "
                "Nothing of yours was saved: reopen it to see theirs, then make your change."
            )
        history.change(
            session,
            actor,
            plan,
            {**values, "updated_at": clock.now()},
            expected_version=data.expected_version,
            why=data.why.strip(),
            person_id=data.person_id,
            label="crisis plan",
        )
    return plan_for(session, data.person_id)
