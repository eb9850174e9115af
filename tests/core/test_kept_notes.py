"""Call notes typed while the database is away are kept on the desk, and saved once it takes them again."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from desk import db
from desk.errors import NotFound, Trouble, classify
from desk.history import Actor
from desk.kept_notes import Draft, KeptNotes
from desk.models import CallDraft
from desk.services import calls
from desk.vocabulary import CALL_REASONS


def _call(engine: Engine, actor: Actor) -> int:
    with db.writing(engine) as session:
        call_id = calls.start(session, actor, "BXM", number="0117 496 0123").id
    assert call_id is not None
    return call_id


def _draft_notes(engine: Engine, call_id: int) -> str | None:
    with db.reading(engine) as session:
        draft = session.exec(select(CallDraft).where(CallDraft.call_id == call_id)).first()
        return draft.notes if draft else None


@pytest.fixture
def away(tmp_path: Path) -> Engine:
    """A database that cannot be reached: its file's place is taken by a directory."""
    (tmp_path / "away.db").mkdir()
    return db.make_engine(f"sqlite:///{tmp_path}/away.db")


def test_a_save_that_works_keeps_nothing_here(engine: Engine, actor: Actor, tmp_path: Path) -> None:
    kept = KeptNotes(tmp_path / "kept")
    call_id = _call(engine, actor)
    kept.save(engine, Draft(call_id, None, "", "Daughter rang.", ""))
    assert _draft_notes(engine, call_id) == "Daughter rang."
    assert kept.pending() == []


def test_notes_typed_while_away_are_kept_and_saved_when_it_is_back(
    engine: Engine, actor: Actor, tmp_path: Path, away: Engine
) -> None:
    kept = KeptNotes(tmp_path / "kept")
    call_id = _call(engine, actor)
    with pytest.raises(OperationalError) as failed:
        kept.save(away, Draft(call_id, None, "", "Mum fell", ""))
    assert classify(failed.value).kind is Trouble.UNREACHABLE
    with pytest.raises(OperationalError):
        kept.save(away, Draft(call_id, None, "", "Mum fell at 3", ""))  # typing on: the newest replaces it
    assert kept.pending() == [Draft(call_id, None, "", "Mum fell at 3", "")]
    assert KeptNotes(tmp_path / "kept").pending() == kept.pending()  # on disk: a desk closed now keeps them

    with pytest.raises(OperationalError):
        kept.save_kept(away)  # still away: kept
    assert len(kept.pending()) == 1
    assert kept.save_kept(engine) == 1
    assert _draft_notes(engine, call_id) == "Mum fell at 3"
    assert kept.pending() == []


def test_a_failure_that_is_no_outage_keeps_nothing(engine: Engine, tmp_path: Path) -> None:
    kept = KeptNotes(tmp_path / "kept")
    with pytest.raises(NotFound):
        kept.save(engine, Draft(999_999, None, "", "No such call", ""))
    assert kept.pending() == []


def test_notes_of_a_call_finished_elsewhere_meanwhile_go_to_the_log(
    engine: Engine, actor: Actor, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kept = KeptNotes(tmp_path / "kept")
    call_id = _call(engine, actor)
    kept.keep(Draft(call_id, None, "", "Typed while away", ""))
    with db.writing(engine) as session:
        version = calls.state(session, call_id).version
        reason = next(iter(CALL_REASONS))
        details = calls.CallDetails(reason=reason, outcome="Advice")
        calls.finish(session, actor, call_id, details, expected_version=version)
    with caplog.at_level(logging.WARNING, logger="zone-desk"):
        assert kept.save_kept(engine) == 0
    assert "Typed while away" in caplog.text
    assert kept.pending() == []


def test_each_database_keeps_its_own_notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path))
    one = KeptNotes.for_database("sqlite:///one.db")
    two = KeptNotes.for_database("postgresql+psycopg://desk@server/zone")
    one.keep(Draft(1, None, "", "for one", ""))
    assert two.pending() == [] and [d.notes for d in one.pending()] == ["for one"]
    assert one.folder.parent == tmp_path / "kept-notes"
