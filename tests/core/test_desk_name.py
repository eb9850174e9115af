"""Each desk signs the history and answered rings with its own name, also when several run on one machine.

Desks are real processes here, each in a terminal of its own (a pseudo-terminal),
as two co-ordinators would open two windows on one reception PC.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from desk import settings

SAY_NAME = "from desk.settings import load; print(load().resolved_desk_name())"


@pytest.fixture
def terminals() -> Iterator[list[int]]:
    """Two pseudo-terminals (their desk-side ends), closed afterwards."""
    opened: list[int] = []
    ends: list[int] = []
    for _ in range(2):
        main, desk_side = os.openpty()
        opened += [main, desk_side]
        ends.append(desk_side)
    yield ends
    for fd in opened:
        os.close(fd)


def _desk_name(stdin: int, **env: str) -> str:
    """The name a desk started on ``stdin`` gives itself."""
    clean = {k: v for k, v in os.environ.items() if k != "DESK_NAME"} | env
    done = subprocess.run(
        [sys.executable, "-c", SAY_NAME], stdin=stdin, capture_output=True, text=True, env=clean, check=True
    )
    return done.stdout.strip()


def test_two_desks_in_two_terminals_have_two_names_that_say_where_they_are(terminals: list[int]) -> None:
    first, second = (_desk_name(fd) for fd in terminals)
    host = socket.gethostname()
    for name, fd in zip((first, second), terminals, strict=True):
        assert name == f"desk@{host}:{os.ttyname(fd).removeprefix('/dev/')}"
    assert first != second
    assert _desk_name(terminals[0]) == first  # restarted in the same window: the same name


def test_a_desk_without_a_terminal_still_has_a_name_of_its_own() -> None:
    names = {_desk_name(subprocess.DEVNULL) for _ in range(2)}
    assert len(names) == 2
    assert all(n.startswith(f"desk@{socket.gethostname()}:pid") for n in names)


def test_the_office_can_name_a_desk(terminals: list[int]) -> None:
    assert _desk_name(terminals[0], DESK_NAME="Reception 1") == "Reception 1"
    assert settings.load(desk_name="Ward 3 desk").resolved_desk_name() == "Ward 3 desk"  # --desk-name
