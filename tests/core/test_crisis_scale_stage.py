"""`desk seed`'s crisis line: rosters, 40 open crises, open Rapid clocks, a year of closed crises, reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import col, func, select

from desk import db, triage
from desk.crisis import board, figures, handover, roster
from desk.crisis_models import Booking, Crisis, LiaisonEntry, Reminder, Shift
from desk.models import CaseloadEntry, Referral
from desk.scale import seed_scale

SEED_AT = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)  # a Monday, GMT
ZONES = ("BXM", "PGN", "PGS", "TQN", "TQS")


@pytest.fixture(scope="module")
def seeded(shared_engine: Engine) -> tuple[Engine, dict[str, int]]:
    counts = seed_scale(shared_engine, people=3000, caseload=400, calls=500, seed=11, now=SEED_AT)
    return shared_engine, counts


def test_the_trust_has_forty_open_crises_and_a_year_of_closed_ones(seeded: tuple[Engine, dict[str, int]]) -> None:
    engine, counts = seeded
    assert counts["caseload"] == 400  # the crises are of people already on it
    with db.reading(engine) as s:
        by_status = dict(s.exec(select(Crisis.status, func.count()).group_by(Crisis.status)).all())  # type: ignore[arg-type]
        assert by_status == {"open": 40 + 15, "closed": 5 * 730}  # 15: the last day's, awaiting handover
        oldest = s.exec(select(func.min(Crisis.raised_at))).one()
        assert oldest is not None and SEED_AT - oldest > timedelta(days=360)
        assert s.exec(select(func.count()).select_from(Booking)).one() >= 3 * (55 + 3650)
        assert s.exec(select(func.count()).select_from(LiaisonEntry)).one() >= 3650
        rows = board.board(s, None, now=SEED_AT)
        kinds = {k: sum(1 for r in rows if r.kind == k) for k in ("crisis", "rapid")}
        assert kinds["crisis"] == 55 and kinds["rapid"] >= 15
        assert {"Due soon", "Breached", "On time", "Seen"} <= {r.clock.word for r in rows if r.kind == "crisis"}
        for zone in ZONES:
            assert len(handover.handover_list(s, zone, now=SEED_AT)) == 3
            assert figures.two_hour_figure(s, zone, now=SEED_AT).last_28_days.decided >= 50
            assert roster.on_duty(s, zone, "nursing", at=SEED_AT)


def test_every_open_clock_has_its_reminders_and_every_referral_its_response(
    seeded: tuple[Engine, dict[str, int]],
) -> None:
    engine, counts = seeded
    with db.reading(engine) as s:
        open_clocks = s.exec(
            select(Referral.id).where(Referral.status == "open", col(Referral.response).in_(("crisis", "rapid")))
        ).all()
        reminded = s.exec(select(Reminder.referral_id, func.count()).group_by(Reminder.referral_id)).all()
        assert len(open_clocks) >= 55 + 15
        assert dict(reminded) == {rid: 2 for rid in open_clocks}
        assert counts["reminder"] == 2 * len(open_clocks)
        wrong = s.exec(
            select(func.count())
            .select_from(Referral)
            .where(col(Referral.urgency).in_((triage.RAPID, triage.FAST)), Referral.response == triage.NORMAL)
        ).one()
        assert wrong == 0
        assert s.exec(select(func.count()).select_from(Shift)).one() == counts["shift"] > 5 * 3 * 30


def test_only_the_crisis_lines_crises_are_flagged(seeded: tuple[Engine, dict[str, int]]) -> None:
    """A referral is flagged a crisis only with a Crisis response and a crisis behind it, as the desk flags it."""
    engine, _ = seeded
    with db.reading(engine) as s:
        flagged = set(s.exec(select(Referral.id).where(col(Referral.crisis).is_(True))))
        crisis_response = set(s.exec(select(Referral.id).where(Referral.response == triage.CRISIS)))
        raised = set(s.exec(select(Crisis.referral_id)))
        assert len(flagged) == 55 + 5 * 730 and flagged == crisis_response == raised
        open_rapid = s.exec(
            select(Referral.crisis).where(Referral.status == "open", Referral.response == triage.RAPID)
        ).all()
        assert len(open_rapid) >= 15 and not any(open_rapid)
        on_caseload = set(s.exec(select(CaseloadEntry.person_id).where(col(CaseloadEntry.crisis).is_(True))))
        with_open_crisis = set(s.exec(select(Crisis.person_id).where(Crisis.status == "open")))
        assert len(on_caseload) == 55 and on_caseload == with_open_crisis


def test_new_rows_take_ids_after_the_seeded_ones(seeded: tuple[Engine, dict[str, int]]) -> None:
    """On PostgreSQL the sequences were moved past the explicit ids: the desk can add a shift."""
    engine, _ = seeded
    with db.writing(engine) as s:
        top = s.exec(select(func.max(Shift.id))).one()
        shift = s.exec(select(Shift).limit(1)).one()
        extra = Shift(
            zone_id=shift.zone_id,
            staff_id=shift.staff_id,
            discipline=shift.discipline,
            starts_at=SEED_AT + timedelta(days=60),
            ends_at=SEED_AT + timedelta(days=60, hours=8),
        )
        s.add(extra)
        s.flush()
        assert top is not None and extra.id is not None and extra.id > top
        s.rollback()
