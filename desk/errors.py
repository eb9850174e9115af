"""Errors a user can act on, and every other failure put into plain words.

The desk's own errors carry a message that says what to do. Failures from
outside (the database away, locked, full; another desk saving first) are
classified by :func:`classify` into a :class:`Problem`: a kind, the words a
co-ordinator sees, and the raw text that goes to the desk's log instead.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from enum import StrEnum


class DeskError(Exception):
    """Something the user must be told about; nothing was saved."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DeskError):
    """A field's value is wrong; ``field`` names it so the form can point at it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class InvalidForm(DeskError):
    """Several fields are wrong at once; the form shows each message beside its field."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


class StaleRecord(DeskError):
    """Another desk saved this record after we read it; our save was refused."""


class NotFound(DeskError):
    """The record asked for is not there (or no longer)."""


class Trouble(StrEnum):
    """What kind of thing went wrong, as far as a co-ordinator need know."""

    UNREACHABLE = "unreachable"
    """The database does not answer: a server down, a network gone, a file that cannot be opened."""
    READ_ONLY = "read_only"
    """The database answers but takes no changes (a read-only file, a standby server)."""
    DISK_FULL = "disk_full"
    """The database's disk is full."""
    LOCKED = "locked"
    """Another desk holds what this one needs; a moment later it will not."""
    STALE = "stale"
    """Another desk saved the same record first."""
    DESK = "desk"
    """One of the desk's own plain-words errors (bad input, not found): its message says it all."""
    UNKNOWN = "unknown"
    """Anything else: a fault in the desk, for the log."""


OUTAGES = frozenset({Trouble.UNREACHABLE, Trouble.READ_ONLY, Trouble.DISK_FULL})
"""Troubles that last until someone outside mends them: the desk keeps notes itself until then."""

MESSAGES: dict[Trouble, str] = {
    Trouble.UNREACHABLE: "The shared database is not answering. Your notes are kept on this desk; "
    "keep typing, they will be saved when it is back.",
    Trouble.READ_ONLY: "The database is not taking changes just now (it is read-only). Your notes are kept on "
    "this desk; keep typing, they will be saved when it takes changes again.",
    Trouble.DISK_FULL: "The database's disk is full, so nothing new can be saved there. Your notes are kept on "
    "this desk; please tell IT. They will be saved once there is room.",
    Trouble.LOCKED: "The database is busy with another desk's change. Nothing was lost; try again in a moment.",
    Trouble.STALE: "Someone at another desk changed this after you opened it, so your change was not saved over "
    "theirs. Open it again to see what they did, then make your change.",
    Trouble.UNKNOWN: "Something went wrong and the desk could not finish that. It is in the desk's log; "
    "nothing typed was lost.",
}

BACK_MESSAGE = "The database is answering again. Notes kept on this desk meanwhile have been saved."


@dataclass(frozen=True)
class Problem:
    """A failure classified: its kind, the plain words a co-ordinator sees, and the raw text for the log."""

    kind: Trouble
    message: str
    detail: str

    @property
    def outage(self) -> bool:
        """True while the database cannot take changes at all: say so once, keep notes, wait for it to come back."""
        return self.kind in OUTAGES


# SQLSTATE codes (PostgreSQL appendix A), by what they mean at the desk.
_PG_STATES: dict[str, Trouble] = {
    "08": Trouble.UNREACHABLE,  # connection exception (class)
    "57P01": Trouble.UNREACHABLE,  # admin_shutdown: the backend was terminated
    "57P02": Trouble.UNREACHABLE,  # crash_shutdown
    "57P03": Trouble.UNREACHABLE,  # cannot_connect_now: starting up or shutting down
    "25006": Trouble.READ_ONLY,  # read_only_sql_transaction: a standby
    "53100": Trouble.DISK_FULL,  # disk_full
    "55P03": Trouble.LOCKED,  # lock_not_available
    "40P01": Trouble.LOCKED,  # deadlock_detected
    "40001": Trouble.LOCKED,  # serialization_failure
    "57014": Trouble.LOCKED,  # query_canceled: a statement timeout
}

# SQLite primary result codes (https://sqlite.org/rescode.html).
_SQLITE_CODES: dict[int, Trouble] = {
    5: Trouble.LOCKED,  # SQLITE_BUSY
    6: Trouble.LOCKED,  # SQLITE_LOCKED
    8: Trouble.READ_ONLY,  # SQLITE_READONLY
    10: Trouble.UNREACHABLE,  # SQLITE_IOERR
    13: Trouble.DISK_FULL,  # SQLITE_FULL
    14: Trouble.UNREACHABLE,  # SQLITE_CANTOPEN
}


def classify(exc: BaseException) -> Problem:
    """Say what kind of failure ``exc`` is, in plain words, from SQLAlchemy's, psycopg's or sqlite3's exceptions.

    Looks through SQLAlchemy's wrapper (``.orig``) and the exception's causes.
    Never imports a driver or SQLAlchemy: what was never loaded cannot have
    raised, and the desk's first frame must not wait for them.
    """
    detail = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, StaleRecord):
        return Problem(Trouble.STALE, exc.message, detail)
    if isinstance(exc, DeskError):
        return Problem(Trouble.DESK, exc.message, detail)
    kind = Trouble.UNKNOWN
    for cause in _chain(exc):
        kind = _kind(cause)
        if kind is not Trouble.UNKNOWN:
            break
    return Problem(kind, MESSAGES[kind], detail)


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception, what SQLAlchemy wrapped, and what caused each, without repeats."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        orig = getattr(current, "orig", None)
        todo += [orig if isinstance(orig, BaseException) else None, current.__cause__, current.__context__]
    return seen


def _kind(exc: BaseException) -> Trouble:
    module = type(exc).__module__.split(".")[0]
    name = type(exc).__name__
    if module == "sqlalchemy":
        if name == "StaleDataError":
            return Trouble.STALE
        if name in ("TimeoutError", "DisconnectionError"):  # no connection to be had from the pool, or a dead one
            return Trouble.UNREACHABLE
        if getattr(exc, "connection_invalidated", False):
            return Trouble.UNREACHABLE
        return Trouble.UNKNOWN
    if module == "psycopg":
        state = getattr(exc, "sqlstate", None)
        if state:
            return _PG_STATES.get(state, _PG_STATES.get(state[:2], Trouble.UNKNOWN))
        if name in ("OperationalError", "InterfaceError", "ConnectionTimeout"):  # failed before the server spoke
            return Trouble.UNREACHABLE
        return Trouble.UNKNOWN
    if module in ("sqlite3", "_sqlite3"):
        code = getattr(exc, "sqlite_errorcode", None)
        if isinstance(code, int):
            return _SQLITE_CODES.get(code & 0xFF, Trouble.UNKNOWN)
        text = str(exc).lower()
        for words, kind in _SQLITE_WORDS:
            if words in text:
                return kind
        return Trouble.UNKNOWN
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return Trouble.DISK_FULL
    if isinstance(exc, ConnectionError):
        return Trouble.UNREACHABLE
    return Trouble.UNKNOWN


_SQLITE_WORDS = [
    ("database is locked", Trouble.LOCKED),
    ("readonly database", Trouble.READ_ONLY),
    ("disk is full", Trouble.DISK_FULL),
    ("unable to open database", Trouble.UNREACHABLE),
    ("disk i/o error", Trouble.UNREACHABLE),
]
"""For sqlite3 exceptions made without a result code (by the driver itself, or older Pythons)."""
