"""Call notes kept on the desk itself while the database cannot take them.

A call's notes are saved to its draft as they are typed (services.calls.save_draft).
When the database is away (a server down, a file read-only, a disk full) that
save fails; the notes are then written to a small file in the desk's data
directory instead, and saved to the draft once the database takes changes
again: by the next save that works, by the desk noticing the database is back,
or by the next desk to open on this machine (if this one closed meanwhile).
Then the unfinished-calls list (F7) shows them as ever.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from desk import settings
from desk.errors import classify

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from desk.services.calls import CallDetails

log = logging.getLogger("zone-desk")


@dataclass(frozen=True)
class Draft:
    """What was typed on one call, as the call screen sends it to be saved."""

    call_id: int
    person_id: int | None
    reason: str
    notes: str
    outcome: str

    @classmethod
    def from_screen(cls, call_id: int, values: CallDetails) -> Draft:
        """A draft from what the call screen shows."""
        return cls(call_id, values.person_id, values.reason, values.notes, values.outcome)


class KeptNotes:
    """The drafts this desk holds for one database until it takes them (one JSON file per call)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()

    @classmethod
    def for_database(cls, url: str) -> KeptNotes:
        """The kept notes of the database at ``url``, in the data directory (never mixed with another's)."""
        import hashlib  # OpenSSL's library costs 2 MB: loaded only once a draft is saved, after the first frame

        key = hashlib.sha256(url.encode()).hexdigest()[:16]
        return cls(settings.data_dir() / "kept-notes" / key)

    def _file(self, call_id: int) -> Path:
        return self.folder / f"call-{call_id}.json"

    def keep(self, draft: Draft) -> None:
        """Hold ``draft`` on this desk (replacing any older one of the same call); written whole or not at all."""
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self._file(draft.call_id)
        partial = target.with_suffix(".partial")
        partial.write_text(json.dumps(asdict(draft)), encoding="utf-8")
        os.replace(partial, target)

    def pending(self) -> list[Draft]:
        """The drafts held here, oldest call first."""
        if not self.folder.is_dir():
            return []
        found = [Draft(**json.loads(p.read_text("utf-8"))) for p in self.folder.glob("call-*.json")]
        return sorted(found, key=lambda d: d.call_id)

    def forget(self, call_id: int) -> None:
        """The database has this call's draft now."""
        self._file(call_id).unlink(missing_ok=True)

    def save(self, engine: Engine, draft: Draft) -> None:
        """Save ``draft`` to the database; if the database is away, keep it here and raise (a plain message follows).

        A save that works also takes the place of any draft kept earlier for
        the same call: what is on screen is always the newest.
        """
        with self._lock:
            try:
                _write(engine, draft)
            except Exception as exc:
                if classify(exc).outage:
                    self.keep(draft)
                raise
            self.forget(draft.call_id)

    def save_kept(self, engine: Engine) -> int:
        """Save every draft held here to the database; how many were saved. Raises if the database is still away.

        A call finished or gone meanwhile (at another desk) has nothing to save
        into: its kept notes go to the log, and are let go.
        """
        from desk.errors import NotFound

        saved = 0
        with self._lock:
            for draft in self.pending():
                try:
                    _write(engine, draft)
                except NotFound:
                    log.warning("kept notes for call %s not saved, the call is closed: %r", draft.call_id, draft.notes)
                else:
                    saved += 1
                self.forget(draft.call_id)
        return saved


def _write(engine: Engine, draft: Draft) -> None:
    from desk import db
    from desk.services import calls

    with db.writing(engine) as session:
        details = calls.CallDetails(
            person_id=draft.person_id, reason=draft.reason, notes=draft.notes, outcome=draft.outcome
        )
        calls.save_draft(session, draft.call_id, details)
