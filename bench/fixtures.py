"""What several measures set up and tidy away on the scale database."""

from __future__ import annotations

from sqlalchemy import Engine, delete

from desk import db
from desk.models import Call, CallDraft, History


def discard_call(engine: Engine, call_id: int) -> None:
    """Remove a call a measure started (its draft and history too), so the database stays as seeded."""
    with db.writing(engine) as s:
        s.exec(delete(CallDraft).where(CallDraft.call_id == call_id))  # type: ignore[call-overload]
        s.exec(delete(History).where(History.entity == "call", History.entity_id == str(call_id)))  # type: ignore[call-overload]
        s.exec(delete(Call).where(Call.id == call_id))  # type: ignore[call-overload]
