"""The synthetic trust's shared vocabulary and rules, and each stage of ``desk seed`` on its own.

The seed's stages run one by one here (small, on SQLite), and after each the
record it returned is checked for what the stages after it rely on.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, Engine

from desk import db, nhs, triage
from desk.scale import STAGES
from desk.services import reference
from desk.synthetic import rules, scale_calls, scale_care, scale_people, scale_phones, scale_register
from desk.synthetic.drama import drama_numbers, is_drama
from desk.synthetic.scale_context import ScaleContext, Sizes, open_context
from desk.synthetic.vocabulary import vocabulary
from desk.vocabulary import CALL_REASONS, DISCIPLINES, ORG_KINDS, URGENCIES

SEED_AT = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
SIZES = Sizes(people=600, caseload=80, calls=300)
CALLER_KINDS = {"person", "contact", "practice", "ward", "unknown"}


# --- the vocabulary ---------------------------------------------------------------------


def test_every_discipline_reason_and_urgency_has_its_words() -> None:
    words = vocabulary()
    assert set(words.referral_reasons) == set(words.assessment_summaries) == set(words.visit_notes) == set(DISCIPLINES)
    assert all(
        words.referral_reasons[d] and words.assessment_summaries[d] and words.visit_notes[d] for d in DISCIPLINES
    )
    assert set(words.call_outcomes) == set(words.call_notes) == set(CALL_REASONS)
    assert set(words.urgency) == set(words.open_received_hours_ago) == set(URGENCIES)
    assert set(URGENCIES) <= set(triage.URGENCY_WITHIN), "every urgency the seed writes has its clock"
    assert set(words.reasons_by_caller) == CALLER_KINDS
    assert {s.caller for s in words.referral_sources} <= CALLER_KINDS
    for caller, reasons in words.reasons_by_caller.items():
        assert set(reasons) <= set(CALL_REASONS), caller
        assert all(words.call_note_templates(caller, reason) for reason in reasons)


def test_names_places_and_services_are_there_and_never_twice() -> None:
    words = vocabulary()
    assert set(words.given_names) == {(era, sex) for era in ("old", "mid", "new") for sex in "FM"}
    lists = [words.family_names, words.alerts, *words.given_names.values()]
    lists += [p.streets for p in words.places.values()]
    assert all(lists)
    assert [len(x) for x in lists] == [len(set(x)) for x in lists]
    assert set(words.places) == {z["id"] for z in reference.shipped()["zones"]}
    assert {s.name for s in words.care_services} >= {"Home care", "Meals", "Telecare"}
    assert all(0 <= s.weekly_cost_pence[0] <= s.weekly_cost_pence[1] and s.details for s in words.care_services)
    assert {r.name for r in words.relationships if r.spouse} == {"wife", "husband"}


def test_a_note_for_a_caller_without_its_own_words_falls_back_on_the_general_ones() -> None:
    words = vocabulary()
    assert "crisis" not in words.call_notes_by_caller.get("unknown", {})
    assert words.call_note_templates("unknown", "crisis") == words.call_notes["crisis"]
    assert words.call_note_templates("person", "advice") == words.call_notes_by_caller["person"]["advice"]


def test_drama_numbers_are_all_drama_numbers() -> None:
    numbers = drama_numbers()
    assert len(numbers) == 14_500
    assert all(is_drama(n.e164) for n in numbers)
    assert not is_drama("+441174960123")  # the reference data's block


# --- the shared rules ---------------------------------------------------------------------


def test_weighted_choice_follows_the_weights_and_skips_notes() -> None:
    rng = random.Random(1)
    picks = Counter(rules.weighted(rng, {"_help": "a note", "often": 9, "seldom": 1}) for _ in range(2000))
    assert set(picks) == {"often", "seldom"}
    assert 0.85 < picks["often"] / 2000 < 0.95


def test_nhs_numbers_are_distinct_valid_test_numbers_avoiding_those_taken() -> None:
    taken = set(rules.nhs_numbers(random.Random(2), 50))
    numbers = rules.nhs_numbers(random.Random(2), 500, taken)
    assert len(numbers) == len(set(numbers)) == 500
    assert all(nhs.is_test_range(n) and nhs.is_valid(n) for n in numbers)
    assert not taken & set(numbers)


def test_the_registration_entry_is_the_one_history_rule() -> None:
    entry = rules.registered(7, SEED_AT, "desk seed")
    assert (entry.entity, entry.entity_id, entry.person_id, entry.action, entry.staff_id) == (
        "person",
        "7",
        7,
        "create",
        None,
    )
    assert entry.why == "Registered (synthetic register loaded by desk seed)"


def test_callers_are_named_as_the_call_log_names_them() -> None:
    assert rules.person_caller("Ethel", "Hannaford", "9990001014") == "Ethel HANNAFORD: NHS 999 000 1014"
    assert (
        rules.contact_caller("Reg WESTAWAY", "Mark Westaway", "son", False)
        == "Son of Reg WESTAWAY: Mark Westaway (son)"
    )
    assert rules.contact_caller("Reg WESTAWAY", "Pat Cornish", "neighbour", True).startswith("Carer of")
    assert rules.organisation_caller("Ward 3", "ward") == f"Ward 3: {ORG_KINDS['ward']}"
    assert rules.taker_roles("crisis", "person")[0] == "crisis_worker"
    assert rules.taker_roles("discharge", "ward")[0] == "discharge_coordinator"
    assert rules.taker_roles("advice", "ward")[0] == "coordinator"


def test_only_a_crisis_response_with_its_crisis_raised_is_flagged_a_crisis() -> None:
    """As the desk flags it (desk.crisis.escalation): a Crisis response, and a crisis raised behind it."""
    assert rules.crisis_flag(triage.CRISIS, crisis_record=True)
    assert not rules.crisis_flag(triage.CRISIS, crisis_record=False)  # triaged Crisis, not yet raised
    for response in (triage.RAPID, triage.FAST, triage.NORMAL):
        assert not rules.crisis_flag(response, crisis_record=True)
        assert not rules.crisis_flag(response, crisis_record=False)


# --- the seed's stages, one by one ------------------------------------------------------------


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    eng = db.make_engine(f"sqlite:///{tmp_path_factory.mktemp('stages') / 'stages.db'}")
    db.migrate(eng)
    with db.writing(eng) as session:
        reference.load(session)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def staged(engine: Engine) -> Iterator[tuple[ScaleContext, dict[str, object]]]:
    """Every stage run in order on one connection; what each returned, by stage name."""
    with engine.connect() as conn, conn.begin():
        ctx = _context(conn)
        returned: dict[str, object] = {}
        for stage in STAGES:
            record = stage(ctx)
            returned[stage.__name__] = record
            if record is not None:
                ctx.records.put(record)
        yield ctx, returned


def _context(conn: Connection) -> ScaleContext:
    return open_context(conn, random.Random(11), SEED_AT, SIZES, lambda _s, _d, _t: None)


def _rows(ctx: ScaleContext, table: str) -> int:
    return int(ctx.conn.exec_driver_sql(f'SELECT COUNT(*) FROM "{table}"').scalar_one())


def test_a_stage_run_out_of_order_says_which_record_it_lacks(engine: Engine) -> None:
    with engine.connect() as conn:
        with pytest.raises(KeyError, match="Register"):
            scale_register.choose_caseload(_context(conn))


def test_the_register_is_everyone_in_households(staged: tuple[ScaleContext, dict[str, object]]) -> None:
    ctx, _ = staged
    register = ctx.records.get(scale_register.Register)
    assert len(register) == SIZES.people
    homes = register.households
    assert sorted(k for members in homes.members for k in members) == list(range(SIZES.people))
    couples = [k for k in range(SIZES.people) if register.partner[k] >= 0]
    assert couples, "nobody lives as a couple"
    for k in couples:
        partner = register.partner[k]
        assert register.partner[partner] == k and register.household[partner] == register.household[k]
    zones = {p.ods_code: p.zone_id for p in ctx.practices}
    assert all(register.zone[k] == zones[ctx.practices[register.practice[k]].ods_code] for k in range(SIZES.people))
    assert 0 <= min(register.age) and max(register.age) <= 105


def test_the_caseload_is_as_big_as_asked_and_mostly_older(staged: tuple[ScaleContext, dict[str, object]]) -> None:
    ctx, _ = staged
    caseload = ctx.records.get(scale_register.Caseload)
    ages = ctx.records.get(scale_register.Register).age
    assert len(caseload.people) == len(set(caseload.people)) == SIZES.caseload
    assert caseload.people == sorted(caseload.people)
    assert sum(caseload.on) == SIZES.caseload and all(caseload.on[k] for k in caseload.people)
    assert sum(ages[k] >= 65 for k in caseload.people) >= 0.8 * SIZES.caseload


def test_everyone_has_a_different_nhs_number(staged: tuple[ScaleContext, dict[str, object]]) -> None:
    ctx, _ = staged
    numbers = ctx.records.get(scale_register.NhsNumbers).numbers
    assert len(numbers) == len(set(numbers)) == SIZES.people


def test_contacts_belong_to_the_caseload_and_numbers_are_never_shared(
    staged: tuple[ScaleContext, dict[str, object]],
) -> None:
    ctx, _ = staged
    pool = ctx.records.get(scale_phones.PhonePool)
    contacts = ctx.records.get(scale_phones.Contacts)
    phones = ctx.records.get(scale_phones.Phones)
    on = ctx.records.get(scale_register.Caseload).on
    assert len(pool.unknown) == 500 and not {n.e164 for n in pool.unknown} & {n.e164 for n in pool.available}
    assert contacts.items and all(on[c.person] for c in contacts.items)
    assert sorted(ci for cis in contacts.of_person.values() for ci in cis) == list(range(len(contacts.items)))
    handed = [i for i in phones.household if i >= 0]
    handed += [i for ci, i in enumerate(phones.contact) if i >= 0 and not contacts.items[ci].spouse]
    assert handed and len(handed) == len(set(handed)) == ctx.counts["phones_assigned"]
    spouses = [ci for ci, c in enumerate(contacts.items) if c.spouse]
    assert spouses, "partners among the contacts, so the shared line is checked"
    register = ctx.records.get(scale_register.Register)
    for ci in spouses:  # a partner rings from the couple's own line
        assert phones.contact[ci] == phones.household[register.household[contacts.items[ci].person]]


def test_key_workers_only_for_the_caseload(staged: tuple[ScaleContext, dict[str, object]]) -> None:
    ctx, _ = staged
    staff = ctx.records.get(scale_register.KeyWorkers).staff
    on = ctx.records.get(scale_register.Caseload).on
    worked = [k for k, s in enumerate(staff) if s]
    assert worked and all(on[k] for k in worked)
    assert {ctx.role_of(staff[k]) for k in worked} <= {
        "nurse",
        "social_worker",
        "occupational_therapist",
        "physiotherapist",
    }


def test_people_contacts_and_their_history_are_written(staged: tuple[ScaleContext, dict[str, object]]) -> None:
    ctx, returned = staged
    registered = returned["write_people"]
    assert isinstance(registered, scale_people.Registered)
    assert len(registered.created) == SIZES.people and max(registered.created) < ctx.now
    assert _rows(ctx, "person") == _rows(ctx, "history") == ctx.counts["people"] == SIZES.people
    assert _rows(ctx, "contact") == len(ctx.records.get(scale_phones.Contacts).items)
    whys = ctx.conn.exec_driver_sql("SELECT DISTINCT action, why, desk FROM history").all()
    assert [tuple(w) for w in whys] == [("create", rules.registered(1, SEED_AT, "desk seed").why, "desk seed")]


def test_the_busiest_person_is_old_and_reachable(staged: tuple[ScaleContext, dict[str, object]]) -> None:
    ctx, _ = staged
    busiest = ctx.records.get(scale_people.Busiest)
    assert busiest.person is not None and busiest.person_id == busiest.person + 1
    assert ctx.records.get(scale_register.Caseload).on[busiest.person]


def test_care_stages_write_involvements_packages_stays_and_alerts(
    staged: tuple[ScaleContext, dict[str, object]],
) -> None:
    ctx, _ = staged
    involvements = ctx.records.get(scale_care.Involvements).items
    assert involvements and _rows(ctx, "involvement") == len(involvements)
    assert {i.discipline for i in involvements} <= set(DISCIPLINES)
    assert all(i.ended is None or i.started <= i.ended <= ctx.today for i in involvements)
    for table in ("carepackage", "carepackageitem", "admission", "alert"):
        assert _rows(ctx, table) > 0, table
    assert _rows(ctx, "visit") == ctx.counts["visits"] > 0


def test_referral_clocks_come_from_triage(staged: tuple[ScaleContext, dict[str, object]]) -> None:
    ctx, _ = staged
    refs = ctx.records.get(scale_calls.Referrals).items
    assert len(refs) == SIZES.calls // 4
    assert {r.status for r in refs} == {"open", "closed"}
    assert all(r.due == triage.due_at(r.received.replace(tzinfo=UTC), r.urgency).replace(tzinfo=None) for r in refs)
    assert {r.urgency for r in refs} == set(URGENCIES), "Rapid ones too, so the next line checks them"
    assert not any(r.crisis for r in refs), "no crisis stands behind the seed's own referrals"
    closed = [r for r in refs if r.status == "closed"]
    assert closed and all(
        r.closed is not None and r.first_contact is not None and r.received <= r.first_contact <= ctx.now
        for r in closed
    )


def test_calls_are_written_and_point_back_from_their_referrals(staged: tuple[ScaleContext, dict[str, object]]) -> None:
    ctx, _ = staged
    made = ctx.records.get(scale_calls.CallsMade)
    assert _rows(ctx, "call") == SIZES.calls
    assert made.call_of_referral, "no referral came by phone"
    linked = ctx.conn.exec_driver_sql("SELECT COUNT(*) FROM referral WHERE call_id IS NOT NULL").scalar_one()
    assert linked == len(made.call_of_referral)
    latest = ctx.conn.exec_driver_sql("SELECT MAX(started_at) FROM call").scalar_one()
    assert datetime.fromisoformat(latest) < ctx.now - timedelta(minutes=30)
    kinds = {k for (k,) in ctx.conn.exec_driver_sql("SELECT DISTINCT caller_kind FROM call")}
    assert {"person", "practice"} <= kinds


def test_every_stage_is_listed_once(staged: tuple[ScaleContext, dict[str, object]]) -> None:
    _, returned = staged
    assert len(returned) == len(STAGES) == len(set(STAGES))
