"""Screen-test fixtures: each test drives the real app on its own database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from screen_zone import Zone, make_zone


@pytest.fixture
def zone(tmp_path: Path) -> Iterator[Zone]:
    """A fresh SQLite zone for one test."""
    z = make_zone(f"sqlite:///{tmp_path}/desk.db")
    yield z
    z.engine.dispose()
