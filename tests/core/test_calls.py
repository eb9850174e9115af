"""Calls on the zone line: recognised, typed into, never lost, finished, listed by the office's day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import Engine, func
from sqlmodel import select

import desk.clock
from desk import db
from desk.errors import InvalidForm, InvalidInput, NotFound, StaleRecord
from desk.history import Actor
from desk.models import Call, CallDraft, History, Person
from desk.services import calls, people
from desk.services.recognise import recognise
from tests.helpers import synthetic
from tests.helpers.fixtures import FrozenClock, Registrar

CARER_PHONE = synthetic.mobile(123)
DORIS_PHONE = synthetic.landline(1)


@pytest.fixture
def doris(engine: Engine, register: Registrar, actor: Actor) -> Person:
    """Doris, whose daughter Jean cares for her and rings about her."""
    person = register(family_name="Pascoe", given_name="Doris", phone=DORIS_PHONE)
    with db.writing(engine) as session:
        people.add_contact(
            session,
            actor,
            person.id,
            people.ContactDetails(
                name="Jean Pascoe",
                relationship="daughter",  # type: ignore[arg-type]
                phone=CARER_PHONE,
                is_carer=True,
            ),
        )
    return person


def start(engine: Engine, actor: Actor, number: str = "") -> Call:
    with db.writing(engine) as session:
        return calls.start(session, actor, "BXM", number=number)


def finish(engine: Engine, actor: Actor, call: Call, *, version: int | None = None, **fields: object) -> Call:
    values: dict[str, object] = dict(
        person_id=call.person_id, reason="advice", notes="Fell in the night.", outcome="Crisis team visiting today."
    )
    values.update(fields)
    with db.writing(engine) as session:
        return calls.finish(
            session,
            actor,
            call.id,  # type: ignore[arg-type]
            calls.CallDetails(**values),  # type: ignore[arg-type]
            expected_version=call.version if version is None else version,
        )


def call_history(engine: Engine, call_id: int) -> list[History]:
    with db.reading(engine) as session:
        return list(
            session.exec(
                select(History).where(History.entity == "call", History.entity_id == str(call_id)).order_by(History.id)
            )
        )


# --- starting -------------------------------------------------------------------------


def test_a_carer_ringing_opens_a_call_about_the_person_they_care_for(
    engine: Engine, doris: Person, actor: Actor, clock: FrozenClock
) -> None:
    call = start(engine, actor, CARER_PHONE)
    assert (call.caller_kind, call.caller_name) == ("carer", "Carer of Doris PASCOE: Jean Pascoe (daughter)")
    assert call.person_id == doris.id and call.caller_person_id is None and call.caller_contact_id is not None
    assert (call.caller_e164, call.caller_raw) == (synthetic.e164(CARER_PHONE), CARER_PHONE)
    assert (call.status, call.started_at, call.taken_by_id, call.desk) == ("open", clock.now, actor.staff_id, "desk-1")


def test_the_person_ringing_themselves(engine: Engine, doris: Person, actor: Actor) -> None:
    call = start(engine, actor, DORIS_PHONE)
    assert (call.caller_kind, call.caller_person_id, call.person_id) == ("person", doris.id, doris.id)


@pytest.mark.parametrize(
    ("number", "kind", "person"),
    [("", "unknown", None), (synthetic.london(1), "unknown", None), ("0113 496 0113", "practice", None)],
)
def test_callers_not_about_a_known_person(engine: Engine, actor: Actor, number: str, kind: str, person: None) -> None:
    call = start(engine, actor, number)
    assert (call.caller_kind, call.person_id) == (kind, person)


@pytest.mark.parametrize(
    ("typed", "kind", "name"),
    [
        ("999", "emergency", "Emergency services (ambulance control) on 999"),
        ("9 9 9", "emergency", "Emergency services (ambulance control) on 999"),
        ("112", "emergency", "Emergency services (ambulance control) on 112"),
        (" 1 1 1 ", "nhs_111", "NHS 111"),
    ],
)
@pytest.mark.parametrize("typed_at_desk", [True, False])
def test_short_numbers_start_a_call_from_the_service(
    engine: Engine, doris: Person, actor: Actor, typed: str, kind: str, name: str, typed_at_desk: bool
) -> None:
    """Ambulance control rings (or 999 is typed): accepted, named as the service, about nobody yet."""
    with db.writing(engine) as session:
        call = calls.start(session, actor, "BXM", number=typed, typed=typed_at_desk)
    assert (call.caller_kind, call.caller_name, call.caller_raw) == (kind, name, typed.strip())
    assert call.person_id is None and call.caller_person_id is None and call.caller_e164 is None
    with db.reading(engine) as session:
        [row] = calls.log_for_day(session, "BXM")
    assert row.caller == name


def test_a_shared_number_starts_a_call_about_nobody_until_the_coordinator_chooses(
    engine: Engine, register: Registrar, actor: Actor
) -> None:
    """A son who cares for both parents rings: the desk does not guess which parent."""
    son = synthetic.mobile(300)
    parents = [register(family_name="Brimble", given_name=given) for given in ("Bill", "Betty")]
    with db.writing(engine) as session:
        for parent in parents:
            people.add_contact(
                session,
                actor,
                parent.id,
                people.ContactDetails(name="Rob Brimble", relationship="son", phone=son, is_carer=True),
            )
    call = start(engine, actor, son)
    assert (call.caller_kind, call.caller_name, call.person_id) == ("unknown", "", None)
    with db.reading(engine) as session:
        matches = recognise(session, son).matches
    assert [m.person_id for m in matches] == [p.id for p in parents]  # every match, none picked

    with db.writing(engine) as session:
        chosen = calls.choose_caller(session, actor, call.id, matches[1], expected_version=call.version)  # type: ignore[arg-type]
    assert (chosen.caller_kind, chosen.caller_name, chosen.person_id) == (
        "carer",
        "Carer of Betty BRIMBLE: Rob Brimble (son)",
        parents[1].id,
    )
    assert chosen.version == call.version + 1
    assert call_history(engine, call.id)[-1].why == "Caller chosen: Carer of Betty BRIMBLE: Rob Brimble (son)"  # type: ignore[arg-type]

    with db.writing(engine) as session:
        nobody = calls.choose_caller(session, actor, call.id, None, expected_version=chosen.version)  # type: ignore[arg-type]
    assert (nobody.caller_kind, nobody.caller_name) == ("unlisted", "")
    with pytest.raises(StaleRecord):
        with db.writing(engine) as session:
            calls.choose_caller(session, actor, call.id, matches[0], expected_version=call.version)  # type: ignore[arg-type]


def test_a_typed_number_must_be_possible(engine: Engine, actor: Actor) -> None:
    with pytest.raises(InvalidInput, match="cannot be a phone number"):
        start(engine, actor, "0180321055199999")


def test_nobody_at_the_desk_cannot_take_a_call(engine: Engine) -> None:
    with pytest.raises(InvalidForm) as caught:
        start(engine, Actor(None, "desk-1"))
    assert "Choose who is at the desk" in caught.value.problems["staff"]


# --- notes survive a crash ---------------------------------------------------------------


def test_notes_survive_a_crash(engine: Engine, reopen: Callable[[], Engine], doris: Person, actor: Actor) -> None:
    """Typed notes are in the database the moment they are saved: a new process finds them."""
    call = start(engine, actor, CARER_PHONE)
    with db.writing(engine) as session:
        calls.save_draft(
            session,
            call.id,  # type: ignore[arg-type]
            calls.CallDetails(person_id=doris.id, reason="crisis", notes="Mum fell at 3am, on the floor an hour."),
        )
    engine.dispose()  # the desk dies: nothing held in memory survives

    restarted = reopen()
    with db.reading(restarted) as session:
        [again] = calls.unfinished(session, "BXM")
    assert (again.id, again.status, again.person_id) == (call.id, "open", doris.id)
    assert (again.reason, again.notes, again.outcome) == ("crisis", "Mum fell at 3am, on the floor an hour.", "")
    assert again.caller_name == "Carer of Doris PASCOE: Jean Pascoe (daughter)"


def test_unfinished_is_per_zone_and_per_person_at_the_desk(engine: Engine, actor: Actor, bxm_staff: dict) -> None:  # type: ignore[type-arg]
    mine = start(engine, actor)
    theirs = start(engine, Actor(bxm_staff["crisis_worker"].id, "desk-2"))
    with db.reading(engine) as session:
        assert [c.id for c in calls.unfinished(session, "BXM")] == [mine.id, theirs.id]
        assert [c.id for c in calls.unfinished(session, "BXM", staff_id=actor.staff_id)] == [mine.id]
        assert calls.unfinished(session, "TQN") == []


def test_drafts_keep_only_the_latest_text(engine: Engine, actor: Actor, clock: FrozenClock) -> None:
    call = start(engine, actor)
    for notes in ("Rang about", "Rang about her feet", "Rang about her feet; GP aware"):
        clock.advance(timedelta(seconds=5))
        with db.writing(engine) as session:
            calls.save_draft(session, call.id, calls.CallDetails(notes=notes))  # type: ignore[arg-type]
    with db.reading(engine) as session:
        draft = session.get(CallDraft, call.id)
        assert draft is not None and (draft.notes, draft.saved_at) == ("Rang about her feet; GP aware", clock.now)
        assert calls.state(session, call.id).notes == "Rang about her feet; GP aware"  # type: ignore[arg-type]


# --- finishing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "outcome", "problems"),
    [("", "", {"reason", "outcome"}), ("not-a-reason", "Advice given", {"reason"}), ("advice", "   ", {"outcome"})],
)
def test_finish_needs_a_reason_and_an_outcome(
    engine: Engine, actor: Actor, reason: str, outcome: str, problems: set[str]
) -> None:
    call = start(engine, actor)
    with pytest.raises(InvalidForm) as caught:
        finish(engine, actor, call, reason=reason, outcome=outcome)
    assert set(caught.value.problems) == problems
    with db.reading(engine) as session:
        saved = session.get(Call, call.id)
        assert saved is not None and (saved.status, saved.version, saved.outcome) == ("open", call.version, "")
        assert session.get(CallDraft, call.id) is not None
    assert [h.action for h in call_history(engine, call.id)] == ["create"]  # type: ignore[arg-type]


def test_finish_about_someone_no_longer_registered(engine: Engine, actor: Actor) -> None:
    call = start(engine, actor)
    with pytest.raises(InvalidForm) as caught:
        finish(engine, actor, call, person_id=424242)
    assert "no longer on the register" in caught.value.problems["person"]


def test_finish_writes_the_call_and_removes_the_draft(
    engine: Engine, doris: Person, actor: Actor, clock: FrozenClock
) -> None:
    call = start(engine, actor, CARER_PHONE)
    started = clock.now
    clock.advance(timedelta(minutes=4, seconds=30))
    done = finish(engine, actor, call, notes="Fell in the night.\n\n", outcome="  Crisis team visiting today. ")
    assert (done.status, done.started_at, done.ended_at, done.version) == (
        "finished",
        started,
        clock.now,
        call.version + 1,
    )
    assert (done.reason, done.notes, done.outcome) == ("advice", "Fell in the night.", "Crisis team visiting today.")
    with db.reading(engine) as session:
        assert session.get(CallDraft, call.id) is None
        assert calls.unfinished(session, "BXM") == []
        assert calls.state(session, call.id).status == "finished"  # type: ignore[arg-type]
    created, finished = call_history(engine, call.id)  # type: ignore[arg-type]
    assert (created.action, finished.action) == ("create", "update")
    assert finished.why == "Call finished" and finished.person_id == doris.id
    assert finished.after is not None and finished.after["status"] == "finished" and finished.before["status"] == "open"  # type: ignore[index]


def test_nothing_more_can_be_typed_into_a_finished_call(engine: Engine, actor: Actor) -> None:
    call = start(engine, actor)
    finish(engine, actor, call)
    with pytest.raises(NotFound, match="already finished"), db.writing(engine) as session:
        calls.save_draft(session, call.id, calls.CallDetails(notes="late note"))  # type: ignore[arg-type]


def test_a_stale_finish_is_refused(engine: Engine, actor: Actor, bxm_staff: dict) -> None:  # type: ignore[type-arg]
    """Another desk finished the call first: ours is refused and theirs stands."""
    call = start(engine, actor)
    finish(engine, Actor(bxm_staff["coordinator"].id, "desk-2"), call, reason="advice", outcome="Told to ring GP.")
    with pytest.raises(StaleRecord, match="call was changed at another desk"):
        finish(engine, actor, call, reason="other", outcome="Crisis visit.")
    with db.reading(engine) as session:
        saved = session.get(Call, call.id)
        assert saved is not None and (saved.reason, saved.outcome, saved.desk) == (
            "advice",
            "Told to ring GP.",
            "desk-1",
        )
    assert [h.action for h in call_history(engine, call.id)] == ["create", "update"]  # type: ignore[arg-type]


# --- the day's log, in the office's day --------------------------------------------------


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=desk.clock.LONDON)


@pytest.mark.parametrize(
    ("started", "office_day"),
    [
        # British Summer Time: UTC + 1
        (datetime(2026, 6, 1, 22, 59, tzinfo=UTC), date(2026, 6, 1)),  # 23:59 on the 1st
        (datetime(2026, 6, 1, 23, 0, tzinfo=UTC), date(2026, 6, 2)),  # midnight: the 2nd
        (datetime(2026, 6, 1, 23, 30, tzinfo=UTC), date(2026, 6, 2)),  # 00:30 on the 2nd
        # Greenwich Mean Time: UTC
        (datetime(2026, 11, 23, 23, 59, tzinfo=UTC), date(2026, 11, 23)),
        (datetime(2026, 11, 24, 0, 0, tzinfo=UTC), date(2026, 11, 24)),
        # the night the clocks go back (25 October 2026, 02:00 BST becomes 01:00 GMT)
        (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), date(2026, 10, 25)),
        (datetime(2026, 10, 25, 23, 30, tzinfo=UTC), date(2026, 10, 25)),
    ],
)
def test_log_for_day_uses_the_office_calendar(
    engine: Engine, actor: Actor, clock: FrozenClock, started: datetime, office_day: date
) -> None:
    clock.set(started)
    call = start(engine, actor)
    with db.reading(engine) as session:
        clock.set(_noon(office_day))
        assert [r.id for r in calls.log_for_day(session, "BXM")] == [call.id]  # today, by default
        for other in (office_day - timedelta(days=1), office_day + timedelta(days=1)):
            assert calls.log_for_day(session, "BXM", _noon(other)) == []
        assert [r.id for r in calls.log_for_day(session, "BXM", _noon(office_day))] == [call.id]


def test_log_rows_read_as_the_screen_shows_them(
    engine: Engine, doris: Person, actor: Actor, clock: FrozenClock
) -> None:
    first = start(engine, actor, CARER_PHONE)
    clock.advance(timedelta(minutes=2, seconds=5))
    finish(engine, actor, first)
    clock.advance(timedelta(minutes=10))
    second = start(engine, actor)  # withheld, still open
    with db.reading(engine) as session:
        newest, oldest = calls.log_for_day(session, "BXM")
        assert calls.log_for_day(session, "TQN") == []
    assert (newest.id, newest.caller, newest.person, newest.status, newest.minutes) == (
        second.id,
        "Withheld",
        "",
        "open",
        "open",
    )
    assert (oldest.id, oldest.person, oldest.reason, oldest.minutes) == (first.id, "PASCOE, Doris", "Advice", "2:05")
    assert (
        oldest.caller == "Carer of Doris PASCOE: Jean Pascoe (daughter)"
        and oldest.outcome == "Crisis team visiting today."
    )


def test_calls_and_history_counts_after_a_whole_call(engine: Engine, doris: Person, actor: Actor) -> None:
    """Start, three drafts, finish: one call, no draft, and two history entries for it."""
    call = start(engine, actor, CARER_PHONE)
    for notes in ("a", "ab", "abc"):
        with db.writing(engine) as session:
            calls.save_draft(session, call.id, calls.CallDetails(doris.id, "advice", notes))  # type: ignore[arg-type]
    finish(engine, actor, call)
    with db.reading(engine) as session:
        assert session.exec(select(func.count()).select_from(Call)).one() == 1
        assert session.exec(select(func.count()).select_from(CallDraft)).one() == 0
    assert [h.action for h in call_history(engine, call.id)] == ["create", "update"]  # type: ignore[arg-type]


@pytest.mark.parametrize("reason", ["new_referral", "change_in_need", "crisis", "discharge"])
def test_a_call_asking_for_help_is_not_finished_untriaged(engine: Engine, actor: Actor, reason: str) -> None:
    """The rule lives in the core, not only on the call screen: nothing is written, the draft stays."""
    call = start(engine, actor)
    with pytest.raises(InvalidForm) as caught:
        finish(engine, actor, call, reason=reason)
    assert set(caught.value.problems) == {"triage"}
    assert "triage it (response and lead) before it is finished" in caught.value.problems["triage"]
    with db.reading(engine) as session:
        saved = session.get(Call, call.id)
        assert saved is not None and (saved.status, saved.version) == ("open", call.version)
        assert session.get(CallDraft, call.id) is not None
    assert [h.action for h in call_history(engine, call.id)] == ["create"]  # type: ignore[arg-type]
