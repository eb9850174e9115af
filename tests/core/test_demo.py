"""The synthetic demo population: reproducible, test-range NHS numbers, drama-range phones only."""

from __future__ import annotations

import functools
import json
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from desk import clock, db, demo, nhs, phones, triage
from desk.crisis import board
from desk.crisis_models import Crisis
from desk.models import (
    Admission,
    Call,
    CaseloadEntry,
    Contact,
    History,
    Organisation,
    Person,
    Practice,
    Referral,
    Zone,
)
from desk.services import calls, caseload
from desk.synthetic import rules

NOW = datetime(2025, 3, 12, 11, 5, tzinfo=UTC)  # a Wednesday morning in the office
SMALL = 300

# Ofcom drama ranges the demo may use, as (national digits before the block, first, last, block digits).
DRAMA = [
    ("07700900", 0, 899, 3),
    ("01632960", 0, 999, 3),
    ("0207946", 0, 999, 4),
    ("0113496", 200, 999, 4),
    ("0114496", 200, 999, 4),
    *[(f"0{area}496", 0, 999, 4) for area in (115, 116, 118, 121, 131, 141, 151, 161)],
    ("0289649", 6000, 6999, 4),
    ("0292018", 0, 999, 4),
]


def _engine(path: Path) -> Engine:
    engine = db.make_engine(f"sqlite:///{path}/t.db")
    db.migrate(engine)
    return engine


def _seed(path: Path, people: int, seed: int = 20041) -> Engine:
    engine = _engine(path)
    with db.writing(engine) as session:
        demo.seed_demo(session, people=people, seed=seed, now=NOW)
    return engine


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    engine = _seed(tmp_path_factory.mktemp("demo"), people=SMALL)
    with db.reading(engine) as session:
        yield session


def _national_digits(e164: str) -> str:
    assert e164.startswith("+44"), e164
    return "0" + e164[3:]


def _in_drama_range(e164: str) -> bool:
    d = _national_digits(e164)
    return any(
        d.startswith(prefix) and len(d) == len(prefix) + width and first <= int(d[len(prefix) :]) <= last
        for prefix, first, last, width in DRAMA
    )


def _people(session: Session) -> list[tuple[str, str, str]]:
    return list(session.exec(select(Person.nhs_number, Person.given_name, Person.family_name).order_by(Person.id)))


def test_same_seed_gives_the_same_people(tmp_path: Path) -> None:
    random.seed(1)
    first = _seed(tmp_path / "a", people=SMALL)
    random.seed(2)  # the global generator must play no part
    second = _seed(tmp_path / "b", people=SMALL)
    other = _seed(tmp_path / "c", people=SMALL, seed=7)
    with db.reading(first) as a, db.reading(second) as b, db.reading(other) as c:
        assert _people(a) == _people(b)
        assert len(_people(a)) == SMALL
        assert _people(a) != _people(c)


def test_nhs_numbers_are_valid_unique_and_in_the_test_range(seeded: Session) -> None:
    numbers = list(seeded.exec(select(Person.nhs_number)))
    assert numbers
    assert all(n.startswith("999") and nhs.is_valid(n) for n in numbers)
    assert len(set(numbers)) == len(numbers)


def test_every_phone_number_is_a_drama_number_used_once(seeded: Session) -> None:
    numbers = [n for n in seeded.exec(select(Person.phone_e164)) if n]
    numbers += [n for n in seeded.exec(select(Contact.phone_e164)) if n]
    assert len(numbers) > SMALL // 2
    assert [n for n in numbers if not _in_drama_range(n)] == []
    assert len(set(numbers)) == len(numbers)
    reference = json.loads((files("desk.data") / "reference.json").read_text(encoding="utf-8"))
    shipped = {
        phones.parse(x["phone"]).e164
        for group in ("zones", "practices", "organisations", "staff")
        for x in reference[group]
        if x.get("phone")
    }
    assert shipped.isdisjoint(numbers)


def test_person_phone_columns_agree(seeded: Session) -> None:
    with_phone = list(seeded.exec(select(Person).where(col(Person.phone_e164).is_not(None))))
    assert len(with_phone) > SMALL // 2
    for p in with_phone:
        parsed = phones.parse(p.phone_raw)
        assert (parsed.e164, parsed.valid) == (p.phone_e164, p.phone_valid)
        assert p.phone_rev == "".join(c for c in p.phone_raw if c.isdigit())[::-1]


def test_zone_follows_the_gp_practice(seeded: Session) -> None:
    rows = seeded.exec(select(Person.zone_id, Practice.zone_id).join(Practice, Practice.ods_code == Person.practice_id))
    pairs = list(rows)
    assert len(pairs) == SMALL
    assert all(mine == practice for mine, practice in pairs)


def test_people_in_every_zone_and_on_every_caseload(seeded: Session) -> None:
    zones = list(seeded.exec(select(Zone)))
    assert len(zones) == 5
    for zone in zones:
        assert caseload.page(seeded, zone.id).total > 0, zone.id


def test_there_are_calls_today_before_now(seeded: Session) -> None:
    today = [row for zone in seeded.exec(select(Zone)) for row in calls.log_for_day(seeded, zone.id, NOW)]
    assert len(today) >= 5
    latest = seeded.exec(select(func.max(Call.started_at))).one()
    assert latest <= NOW
    assert all(row.status == "finished" and row.ended_at and row.ended_at <= NOW for row in today)


def test_referral_clocks_follow_urgency(seeded: Session) -> None:
    days = {"fast": 1, "normal": 3}
    referrals = list(seeded.exec(select(Referral)))
    closed = [r for r in referrals if r.status == "closed"]
    assert {r.urgency for r in referrals} == {"rapid", *days}, "every urgency, so every clock is checked"
    assert closed and len(closed) < len(referrals), "open and closed referrals both"
    for r in referrals:
        assert r.due_at is not None
        if r.urgency == "rapid":  # elapsed real time: 2 hours for a crisis (desk.triage), 3 for Rapid
            assert r.due_at - r.received_at == timedelta(hours=2 if r.response == "crisis" else 3)
        else:  # the same London wall-clock time, whole days on (desk.triage.due_at)
            due, received = clock.local(r.due_at), clock.local(r.received_at)
            assert (due.date() - received.date()).days == days[r.urgency]
            assert due.time() == received.time()
        assert not r.crisis or r.urgency == "rapid"
    for r in closed:
        assert r.first_contact_at and r.assessed_at and r.services_at
        assert r.received_at <= r.first_contact_at <= r.assessed_at <= r.services_at <= NOW


def test_only_a_crisis_response_with_its_crisis_raised_is_flagged_a_crisis(seeded: Session) -> None:
    """The desk's rule (desk.crisis.escalation), so the caseload's CRISIS is the board's crisis."""
    referrals = list(seeded.exec(select(Referral)))
    flagged = {r.id for r in referrals if r.crisis}
    crisis_response = {r.id for r in referrals if r.response == triage.CRISIS}
    raised = set(seeded.exec(select(Crisis.referral_id)))
    assert flagged, "crises in the demo, so the rule is checked"
    assert flagged == crisis_response == raised
    open_rapid = [r for r in referrals if r.status == "open" and r.response == triage.RAPID]
    assert len(open_rapid) >= 5 * 3 and not any(r.crisis for r in open_rapid)
    assert len(seeded.exec(select(Crisis).where(Crisis.status == "open")).all()) >= 5 * 4
    flagged_rows = set(seeded.exec(select(CaseloadEntry.person_id).where(col(CaseloadEntry.crisis).is_(True))))
    with_open_crisis = set(seeded.exec(select(Crisis.person_id).where(Crisis.status == "open")))
    assert flagged_rows == with_open_crisis


def test_the_open_crisis_filter_lists_the_boards_crises(shared_engine: Engine) -> None:
    """The caseload's 'x' shows exactly the people with an open crisis on the board, zone by zone (both backends)."""
    with db.writing(shared_engine) as session:
        demo.seed_demo(session, people=SMALL, now=NOW)
    ethel = next(s for s in demo.STORY_PEOPLE if s["key"] == "ethel")
    with db.reading(shared_engine) as session:
        ethel_id = session.exec(select(Person.id).where(Person.nhs_number == ethel["nhs_number"])).one()
        for zone in sorted(session.exec(select(Zone.id))):
            page = caseload.page(session, zone, filter_key="crisis", limit=1000)
            listed = {row.person_id for row in page.rows}
            assert page.total == len(listed) > 0, zone
            rows = board.board(session, zone, now=NOW)
            crises = {r.person_id for r in rows if r.kind == "crisis"}
            rapid_only = {r.person_id for r in rows if r.kind == "rapid"} - crises
            assert listed == crises, zone
            assert rapid_only and listed.isdisjoint(rapid_only), zone
            assert (ethel_id in listed) == (zone == ethel["zone"])


def test_story_people_are_there(seeded: Session) -> None:
    today = clock.local(NOW).date()
    assert [s["key"] for s in demo.STORY_PEOPLE] == ["ethel", "reg", "mary", "mrs_smith", "frank"]
    for story in demo.STORY_PEOPLE:
        person = seeded.exec(select(Person).where(Person.nhs_number == story["nhs_number"])).one()
        assert (person.given_name, person.family_name) == (story["given_name"], story["family_name"])
        assert clock.age_on(person.date_of_birth, today) == story["age"]
        assert person.zone_id == story["zone"]


def test_reg_is_medically_fit_on_ward_3_and_frank_has_a_daughter_far_away(seeded: Session) -> None:
    reg = next(s for s in demo.STORY_PEOPLE if s["given_name"] == "Reg")
    stay, ward = seeded.exec(
        select(Admission, Organisation)
        .join(Organisation, Organisation.id == Admission.ward_id)
        .join(Person, Person.id == Admission.person_id)
        .where(Person.nhs_number == reg["nhs_number"], col(Admission.discharged_at).is_(None))
    ).one()
    assert ward.name.startswith("Ward 3") and stay.ready_on is not None  # the discharge ready date: fit to leave
    frank = next(s for s in demo.STORY_PEOPLE if s["key"] == "frank")
    daughter = seeded.exec(
        select(Contact).join(Person, Person.id == Contact.person_id).where(Person.nhs_number == frank["nhs_number"])
    ).one()
    assert (daughter.relationship, daughter.is_carer) == ("daughter", False)
    assert daughter.phone_e164 and daughter.phone_e164.startswith("+447700")


def test_everyone_has_one_registration_in_the_history(seeded: Session) -> None:
    """The demo keeps the same history rule as desk seed: one entry per person, their registration.

    The stays on the wards are recorded through the desk's services at the ward's desk
    (desk.discharge.demo_stage), so their history is the ward's, not the registration's.
    """
    entries = list(seeded.exec(select(History).where(History.desk == demo.DESK_NAME)))
    assert len(entries) == SMALL
    assert {e.person_id for e in entries} == set(seeded.exec(select(Person.id)))
    assert {(e.entity, e.action, e.staff_id, e.desk, e.why) for e in entries} == {
        ("person", "create", None, demo.DESK_NAME, rules.registered(1, NOW, demo.DESK_NAME).why)
    }
    created = {pid: at for pid, at in seeded.exec(select(Person.id, Person.created_at))}
    assert all(e.at == created[e.person_id] for e in entries)


def test_every_demo_stage_adds_rows(tmp_path: Path) -> None:
    """Each stage of the demo returns rows of its own (so a stage added in the wrong order shows up)."""
    engine = _engine(tmp_path)
    with db.writing(engine) as session:
        from desk.services import reference

        reference.load(session)
        ctx = demo._context(session, NOW)
        run = demo._Run(ctx, demo._plans(ctx, 3, 80), 3)
        made = {}
        for stage in demo.DEMO_STAGES:
            rows = stage(run)
            made[stage.__name__] = {type(r).__name__ for r in rows}
            session.add_all(rows)
            session.flush()
        session.rollback()
    assert made == {
        "_people_rows": {"Person"},
        "_history_rows": {"History"},
        "_contact_rows": {"Contact"},
        "_call_rows": {"Call"},
        "_care_record_rows": {
            "Involvement",
            "Assessment",
            "Visit",
            "Referral",
            "Admission",
            "Alert",
        },
    }


def test_ensure_demo_seeds_only_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "seed_demo", functools.partial(demo.seed_demo, people=50, now=NOW))
    engine = db.make_engine(f"sqlite:///{tmp_path}/t.db")
    assert demo.ensure_demo(engine) is True
    assert demo.ensure_demo(engine) is False
    with db.reading(engine) as session:
        assert session.exec(select(func.count()).select_from(Person)).one() == 50


def test_default_population_seeds_quickly(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    started = time.perf_counter()
    with db.writing(engine) as session:
        counts = demo.seed_demo(session, now=NOW)
    seconds = time.perf_counter() - started
    print(f"\nseeded the default demo population in {seconds:.1f}s: {counts}")
    assert counts["person"] == 2000
    assert counts["caseloadentry"] > 0 and counts["call"] > 2000
