"""The ``desk`` command as the phone system and a co-ordinator use it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

import desk
from desk import cli, db
from desk.models import Ring
from tests.helpers import synthetic
from tests.helpers.dbspec import DbSpec

SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def desk_command() -> list[str]:
    """The installed console script beside this Python, else the module."""
    script = shutil.which("desk", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "screens.launcher"]


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The installed ``desk`` in a process of its own, with no desk settings inherited from the caller."""
    environment = {k: v for k, v in os.environ.items() if k not in ("DESK_ZONE", "DESK_DATABASE_URL", "DESK_NAME")}
    environment.update(env or {})
    return subprocess.run(
        [*desk_command(), *args], capture_output=True, text=True, env=environment, cwd=cwd, timeout=120
    )


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def desk_main(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Outcome]:
    """``desk ...`` run in this process: quicker than a subprocess, which a few tests keep
    to prove the installed script works end to end."""
    for var in ("DESK_ZONE", "DESK_DATABASE_URL", "DESK_NAME"):
        monkeypatch.delenv(var, raising=False)

    def call(*args: str) -> Outcome:
        capsys.readouterr()
        code = cli.main(list(args))
        out = capsys.readouterr()
        return Outcome(code, out.out, out.err)

    return call


def test_version() -> None:
    done = run("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"desk {desk.__version__}"


def test_help_explains_the_commands() -> None:
    done = run("--help")
    assert done.returncode == 0
    assert "Zone Desk" in done.stdout
    for word in ("--db", "--demo", "--zone", "ring"):
        assert word in done.stdout


def test_ring_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["ring", "--help"])
    assert done.value.code == 0
    assert "withheld" in capsys.readouterr().out


def rings_in(engine: Engine) -> list[Ring]:
    with db.reading(engine) as session:
        return list(session.exec(select(Ring).order_by(Ring.id)))


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("number", "e164"), [("01632 960001", "+441632960001"), ("+44 7700 900123", "+447700900123"), ("", None)]
)
def test_ring_records_the_call_on_the_zone_line(
    engine: Engine, engine_spec: DbSpec, desk_main: Callable[..., Outcome], number: str, e164: str | None
) -> None:
    done = desk_main("ring", number, "--zone", "bxm", "--db", engine_spec.url)
    assert done.returncode == 0, done.stderr
    [ring] = rings_in(engine)
    assert (ring.zone_id, ring.number_raw, ring.number_e164, ring.answered_by) == ("BXM", number, e164, None)
    assert done.stdout.strip() == f"ringing BXM from {number or 'withheld'} (ring {ring.id})"


@SQLITE_ONLY
def test_a_number_typed_without_quotes_rings_as_one(
    engine: Engine, engine_spec: DbSpec, desk_main: Callable[..., Outcome]
) -> None:
    """The README's ``desk ring --zone TQN 0113 496 0101``: the shell splits the number at its spaces."""
    done = desk_main("ring", "--zone", "tqn", "--db", engine_spec.url, "0113", "496", "0101")
    assert done.returncode == 0, done.stderr
    [ring] = rings_in(engine)
    assert (ring.number_raw, ring.number_e164) == ("0113 496 0101", "+441134960101")
    assert done.stdout.strip() == f"ringing TQN from 0113 496 0101 (ring {ring.id})"


@SQLITE_ONLY
def test_the_installed_script_rings(engine: Engine, engine_spec: DbSpec) -> None:
    """The phone system calls the console script: one real process, zone and database from its environment."""
    done = run("ring", synthetic.mobile(1), env={"DESK_ZONE": "TQN", "DESK_DATABASE_URL": engine_spec.url})
    assert done.returncode == 0, done.stderr
    assert [r.zone_id for r in rings_in(engine)] == ["TQN"]


@SQLITE_ONLY
def test_ring_without_a_zone_says_how_to_give_one(
    engine: Engine, engine_spec: DbSpec, desk_main: Callable[..., Outcome]
) -> None:
    done = desk_main("ring", synthetic.mobile(1), "--db", engine_spec.url)
    assert done.returncode == 2
    assert "--zone ZONE" in done.stderr and "DESK_ZONE" in done.stderr
    assert rings_in(engine) == []


@SQLITE_ONLY
def test_ring_for_an_unknown_zone_lists_the_zones(
    engine: Engine, engine_spec: DbSpec, desk_main: Callable[..., Outcome]
) -> None:
    done = desk_main("ring", synthetic.mobile(1), "--zone", "XYZ", "--db", engine_spec.url)
    assert done.returncode == 2
    assert "No zone 'XYZ'. Zones: BXM, PGN, PGS, TQN, TQS." in done.stderr
    assert rings_in(engine) == []


def test_ring_on_a_brand_new_database(tmp_path: Path, desk_main: Callable[..., Outcome]) -> None:
    """The phone system may ring before any desk has opened the database."""
    url = f"sqlite:///{tmp_path}/new.db"
    done = desk_main("ring", synthetic.mobile(1), "--zone", "BXM", "--db", url)
    assert done.returncode == 0, done.stderr
    assert [r.zone_id for r in rings_in(db.make_engine(url))] == ["BXM"]
