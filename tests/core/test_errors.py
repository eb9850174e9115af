"""Failures from outside are put into plain words: each kind raised for real by SQLite, PostgreSQL or SQLAlchemy."""

from __future__ import annotations

import errno
import os
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm.exc import StaleDataError

from desk import db
from desk.errors import MESSAGES, InvalidInput, StaleRecord, Trouble, classify

PG_URL = os.environ.get("DESK_TEST_DATABASE_URL", "")
needs_pg = pytest.mark.skipif(not PG_URL, reason="PostgreSQL: set DESK_TEST_DATABASE_URL to run")
RAW = ("psycopg", "sqlite3", "OperationalError", "Errno", "Traceback", "SQL:")


def _raised(fn: object) -> BaseException:
    try:
        fn()  # type: ignore[operator]
    except Exception as exc:  # whatever the driver raises is what is classified
        return exc
    raise AssertionError("expected the database to fail")


def _plain(message: str) -> None:
    assert message and not any(word in message for word in RAW), message


# --- SQLite -------------------------------------------------------------------------


def test_sqlite_locked_by_another_desk_is_locked(tmp_path: Path) -> None:
    path = tmp_path / "desk.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (a INTEGER)")
    holder.execute("BEGIN IMMEDIATE")  # another desk holds the write lock
    try:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        exc = _raised(lambda: other.execute("BEGIN IMMEDIATE"))
    finally:
        holder.execute("ROLLBACK")
    problem = classify(exc)
    assert problem.kind is Trouble.LOCKED and not problem.outage
    _plain(problem.message)
    assert "locked" in problem.detail  # the raw text, for the log


def test_sqlite_read_only_file_through_the_engine_is_read_only(tmp_path: Path) -> None:
    path = tmp_path / "desk.db"
    sqlite3.connect(path).execute("CREATE TABLE t (a INTEGER)").connection.commit()
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    with engine.connect() as conn:
        exc = _raised(lambda: conn.execute(text("INSERT INTO t VALUES (1)")))
    problem = classify(exc)  # SQLAlchemy's OperationalError wrapping sqlite3's
    assert problem.kind is Trouble.READ_ONLY and problem.outage
    _plain(problem.message)


def test_sqlite_file_that_cannot_be_opened_is_unreachable(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path}/desk.db")
    (tmp_path / "desk.db").mkdir()  # where the file should be, a directory: it cannot be opened
    exc = _raised(lambda: engine.connect())
    problem = classify(exc)
    assert problem.kind is Trouble.UNREACHABLE and problem.outage
    assert problem.message == MESSAGES[Trouble.UNREACHABLE]


def test_sqlite_full_is_disk_full(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "desk.db", isolation_level=None)
    conn.execute("CREATE TABLE t (a TEXT)")
    conn.execute("PRAGMA max_page_count = 8")  # a disk with eight pages on it

    def fill() -> None:
        for _ in range(100):
            conn.execute("INSERT INTO t VALUES (?)", ("x" * 4000,))

    problem = classify(_raised(fill))
    assert problem.kind is Trouble.DISK_FULL and problem.outage
    _plain(problem.message)


# --- PostgreSQL ---------------------------------------------------------------------------


@needs_pg
def test_postgres_server_not_answering_is_unreachable() -> None:
    engine = db.make_engine("postgresql+psycopg://postgres@127.0.0.1:1/test")  # nothing listens on port 1
    exc = _raised(lambda: engine.connect())
    problem = classify(exc)
    assert "Is the server running" in str(exc) or "refused" in str(exc)
    assert problem.kind is Trouble.UNREACHABLE
    assert problem.message == (
        "The shared database is not answering. Your notes are kept on this desk; "
        "keep typing, they will be saved when it is back."
    )
    assert "psycopg" in problem.detail  # raw, for the log only


@needs_pg
def test_postgres_connection_terminated_by_the_server_is_unreachable() -> None:
    engine = create_engine(PG_URL)
    admin = create_engine(PG_URL)
    with engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        with admin.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})  # only this test's own connection
        exc = _raised(lambda: conn.execute(text("SELECT 1")))
    engine.dispose()
    admin.dispose()
    assert classify(exc).kind is Trouble.UNREACHABLE


@needs_pg
def test_postgres_row_locked_by_another_desk_is_locked(engine_with_table: Engine) -> None:
    holding = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with engine_with_table.begin() as conn:
            conn.execute(text("SELECT * FROM t WHERE a = 1 FOR UPDATE"))
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    try:
        with engine_with_table.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '50ms'"))
            exc = _raised(lambda: conn.execute(text("UPDATE t SET a = 2 WHERE a = 1")))
    finally:
        release.set()
        holder.join()
    assert classify(exc).kind is Trouble.LOCKED


@needs_pg
def test_postgres_read_only_is_read_only(engine_with_table: Engine) -> None:
    with engine_with_table.begin() as conn:
        conn.execute(text("SET TRANSACTION READ ONLY"))  # as a standby server answers
        exc = _raised(lambda: conn.execute(text("INSERT INTO t VALUES (3)")))
    problem = classify(exc)
    assert problem.kind is Trouble.READ_ONLY and problem.outage


@pytest.fixture
def engine_with_table() -> object:
    import uuid

    schema = f"errors_{uuid.uuid4().hex[:10]}"
    engine = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        conn.execute(text("CREATE TABLE t (a INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
    yield engine
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


# --- the desk's own, and the rest ------------------------------------------------------


def test_stale_records_from_the_desk_and_the_orm_are_stale() -> None:
    own = classify(StaleRecord("Someone changed this record. Open it again."))
    assert own.kind is Trouble.STALE and own.message == "Someone changed this record. Open it again."
    orm = classify(StaleDataError("UPDATE statement on table 'person' expected to update 1 row(s); 0 were matched."))
    assert orm.kind is Trouble.STALE and orm.message == MESSAGES[Trouble.STALE]


def test_the_desks_own_errors_keep_their_words() -> None:
    problem = classify(InvalidInput("nhs_number", "That NHS number's check digit is wrong."))
    assert problem.kind is Trouble.DESK and problem.message == "That NHS number's check digit is wrong."


def test_a_full_disk_anywhere_is_disk_full() -> None:
    assert classify(OSError(errno.ENOSPC, "No space left on device")).kind is Trouble.DISK_FULL


def test_anything_else_is_said_plainly_and_kept_for_the_log() -> None:
    problem = classify(KeyError("caller_kind"))
    assert problem.kind is Trouble.UNKNOWN and not problem.outage
    assert "caller_kind" not in problem.message and "caller_kind" in problem.detail
    _plain(problem.message)
