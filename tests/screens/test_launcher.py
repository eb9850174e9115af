"""The ``desk`` console script: the core's commands, with the desk opened by the front end."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from sqlmodel import select

from desk import cli, db
from desk.models import Ring
from screens import launcher


def test_the_console_script_is_the_launcher() -> None:
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "desk"]
    assert script.value == "screens.launcher:main"


def test_the_launcher_rings_like_the_core_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path}/desk.db"
    assert launcher.main(["ring", "0117", "496", "0123", "--zone", "BXM", "--db", url]) == 0
    assert "ringing BXM from 0117 496 0123" in capsys.readouterr().out
    engine = db.make_engine(url)
    with db.reading(engine) as session:
        assert [r.number_raw for r in session.exec(select(Ring))] == ["0117 496 0123"]
    engine.dispose()


def test_the_core_alone_says_the_desk_opens_with_the_desk_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--demo"]) == 2
    assert "`desk` command" in capsys.readouterr().err


def test_the_launcher_loads_neither_textual_nor_the_orm_before_the_first_look_is_forked() -> None:
    """The first look's child is forked before Textual loads, so the two run side by side (screens.launcher)."""
    script = (
        "import json, sys\nimport screens.launcher\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout))
    assert "desk" in loaded
    assert not loaded & {"textual", "sqlalchemy", "sqlmodel", "psycopg", "platformdirs"}
