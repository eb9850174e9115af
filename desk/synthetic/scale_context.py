"""What every stage of the trust-scale seed works with: the reference data, the clock, the records so far.

A stage is a function that takes the :class:`ScaleContext`, reads the records
earlier stages made (``ctx.records.get(Register)``), writes its own rows and
returns its own typed record for the stages after it (or None). Adding a stage
(a crisis line, care packages, ward discharges) is writing one such function
and putting it in :data:`desk.scale.STAGES`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Connection

from desk import clock
from desk.synthetic import rules
from desk.synthetic.bulk import Progress, Sink
from desk.synthetic.vocabulary import Vocabulary, vocabulary
from desk.vocabulary import DISCIPLINE_ROLES

SEED_DESK = "desk seed"
R = TypeVar("R")


class Sizes(NamedTuple):
    """How big a trust to make."""

    people: int
    caseload: int
    calls: int


class PracticeRef(NamedTuple):
    """A GP practice from the shipped reference data."""

    ods_code: str
    name: str
    zone_id: str
    phone_e164: str


class OrgRef(NamedTuple):
    """A ward, care home or other organisation from the shipped reference data."""

    id: int
    kind: str
    name: str
    zone_id: str | None
    phone_e164: str


class StaffRef(NamedTuple):
    """A member of staff from the shipped reference data."""

    id: int
    name: str
    role: str
    zone_id: str


class Records:
    """The typed records the stages have made so far, one of each kind."""

    def __init__(self) -> None:
        self._by_kind: dict[type, object] = {}

    def put(self, record: object) -> None:
        """Keep a stage's record for the stages after it."""
        self._by_kind[type(record)] = record

    def get(self, kind: type[R]) -> R:
        """The record of ``kind`` an earlier stage made (a KeyError names a stage run out of order)."""
        record = self._by_kind[kind]
        if not isinstance(record, kind):  # pragma: no cover - put() keys by type, so this cannot happen
            raise TypeError(kind)
        return record


@dataclass
class ScaleContext:
    """The seed's reference data, clock, random generator and writer; records and counts grow as stages run."""

    conn: Connection
    rng: random.Random
    now: datetime  # naive UTC, as the bulk writer takes it
    today: date  # the office's (Europe/London) date
    sizes: Sizes
    progress: Progress
    sink: Sink
    practices: list[PracticeRef]
    orgs: list[OrgRef]
    staff: list[StaffRef]
    words: Vocabulary
    records: Records = field(default_factory=Records)
    counts: dict[str, int] = field(default_factory=dict)
    _staff_by: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    _role: dict[int, str] = field(default_factory=dict)
    _choices: dict[str, rules.Choice] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for s in self.staff:
            self._role[s.id] = s.role
            self._staff_by.setdefault((s.zone_id, s.role), []).append(s.id)

    def write(self, count_as: str, table: str, columns: Sequence[str], rows: Any) -> None:
        """Write rows to ``table`` and count them under ``count_as``."""
        self.counts[count_as] = self.sink.write(table, columns, rows)

    def staff_with(self, zone: str, *roles: str) -> list[int]:
        """The zone's staff of the first of ``roles`` it has (anyone at all, failing that)."""
        for role in roles:
            if ids := self._staff_by.get((zone, role)):
                return ids
        return [self.staff[0].id]

    def pick(self, name: str, weights: Mapping[str, Any]) -> str:
        """A weighted pick from ``weights``, made ready once under ``name`` (the seed picks thousands of times)."""
        choice = self._choices.get(name)
        if choice is None:
            choice = self._choices[name] = rules.Choice(weights)
        return choice.pick(self.rng)

    def role_of(self, staff_id: int) -> str:
        """The role of a member of staff."""
        return self._role[staff_id]

    def staff_for(self, zone: str, discipline: str) -> int:
        """One of the zone's professionals of this discipline (a nurse where there is none)."""
        ids = self.staff_with(zone, DISCIPLINE_ROLES[discipline], "nurse")
        return ids[self.rng.randrange(len(ids))]

    def call_taker(self, zone: str, reason: str, caller: str) -> int:
        """Who at the zone's desk took a call of this reason from this kind of caller."""
        ids = self.staff_with(zone, *rules.taker_roles(reason, caller))
        return ids[self.rng.randrange(len(ids))]

    def working_time(self, day: date, *, out_of_hours: float = 0.06) -> datetime:
        """A believable local time on ``day`` as naive UTC: office hours, now and then early or late."""
        rng = self.rng
        if rng.random() < out_of_hours:
            minute = rng.choice((rng.randrange(7 * 60, 8 * 60), rng.randrange(18 * 60, 22 * 60)))
        else:
            minute = rng.randrange(8 * 60, 18 * 60)
        local = datetime.combine(day, time(minute // 60, minute % 60, rng.randrange(60)), tzinfo=clock.LONDON)
        return local.astimezone(UTC).replace(tzinfo=None)

    def past_day(self, max_days: int, min_days: int = 0) -> date:
        """A day in the last ``max_days``, mostly a weekday."""
        rng = self.rng
        d = self.today
        for _ in range(4):
            d = self.today - timedelta(days=rng.randint(min_days, max_days))
            if d.weekday() < 5 or rng.random() < 0.35:
                return d
        return d


def open_context(conn: Connection, rng: random.Random, now: datetime, sizes: Sizes, progress: Progress) -> ScaleContext:
    """A context over the reference data already on ``conn`` (practices, organisations, staff)."""
    ref = conn.exec_driver_sql
    return ScaleContext(
        conn=conn,
        rng=rng,
        now=now.astimezone(UTC).replace(tzinfo=None),
        today=now.astimezone(clock.LONDON).date(),
        sizes=sizes,
        progress=progress,
        sink=Sink(conn),
        practices=[
            PracticeRef(*r)
            for r in ref("SELECT ods_code, name, zone_id, phone_e164 FROM practice ORDER BY ods_code").all()
        ],
        orgs=[OrgRef(*r) for r in ref("SELECT id, kind, name, zone_id, phone_e164 FROM organisation ORDER BY id")],
        staff=[StaffRef(*r) for r in ref("SELECT id, name, role, zone_id FROM staff ORDER BY id").all()],
        words=vocabulary(),
    )


Stage = Callable[[ScaleContext], object]


def run_stages(ctx: ScaleContext, stages: Sequence[Stage]) -> None:
    """Run each stage in turn, keeping the record it returns for those after it."""
    for stage in stages:
        record = stage(ctx)
        if record is not None:
            ctx.records.put(record)
