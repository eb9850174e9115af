"""What several measures set up and tidy away on the scale database."""

from __future__ import annotations

from sqlalchemy import Engine, delete
from sqlmodel import col

from desk import db
from desk.models import Call, CallDraft, History


def discard_call(engine: Engine, call_id: int) -> None:
    """Remove a call a measure started (its draft and history too), so the database stays as seeded."""
    with db.writing(engine) as s:
        s.execute(delete(CallDraft).where(col(CallDraft.call_id) == call_id))
        s.execute(delete(History).where(col(History.entity) == "call", col(History.entity_id) == str(call_id)))
        s.execute(delete(Call).where(col(Call.id) == call_id))
