"""Migration 0004: referrals made before the crisis line keep their rows and get their response."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.resources import files

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text
from sqlmodel import select

from desk import db
from desk.models import Referral
from desk.services import caseload, reference
from tests.helpers.dbspec import DbSpec
from tests.helpers.fixtures import FROZEN_AT, Registrar, coordinator, frozen


@pytest.fixture
def at_0002(database: DbSpec) -> Iterator[Engine]:
    """A database as the desk left it before the crisis line, with the reference data."""
    eng = database.engine()
    cfg = Config()
    cfg.set_main_option("script_location", str(files("desk") / "migrations"))
    with eng.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
    with db.writing(eng) as session:
        reference.load(session)
    yield eng
    eng.dispose()


def test_old_referrals_get_their_response_from_their_urgency(at_0002: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    # Today's caseload row has columns a 0002 schema lacks (0007's WAIT flag), and the caseload is a read
    # model rebuilt from the records: the person is registered here without their caseload row.
    monkeypatch.setattr(caseload, "refresh", lambda session, person_id: None)
    with frozen(FROZEN_AT):
        person = Registrar(at_0002, coordinator(at_0002))(family_name="Pascoe")
    monkeypatch.undo()
    with at_0002.begin() as conn:
        for urgency, crisis in (("rapid", True), ("rapid", False), ("fast", False), ("normal", False)):
            conn.execute(
                text(
                    "INSERT INTO referral (person_id, received_at, source, discipline, reason, urgency, crisis, "
                    "status, version) VALUES (:p, :at, '', 'nursing', '', :u, :c, 'open', 1)"
                ),
                {"p": person.id, "at": FROZEN_AT.replace(tzinfo=None), "u": urgency, "c": crisis},
            )
    db.migrate(at_0002)
    with db.reading(at_0002) as session:
        rows = session.exec(select(Referral).order_by(Referral.id)).all()
    assert [(r.urgency, r.crisis, r.response) for r in rows] == [
        ("rapid", True, "crisis"),
        ("rapid", False, "rapid"),
        ("fast", False, "fast"),
        ("normal", False, "normal"),
    ]
    assert all(r.lead == "" and r.triaged_by_id is None for r in rows)


def test_0004_goes_down_and_up_again(at_0002: Engine) -> None:
    db.migrate(at_0002)
    cfg = Config()
    cfg.set_main_option("script_location", str(files("desk") / "migrations"))
    with at_0002.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")
    with at_0002.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0002"
    db.migrate(at_0002)
    with db.reading(at_0002) as session:
        assert session.exec(select(Referral)).all() == []
