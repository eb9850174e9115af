"""The zone line ringing: every open desk sees fresh rings, and exactly one desk answers each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine

from desk import db
from desk.errors import InvalidInput, NotFound
from desk.history import Actor
from desk.models import Ring
from desk.services import calls, rings
from tests.helpers import synthetic, workers
from tests.helpers.dbspec import DbSpec
from tests.helpers.fixtures import FrozenClock


def ring(engine: Engine, number: str, zone: str = "BXM") -> Ring:
    with db.writing(engine) as session:
        return rings.ring(session, zone, number)


def waiting_ids(engine: Engine, zone: str = "BXM", after_id: int = 0) -> list[int]:
    with db.reading(engine) as session:
        return [i.ring_id for i in rings.waiting(session, zone, after_id)]


@pytest.mark.parametrize(
    ("number", "e164"),
    [
        (synthetic.mobile(123), synthetic.e164(synthetic.mobile(123))),
        ("+44 (0)1632 960001", "+441632960001"),
        ("", None),  # withheld
        ("anonymous", None),  # whatever the phone system sends is kept as it came
    ],
)
def test_a_ring_is_recorded_as_it_came(engine: Engine, clock: FrozenClock, number: str, e164: str | None) -> None:
    r = ring(engine, f" {number} ", zone="bxm")
    assert (r.zone_id, r.number_raw, r.number_e164, r.rung_at, r.answered_by) == ("BXM", number, e164, clock.now, None)


def test_an_unknown_zone_lists_the_zones(engine: Engine) -> None:
    with pytest.raises(InvalidInput) as caught:
        ring(engine, synthetic.mobile(1), zone="XYZ")
    assert caught.value.field == "zone"
    assert caught.value.message == "No zone 'XYZ'. Zones: BXM, PGN, PGS, TQN, TQS."


def test_waiting_shows_only_fresh_unanswered_rings_on_this_line(engine: Engine, clock: FrozenClock) -> None:
    stale = ring(engine, synthetic.mobile(1))  # will have rung off
    clock.advance(timedelta(seconds=1))
    fresh = ring(engine, "0113 496 0113")  # a GP practice
    answered = ring(engine, synthetic.mobile(3))
    ring(engine, synthetic.mobile(4), zone="TQN")  # another zone's line
    with db.writing(engine) as session:
        assert rings.claim(session, answered.id, "desk-2")  # type: ignore[arg-type]
    clock.advance(rings.RING_FRESH_FOR)  # `stale` is now 2 min 1 s old, `fresh` exactly 2 min
    with db.reading(engine) as session:
        [incoming] = rings.waiting(session, "BXM", 0)
    assert (incoming.ring_id, incoming.number) == (fresh.id, "0113 496 0113")
    assert incoming.recognition.headline == "Quayside Medical Practice: GP practice L99013"
    assert stale.id not in waiting_ids(engine)


def test_waiting_after_a_ring_the_desk_has_seen(engine: Engine, clock: FrozenClock) -> None:
    first, second, third = (ring(engine, synthetic.mobile(n)) for n in (1, 2, 3))
    assert waiting_ids(engine, after_id=0) == [first.id, second.id, third.id]
    assert waiting_ids(engine, after_id=first.id) == [second.id, third.id]
    assert waiting_ids(engine, after_id=third.id) == []
    with db.reading(engine) as session:
        assert rings.latest_id(session) == third.id


def test_latest_id_of_a_quiet_line(engine: Engine) -> None:
    with db.reading(engine) as session:
        assert rings.latest_id(session) == 0


def test_a_second_desk_cannot_answer_the_same_ring(engine: Engine, clock: FrozenClock) -> None:
    r = ring(engine, synthetic.mobile(1))
    with db.writing(engine) as session:
        assert rings.claim(session, r.id, "desk-1") is True  # type: ignore[arg-type]
    with db.writing(engine) as session:
        assert rings.claim(session, r.id, "desk-2") is False  # type: ignore[arg-type]
        assert session.get(Ring, r.id).answered_by == "desk-1"  # type: ignore[union-attr]


def test_claiming_a_ring_that_is_not_there(engine: Engine) -> None:
    with pytest.raises(NotFound), db.writing(engine) as session:
        rings.claim(session, 424242, "desk-1")


def test_two_desks_pressing_answer_together(engine: Engine, engine_spec: DbSpec, clock: FrozenClock) -> None:
    """Two processes claim the same ring at the same moment: exactly one wins."""
    r = ring(engine, synthetic.mobile(1))
    [ready] = workers.barriers(1)
    results = workers.run_together(
        (workers.claim_ring, (engine_spec, r.id, "desk-1", ready)),
        (workers.claim_ring, (engine_spec, r.id, "desk-2", ready)),
    )
    winners = [res["desk"] for res in results if res["won"]]
    assert len(winners) == 1
    with db.reading(engine) as session:
        assert session.get(Ring, r.id).answered_by == winners[0]  # type: ignore[union-attr]


def test_the_answered_ring_is_linked_to_its_call(engine: Engine, clock: FrozenClock, actor: Actor) -> None:
    r = ring(engine, synthetic.mobile(1))
    with db.writing(engine) as session:
        call = calls.start(session, actor, "BXM", number=r.number_raw, typed=False)
        rings.attach_call(session, r.id, call.id)  # type: ignore[arg-type]
    with db.reading(engine) as session:
        assert session.get(Ring, r.id).call_id == call.id  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("number", "headline"), [("999", "Emergency services (ambulance control) on 999"), ("111", "NHS 111")]
)
def test_ambulance_control_ringing_from_999_is_named_as_the_service(
    engine: Engine, clock: FrozenClock, number: str, headline: str
) -> None:
    r = ring(engine, number)
    assert (r.number_raw, r.number_e164) == (number, None)
    with db.reading(engine) as session:
        [incoming] = rings.waiting(session, "BXM", 0)
    assert incoming.recognition.problem is None
    assert incoming.recognition.headline == headline
    assert [m.person_id for m in incoming.recognition.matches] == [None]  # the service itself, never a person
