"""Assessments: recorded on the assessor's behalf, never edited, corrected by a new one, closing a referral's interval;
and a rule a zone's configuration adds."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from desk import db
from desk.crisis import referrals
from desk.errors import InvalidForm
from desk.history import Actor
from desk.packages import arrange, assessments, config
from desk.packages.arrange import PackageChange, Routed, ServiceLine
from desk.packages.assessments import AssessmentInput, FindingInput
from desk.services.reference import StaffRow
from tests.core.test_packages_arrange import assess, doris  # noqa: F401
from tests.helpers.fixtures import FrozenClock


def test_an_assessment_closes_the_referral_interval_and_a_correction_supersedes_it(
    engine: Engine,
    actor: Actor,
    clock: FrozenClock,
    bxm_staff: dict[str, StaffRow],
    doris: int,  # noqa: F811
) -> None:
    nurse = bxm_staff["nurse"]
    with db.writing(engine) as session:
        referral = referrals.refer(session, actor, person_id=doris, discipline="nursing", reason="Legs worse")
        rid, version = referral.id, referral.version
    assert rid is not None
    clock.advance(timedelta(hours=2))
    form = AssessmentInput(
        person_id=doris,
        assessor_id=nurse.id,
        assessor_role="district_nurse",
        at=clock.now - timedelta(minutes=30),
        place="phone",
        findings=(FindingInput("skin", "high", "Leg ulcers"), FindingInput("personal_care", "moderate")),
        referral_id=rid,
        referral_version=version,
    )
    with db.writing(engine) as session:
        first = assessments.record(session, actor, form)
        assert referrals.intervals(session, rid).to_assessment == timedelta(hours=1, minutes=30)
    assert first.on_behalf and first.recorded_by_id == actor.staff_id and first.assessor_id == nurse.id
    assert [f.area for f in first.findings] == ["personal_care", "skin"]
    with pytest.raises(InvalidForm) as bad, db.writing(engine) as session:
        assessments.record(
            session, actor, AssessmentInput(**{**form.__dict__, "referral_id": None, "corrects_id": first.id})
        )
    assert bad.value.problems == {"correction_why": "Say what this corrects in the earlier assessment."}
    with db.writing(engine) as session:
        fixed = assessments.record(
            session,
            actor,
            AssessmentInput(
                **{
                    **form.__dict__,
                    "referral_id": None,
                    "corrects_id": first.id,
                    "correction_why": "Skin need is critical, not high",
                }
            ),
        )
        assert assessments.get(session, first.id).corrected_by_id == fixed.id
        assert assessments.latest(session, doris) == fixed
    with pytest.raises(InvalidForm) as wrong, db.writing(engine) as session:
        assessments.record(
            session,
            actor,
            AssessmentInput(
                **{**form.__dict__, "referral_id": None, "assessor_role": "physiotherapist", "findings": ()}
            ),
        )
    assert set(wrong.value.problems) == {"assessor_role", "findings"}


def test_a_rule_the_zone_adds_routes_its_services_to_a_social_worker(
    engine: Engine,
    actor: Actor,
    clock: FrozenClock,
    bxm_staff: dict[str, StaffRow],
    doris: int,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        '[[packages.zones.BXM.rules]]\nname = "night_sitting"\nlabel = "Night sitting panel"\n'
        'why = "The zone\'s panel agrees every night sitting."\nservices = ["night_sitting"]\n'
    )
    monkeypatch.setenv("DESK_CONFIG", str(cfg))
    assert [r.name for r in config.for_zone("BXM").rules] == ["night_sitting"]
    assert config.for_zone("TQN").rules == ()
    rec = assess(engine, actor, doris, bxm_staff["nurse"], clock=clock, areas=("night_time",))
    with db.writing(engine) as session:
        out = arrange.change(
            session,
            actor,
            PackageChange(
                doris, rec.id, (ServiceLine("night_sitting", "bay_care", clock.today, quantity=2),), "Nights"
            ),
        )
    assert isinstance(out, Routed) and [m.rule.name for m in out.rules] == ["night_sitting"]
    assert "Night sitting panel: the change arranges night sitting." in out.message
