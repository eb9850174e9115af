"""The core must not need Textual: the phone system's hook and scripts import it without a terminal."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import desk

DESK_DIR = Path(desk.__file__).parent
# Alembic's env.py is a script Alembic runs, not a module: importing it outside a migration fails by design.
NOT_MODULES = {"desk.migrations.env"}

IMPORT_ALL = f"""
import importlib, json, pkgutil, sys
import desk
names = [m.name for m in pkgutil.walk_packages(desk.__path__, "desk.") if m.name not in {sorted(NOT_MODULES)!r}]
for name in names:
    importlib.import_module(name)
print(json.dumps({{"imported": names, "textual": sorted(m for m in sys.modules if m.split(".")[0] == "textual")}}))
"""


def test_importing_every_core_module_leaves_textual_out() -> None:
    done = subprocess.run([sys.executable, "-c", IMPORT_ALL], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"desk.cli", "desk.db", "desk.services.calls", "desk.services.search"} <= set(report["imported"])
    assert report["textual"] == []


def test_no_core_source_imports_textual() -> None:
    importing = re.compile(r"^\s*(import\s+textual\b|from\s+textual\b)", re.MULTILINE)
    offenders = [
        str(p.relative_to(DESK_DIR)) for p in sorted(DESK_DIR.rglob("*.py")) if importing.search(p.read_text("utf-8"))
    ]
    assert offenders == []
